"""氏名: family and given name in kanji with their katakana reading (氏・名・氏カナ・名カナ)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tsunagu.core.types.base import InvalidValue
from tsunagu.core.types.text import is_katakana_reading, normalize_width, require_jis_x_0213, to_katakana

MAX_PART_LENGTH = 50


class InvalidName(InvalidValue):
    code: ClassVar[str] = "invalid-name"
    title: ClassVar[str] = "Invalid name"


def _written(value: str, field: str) -> str:
    text = normalize_width(value)
    if not text:
        raise InvalidName(field, f"{field} is required")
    if len(text) > MAX_PART_LENGTH:
        raise InvalidName(field, f"{field} is longer than {MAX_PART_LENGTH} characters")
    return require_jis_x_0213(text, field)


def _reading(value: str, field: str) -> str:
    text = to_katakana(value)
    if not text:
        raise InvalidName(field, f"{field} is required")
    if len(text) > MAX_PART_LENGTH:
        raise InvalidName(field, f"{field} is longer than {MAX_PART_LENGTH} characters")
    if not is_katakana_reading(text):
        offending = next(c for c in text if c != " " and not is_katakana_reading(c))
        raise InvalidName(field, f"{field} must be written in kana; {offending!r} is not kana")
    return text


@dataclass(frozen=True)
class PersonName:
    """A person's name as the 住民基本台帳 holds it; kana is normalized to full-width katakana.

    Works as a Pydantic field type: the same checks run and a failure is a 422.
    """

    family: str
    given: str
    family_kana: str
    given_kana: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "family", _written(self.family, "family"))
        object.__setattr__(self, "given", _written(self.given, "given"))
        object.__setattr__(self, "family_kana", _reading(self.family_kana, "family_kana"))
        object.__setattr__(self, "given_kana", _reading(self.given_kana, "given_kana"))

    @property
    def full(self) -> str:
        """氏名 as printed on certificates: family name, a space, given name."""
        return f"{self.family} {self.given}"

    @property
    def full_kana(self) -> str:
        return f"{self.family_kana} {self.given_kana}"
