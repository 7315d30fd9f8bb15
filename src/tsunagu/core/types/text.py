"""Text rules: JIS X 0213 only (文字情報基盤, seed 004 §4.8.7) and width/kana normalization.

Python's ``euc_jis_2004`` codec encodes exactly JIS X 0213:2004 (plus ASCII), so a character it
cannot encode is outside the permitted repertoire.
"""

from __future__ import annotations

import unicodedata

import jaconv

from tsunagu.core.types.base import InvalidValue

_JIS_X_0213_CODEC = "euc_jis_2004"


class CharacterOutsideJis(InvalidValue):
    code = "character-outside-jis-x-0213"
    title = "Character outside JIS X 0213"


def first_character_outside_jis(text: str) -> int | None:
    """The 0-based index of the first character outside JIS X 0213, or None if all are inside."""
    try:
        text.encode(_JIS_X_0213_CODEC)
    except UnicodeEncodeError as exc:
        return exc.start
    for index, character in enumerate(text):
        if unicodedata.category(character) == "Cc":
            return index
    return None


def require_jis_x_0213(text: str, field: str = "text") -> str:
    """Return ``text`` unchanged, or reject it naming the offending character and its position."""
    index = first_character_outside_jis(text)
    if index is None:
        return text
    character = text[index]
    name = unicodedata.name(character, "unnamed character")
    raise CharacterOutsideJis(
        field,
        f"{field}: the character {character!r} (U+{ord(character):04X} {name}) at position "
        f"{index + 1} is outside JIS X 0213; use its standard form",
    )


def normalize_width(text: str) -> str:
    """Full-width ASCII letters, digits and symbols to half-width; half-width kana to full-width.

    Spaces are collapsed to one half-width space and trimmed.
    """
    half_ascii = jaconv.z2h(text, kana=False, ascii=True, digit=True)
    full_kana = jaconv.h2z(half_ascii, kana=True, ascii=False, digit=False)
    return " ".join(full_kana.split())


def half_width_digits(text: str) -> str:
    """Full-width digits (０-９) to ASCII digits, leaving everything else as it is."""
    return jaconv.z2h(text, kana=False, ascii=False, digit=True)


def to_katakana(text: str) -> str:
    """Hiragana and half-width katakana to full-width katakana (フリガナ), spaces collapsed."""
    full = jaconv.h2z(text, kana=True, ascii=False, digit=False)
    return " ".join(jaconv.hira2kata(full).replace("\u3000", " ").split())


def is_katakana_reading(text: str) -> bool:
    """True if ``text`` holds only full-width katakana, the long-vowel mark, ・ and spaces."""
    return all(character == " " or "\u30a1" <= character <= "\u30fc" for character in text)
