"""全国地方公共団体コード: 2-digit prefecture + 3-digit municipality + 1 check digit (JIS X 0402)."""

from __future__ import annotations

from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from tsunagu.core.types.base import InvalidValue, string_value_schema

WEIGHTS = (6, 5, 4, 3, 2)


class InvalidLocalGovernmentCode(InvalidValue):
    code = "invalid-local-government-code"
    title = "Invalid local government code"


def check_digit(five_digits: str) -> str:
    """検査数字: 11 minus (Σ digit×weight mod 11), last digit only (remainder 0 → 1, 1 → 0)."""
    if len(five_digits) != 5 or not five_digits.isascii() or not five_digits.isdigit():
        raise InvalidLocalGovernmentCode(
            "code", f"a local government code needs 5 digits before its check digit, got {five_digits!r}"
        )
    total = sum(int(digit) * weight for digit, weight in zip(five_digits, WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


class LocalGovernmentCode(str):
    """A validated 6-digit 全国地方公共団体コード, e.g. ``131016`` (千代田区)."""

    __slots__ = ()

    def __new__(cls, value: str) -> LocalGovernmentCode:
        text = value.strip() if isinstance(value, str) else ""
        if len(text) != 6 or not text.isascii() or not text.isdigit():
            raise InvalidLocalGovernmentCode("code", f"a local government code is 6 digits, got {value!r}")
        if check_digit(text[:5]) != text[5]:
            raise InvalidLocalGovernmentCode(
                "code",
                f"wrong check digit in local government code {text!r} "
                f"(expected {text[:5]}{check_digit(text[:5])})",
            )
        return super().__new__(cls, text)

    @classmethod
    def from_five_digits(cls, five_digits: str) -> LocalGovernmentCode:
        """Complete a 5-digit code (as in postal data) with its check digit."""
        return cls(five_digits + check_digit(five_digits))

    @classmethod
    def for_prefecture(cls, prefecture_code: str) -> LocalGovernmentCode:
        """The code of a prefecture itself, e.g. ``130001`` for 東京都 (``13``)."""
        return cls.from_five_digits(prefecture_code + "000")

    @property
    def prefecture_code(self) -> str:
        return self[:2]

    @property
    def five_digits(self) -> str:
        return self[:5]

    @classmethod
    def __get_pydantic_core_schema__(
        cls, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return string_value_schema(cls, cls, str)
