"""電話番号: Japanese telephone numbers in national form (0312345678), shown with hyphens."""

from __future__ import annotations

import re
from typing import ClassVar

from tsunagu.core.types.base import InvalidValue, StringValue
from tsunagu.core.types.text import normalize_width

_SEPARATORS = re.compile(r"[\s()\-‐‑‒–—―−ー]")
# Non-geographic prefixes and their (digits, grouping); fixed lines are 10 digits.
_SERVICES: tuple[tuple[str, int, tuple[int, ...]], ...] = (
    ("0120", 10, (4, 3, 3)),  # フリーダイヤル
    ("0570", 10, (4, 3, 3)),  # ナビダイヤル
    ("0800", 11, (4, 3, 4)),  # フリーダイヤル (0800)
    ("0990", 10, (4, 3, 3)),  # 情報料代理徴収
    ("0180", 10, (4, 3, 3)),  # テレドーム
    ("020", 11, (3, 4, 4)),  # M2M・ポケベル
    ("050", 11, (3, 4, 4)),  # IP電話
    ("060", 11, (3, 4, 4)),  # FMC
    ("070", 11, (3, 4, 4)),  # 携帯・PHS
    ("080", 11, (3, 4, 4)),  # 携帯
    ("090", 11, (3, 4, 4)),  # 携帯
)
_TWO_DIGIT_AREAS = ("03", "06")  # 東京・大阪: 0X-XXXX-XXXX


class InvalidPhoneNumber(InvalidValue):
    code: ClassVar[str] = "invalid-phone-number"
    title: ClassVar[str] = "Invalid telephone number"


class PhoneNumber(StringValue, str):
    """A Japanese telephone number in canonical national form (digits only, leading 0).

    Accepts hyphens, spaces, brackets, full-width digits and ``+81``. ``display`` groups the
    digits (090-1234-5678, 03-1234-5678, 0120-123-456); other fixed lines are shown 3-3-4,
    because area codes of 3 to 5 digits cannot be told apart without the MIC numbering table.
    """

    __slots__ = ()

    def __new__(cls, text: str) -> PhoneNumber:
        return super().__new__(cls, _canonical(text))

    @classmethod
    def parse(cls, text: str) -> PhoneNumber:
        return cls(text)

    @property
    def e164(self) -> str:
        return "+81" + self[1:]

    @property
    def display(self) -> str:
        grouping = _grouping_for(self) or (3, 3, 4)
        parts, start = [], 0
        for size in grouping:
            parts.append(self[start : start + size])
            start += size
        return "-".join(parts)


def _grouping_for(digits: str) -> tuple[int, ...] | None:
    for prefix, _length, grouping in _SERVICES:
        if digits.startswith(prefix):
            return grouping
    if digits.startswith(_TWO_DIGIT_AREAS):
        return (2, 4, 4)
    return None


def _canonical(text: str) -> str:
    written = normalize_width(text).strip()
    if written.startswith("+"):
        if not written.startswith("+81"):
            raise InvalidPhoneNumber("phone", f"{text!r} is not a Japanese number (+81)")
        written = "0" + written[3:].lstrip(" -(").removeprefix("0")
    digits = _SEPARATORS.sub("", written)
    if not digits.isascii() or not digits.isdigit():
        raise InvalidPhoneNumber("phone", f"{text!r} contains characters other than digits and hyphens")
    if not digits.startswith("0"):
        raise InvalidPhoneNumber(
            "phone",
            f"{text!r} must start with 0 and an area or service code "
            "(short numbers such as 110 are not subscriber numbers)",
        )
    if digits.startswith(("00", "010")):
        raise InvalidPhoneNumber(
            "phone", f"{text!r} starts with an international call prefix; write +81 and the national number"
        )
    for prefix, length, _grouping in _SERVICES:
        if digits.startswith(prefix):
            if len(digits) != length:
                raise InvalidPhoneNumber(
                    "phone", f"{text!r}: numbers starting {prefix} have {length} digits, got {len(digits)}"
                )
            return digits
    if len(digits) != 10:
        raise InvalidPhoneNumber("phone", f"{text!r}: a fixed-line number has 10 digits, got {len(digits)}")
    return digits
