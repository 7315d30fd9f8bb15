"""個人番号 (マイナンバー): 12 digits, the last a check digit (stdnum.jp.in_).

The number is never shown by ``repr``, ``str``, f-strings or JSON serialization (which give
``********1234``), so it cannot slip into logs or API answers by accident; ``reveal()`` is the
one deliberate way to read it, for the registry that stores it and for the person themselves.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema
from stdnum.exceptions import InvalidChecksum
from stdnum.jp import in_

from tsunagu.core.types.base import InvalidValue, string_value_schema
from tsunagu.core.types.text import half_width_digits

LENGTH = 12
SHOWN_DIGITS = 4


class InvalidIndividualNumber(InvalidValue):
    code: ClassVar[str] = "invalid-individual-number"
    title: ClassVar[str] = "Invalid individual number"


class IndividualNumber:
    __slots__ = ("_digits",)

    def __init__(self, text: str) -> None:
        digits = half_width_digits(text).replace("-", "").replace(" ", "").strip()
        # The messages never echo the input: a near-miss is still someone's number.
        if len(digits) != LENGTH or not digits.isascii() or not digits.isdigit():
            raise InvalidIndividualNumber("individual_number", "an individual number (個人番号) is 12 digits")
        try:
            in_.validate(digits)
        except InvalidChecksum:
            raise InvalidIndividualNumber(
                "individual_number", "the check digit of the individual number is wrong"
            ) from None
        self._digits = digits

    @classmethod
    def parse(cls, text: str) -> IndividualNumber:
        return cls(text)

    def reveal(self) -> str:
        """The full 12 digits. Call only where the law allows the number to be used."""
        return self._digits

    @property
    def masked(self) -> str:
        return "*" * (LENGTH - SHOWN_DIGITS) + self._digits[-SHOWN_DIGITS:]

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"IndividualNumber({self.masked!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IndividualNumber) and other._digits == self._digits

    def __hash__(self) -> int:
        return hash(("IndividualNumber", self._digits))

    def __getstate__(self) -> Any:
        raise TypeError("an individual number is not pickled; store reveal() encrypted instead")

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return string_value_schema(cls, cls.parse, str)
