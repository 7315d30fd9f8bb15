"""全銀協規定形式 総合振込 (種別コード 21): the bank's fixed-length transfer request file.

Each record is 120 bytes in JIS X 0201 (written here as CP932, whose single-byte half is JIS X
0201: digits, upper-case latin and half-width katakana), with CRLF after each record or no
separator at all. The file is one header (データ区分 1), one data record per transfer (2), a
trailer with the count and the total (8) and an end record (9). Numeric fields (N) are right
aligned and padded with ``0``; character fields (C) left aligned and padded with spaces.
The layout follows 全銀協制定ファイルフォーマット【総合振込】 as banks publish it (see
docs/operations.md, "Benefit payment runs").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO, Literal

RECORD_BYTES = 120
ENCODING = "cp932"
KIND_GENERAL_TRANSFER = "21"  # 総合振込
Kind = Literal["N", "C"]


@dataclass(frozen=True)
class Field:
    name: str
    width: int
    kind: Kind


HEADER = (
    Field("record_type", 1, "N"),  # データ区分 1
    Field("kind_code", 2, "N"),  # 種別コード 21
    Field("code_type", 1, "N"),  # コード区分 0 = JIS
    Field("consignor_code", 10, "N"),  # 振込依頼人コード (委託者コード)
    Field("consignor_name", 40, "C"),  # 振込依頼人名
    Field("transfer_date", 4, "N"),  # 振込指定日 MMDD
    Field("bank_code", 4, "N"),  # 仕向銀行番号
    Field("bank_name", 15, "C"),
    Field("branch_code", 3, "N"),  # 仕向支店番号
    Field("branch_name", 15, "C"),
    Field("account_type", 1, "N"),  # 預金種目 (依頼人)
    Field("account_number", 7, "N"),
    Field("dummy", 17, "C"),
)
DATA = (
    Field("record_type", 1, "N"),  # 2
    Field("bank_code", 4, "N"),  # 被仕向銀行番号
    Field("bank_name", 15, "C"),
    Field("branch_code", 3, "N"),  # 被仕向支店番号
    Field("branch_name", 15, "C"),
    Field("clearing_house", 4, "N"),  # 手形交換所番号 (未使用: 0)
    Field("account_type", 1, "N"),  # 預金種目 1 普通 2 当座 4 貯蓄
    Field("account_number", 7, "N"),
    Field("payee_name", 30, "C"),  # 受取人名
    Field("amount", 10, "N"),  # 振込金額
    Field("new_code", 1, "N"),  # 新規コード (0)
    Field("customer_code_1", 10, "N"),  # 顧客コード1
    Field("customer_code_2", 10, "N"),  # 顧客コード2
    Field("transfer_kind", 1, "N"),  # 振込指定区分 7 = 電信
    Field("identifier", 1, "C"),  # 識別表示 (空白)
    Field("dummy", 7, "C"),
)
TRAILER = (
    Field("record_type", 1, "N"),  # 8
    Field("count", 6, "N"),  # 合計件数
    Field("total", 12, "N"),  # 合計金額
    Field("dummy", 101, "C"),
)
END = (Field("record_type", 1, "N"), Field("dummy", 119, "C"))
LAYOUTS = {"1": HEADER, "2": DATA, "8": TRAILER, "9": END}
assert all(sum(f.width for f in layout) == RECORD_BYTES for layout in LAYOUTS.values())


class ZenginError(ValueError):
    """A value does not fit its field, or a file is not a 総合振込 file."""


def record(layout: tuple[Field, ...], values: Mapping[str, str | int]) -> bytes:
    """One 120-byte record; fields not given are zeros (N) or spaces (C)."""
    parts: list[bytes] = []
    for field in layout:
        value = str(values.get(field.name, ""))
        if field.kind == "N":
            if value and not (value.isascii() and value.isdigit()):
                raise ZenginError(f"{field.name} must be digits, not {value!r}")
            encoded = value.rjust(field.width, "0").encode("ascii")
        else:
            try:
                encoded = value.encode(ENCODING)
            except UnicodeEncodeError as exc:
                raise ZenginError(f"{field.name} has {value[exc.start]!r}, not in JIS X 0201") from None
            if len(encoded) != len(value):
                raise ZenginError(f"{field.name} must be half-width (JIS X 0201): {value!r}")
            encoded = encoded.ljust(field.width, b" ")
        if len(encoded) > field.width:
            raise ZenginError(f"{field.name} is longer than {field.width} bytes: {value!r}")
        parts.append(encoded)
    return b"".join(parts)


class TransferFile:
    """Writes a 総合振込 file record by record (nothing is held in memory but the totals)."""

    def __init__(self, out: BinaryIO, header: Mapping[str, str | int], *, newline: bool = True) -> None:
        self._out, self._separator = out, b"\r\n" if newline else b""
        self.count = self.total = 0
        self._write(
            HEADER, {"record_type": "1", "kind_code": KIND_GENERAL_TRANSFER, "code_type": "0", **header}
        )

    def _write(self, layout: tuple[Field, ...], values: Mapping[str, str | int]) -> None:
        self._out.write(record(layout, values) + self._separator)

    def transfer(self, values: Mapping[str, str | int]) -> None:
        amount = int(values["amount"])
        if not 0 < amount < 10**10:
            raise ZenginError(f"amount {amount} is outside 1–9,999,999,999 yen")
        self._write(DATA, {"record_type": "2", "new_code": "0", "transfer_kind": "7", **values})
        self.count += 1
        self.total += amount

    def close(self) -> None:
        """The trailer (合計件数, 合計金額) and the end record."""
        self._write(TRAILER, {"record_type": "8", "count": self.count, "total": self.total})
        self._write(END, {"record_type": "9"})


def read(data: bytes) -> Iterator[dict[str, str]]:
    """The records of a 総合振込 file, each field by name (character fields without padding)."""
    body = data.replace(b"\r\n", b"")
    if len(body) % RECORD_BYTES:
        raise ZenginError(f"{len(body)} bytes is not a whole number of {RECORD_BYTES}-byte records")
    for start in range(0, len(body), RECORD_BYTES):
        raw = body[start : start + RECORD_BYTES]
        layout = LAYOUTS.get(chr(raw[0]))
        if layout is None:
            raise ZenginError(f"record {start // RECORD_BYTES + 1} has データ区分 {chr(raw[0])!r}")
        values, position = {}, 0
        for field in layout:
            text = raw[position : position + field.width].decode(ENCODING)
            values[field.name] = text.rstrip(" ") if field.kind == "C" else text
            position += field.width
        yield values
