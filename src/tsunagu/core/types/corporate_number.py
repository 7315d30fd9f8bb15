"""法人番号: the 13-digit corporate number; the leading digit is a check digit (stdnum.jp.cn)."""

from __future__ import annotations

from typing import ClassVar

from stdnum.exceptions import InvalidChecksum
from stdnum.jp import cn

from tsunagu.core.types.base import InvalidValue, StringValue
from tsunagu.core.types.text import half_width_digits

LENGTH = 13


class InvalidCorporateNumber(InvalidValue):
    code: ClassVar[str] = "invalid-corporate-number"
    title: ClassVar[str] = "Invalid corporate number"


class CorporateNumberCheckDigitWrong(InvalidCorporateNumber):
    """13 digits whose check digit (the first) does not match: most often a mistyped digit."""

    code: ClassVar[str] = "corporate-number-check-digit"
    title: ClassVar[str] = "Corporate number check digit is wrong"


class CorporateNumber(StringValue, str):
    """A valid 法人番号 as 13 ASCII digits; accepts full-width digits, spaces and hyphens."""

    __slots__ = ()

    def __new__(cls, text: str) -> CorporateNumber:
        digits = half_width_digits(text).replace("-", "").replace(" ", "").strip()
        if len(digits) != LENGTH or not digits.isascii() or not digits.isdigit():
            raise InvalidCorporateNumber(
                "corporate_number", f"a corporate number (法人番号) is 13 digits, got {text!r}"
            )
        try:
            cn.validate(digits)
        except InvalidChecksum:
            raise CorporateNumberCheckDigitWrong(
                "corporate_number",
                f"the check digit of corporate number {digits} is wrong "
                f"(expected {cn.calc_check_digit(digits[1:])}, got {digits[0]})",
            ) from None
        return super().__new__(cls, digits)

    @classmethod
    def parse(cls, text: str) -> CorporateNumber:
        return cls(text)

    @classmethod
    def with_check_digit(cls, body: str) -> CorporateNumber:
        """The corporate number whose last 12 digits are ``body`` (used by generators)."""
        return cls(cn.calc_check_digit(body) + body)
