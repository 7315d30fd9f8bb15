from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from tsunagu.core.types.name import InvalidName, PersonName
from tsunagu.core.types.text import CharacterOutsideJis


def test_kana_is_normalized_to_full_width_katakana() -> None:
    name = PersonName(" 山田 ", "太郎", "やまだ", "ﾀﾛｳ")
    assert (name.family, name.given) == ("山田", "太郎")
    assert (name.family_kana, name.given_kana) == ("ヤマダ", "タロウ")
    assert name.full == "山田 太郎"
    assert name.full_kana == "ヤマダ タロウ"


def test_missing_part_is_named() -> None:
    with pytest.raises(InvalidName, match="given is required"):
        PersonName("山田", "  ", "ヤマダ", "タロウ")


def test_kana_must_be_kana() -> None:
    with pytest.raises(InvalidName, match="given_kana must be written in kana; 'T' is not kana"):
        PersonName("山田", "太郎", "ヤマダ", "Taro")


def test_kanji_outside_jis_x_0213_is_rejected() -> None:
    with pytest.raises(CharacterOutsideJis, match="'𠮷'"):
        PersonName("𠮷田", "太郎", "ヨシダ", "タロウ")


def test_too_long_part_is_rejected() -> None:
    with pytest.raises(InvalidName, match="longer than 50"):
        PersonName("山" * 51, "太郎", "ヤマ", "タロウ")


class Holder(BaseModel):
    name: PersonName


def test_works_in_pydantic_models_with_the_same_rules() -> None:
    held = Holder.model_validate(
        {"name": {"family": "佐藤", "given": "花子", "family_kana": "さとう", "given_kana": "はなこ"}}
    )
    assert held.name.family_kana == "サトウ"
    with pytest.raises(ValidationError, match="given_kana must be written in kana"):
        Holder.model_validate(
            {"name": {"family": "佐藤", "given": "花子", "family_kana": "サトウ", "given_kana": "hanako"}}
        )
