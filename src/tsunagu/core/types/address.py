"""住所: the structured address of the 行政基本情報データ連携モデル, with the code of each level.

``town`` is the 町字 as the address base registry names it (``丸の内一丁目``, ``大字菰野``);
``chome`` repeats its 丁目 as a number for sorting and comparison. ``banchi`` and ``go`` keep
the block numbers as written after normalization (``"1"``, ``"12-3"``), and ``building`` keeps
the building name and room apart from the 住居表示.
"""

from __future__ import annotations

from dataclasses import dataclass

from tsunagu.core.types.local_government_code import LocalGovernmentCode
from tsunagu.core.types.postcode import Postcode


@dataclass(frozen=True)
class Address:
    prefecture: str
    municipality: str = ""
    town: str = ""
    chome: int | None = None
    koaza: str = ""
    banchi: str = ""
    go: str = ""
    building: str = ""
    prefecture_code: str = ""
    municipality_code: LocalGovernmentCode | None = None
    town_id: int | None = None
    postcode: Postcode | None = None

    def __post_init__(self) -> None:
        if self.prefecture_code and not (len(self.prefecture_code) == 2 and self.prefecture_code.isdigit()):
            raise ValueError(f"a prefecture code is 2 digits, got {self.prefecture_code!r}")
        if (
            self.municipality_code is not None
            and self.prefecture_code
            and self.municipality_code.prefecture_code != self.prefecture_code
        ):
            raise ValueError("the municipality code lies in another prefecture")

    @property
    def block(self) -> str:
        """番地・号 in the usual written form: ``1番地2号`` → ``1-2``."""
        return "-".join(part for part in (self.banchi, self.go) if part)

    def label(self, *, with_building: bool = True) -> str:
        """One line such as ``東京都千代田区丸の内一丁目1-1 丸の内ビル``."""
        line = f"{self.prefecture}{self.municipality}{self.town}{self.koaza}{self.block}"
        return f"{line} {self.building}" if with_building and self.building else line
