"""性別: the code of the 行政基本情報データ連携モデル, which follows ISO/IEC 5218."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from tsunagu.core.types.base import InvalidValue


class InvalidSex(InvalidValue):
    code: ClassVar[str] = "invalid-sex-code"
    title: ClassVar[str] = "Invalid sex code"


class Sex(StrEnum):
    UNKNOWN = "0"  # 不明
    MALE = "1"  # 男
    FEMALE = "2"  # 女
    NOT_APPLICABLE = "9"  # 適用不能

    @property
    def label_ja(self) -> str:
        return _LABELS_JA[self]

    @classmethod
    def parse(cls, text: str) -> Sex:
        """A code ("1"), or a Japanese or English label ("男", "女性", "female")."""
        key = text.strip().lower()
        found = _BY_TEXT.get(key)
        if found is None:
            raise InvalidSex("sex", f"sex must be one of the codes 0, 1, 2, 9 (ISO 5218), got {text!r}")
        return found


_LABELS_JA = {Sex.UNKNOWN: "不明", Sex.MALE: "男", Sex.FEMALE: "女", Sex.NOT_APPLICABLE: "適用不能"}
_BY_TEXT: dict[str, Sex] = {
    **{member.value: member for member in Sex},
    **{label: member for member, label in _LABELS_JA.items()},
    "男性": Sex.MALE,
    "女性": Sex.FEMALE,
    "unknown": Sex.UNKNOWN,
    "male": Sex.MALE,
    "female": Sex.FEMALE,
    "not applicable": Sex.NOT_APPLICABLE,
}
