from __future__ import annotations

import pytest

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.types.text import (
    CharacterOutsideJis,
    normalize_width,
    require_jis_x_0213,
    to_katakana,
)


@pytest.mark.parametrize("text", ["山田太郎", "高橋", "﨑", "剝", "ＡＢＣ abc 123", "～〜ー①"])
def test_jis_x_0213_text_passes_unchanged(text: str) -> None:
    assert require_jis_x_0213(text) == text


@pytest.mark.parametrize(
    ("text", "character", "position"),
    [
        ("𠮷野家", "𠮷", 1),
        ("髙橋", "髙", 1),
        ("山田😀", "😀", 3),
        ("abc\x07", "\x07", 4),
    ],
)
def test_outside_jis_x_0213_names_the_character_and_position(
    text: str, character: str, position: int
) -> None:
    with pytest.raises(CharacterOutsideJis) as caught:
        require_jis_x_0213(text, "family")
    assert isinstance(caught.value, ValidationFailed)
    assert repr(character) in caught.value.detail
    assert f"U+{ord(character):04X}" in caught.value.detail
    assert f"position {position}" in caught.value.detail
    assert caught.value.errors[0]["location"] == ["family"]


def test_normalize_width_folds_ascii_and_kana() -> None:
    assert normalize_width("ＡＢＣ１２３　ｶﾞｯｺｳ  東京") == "ABC123 ガッコウ 東京"


def test_to_katakana_from_hiragana_and_half_width() -> None:
    assert to_katakana("やまだ　ﾀﾛｳ") == "ヤマダ タロウ"
