"""The folding and gram cutting shared by the catalog's and the inventory's word search."""

from __future__ import annotations

import pytest

from tsunagu.core.textsearch import MAX_GRAMS, fold, grams, narrowing_grams


@pytest.mark.parametrize(
    ("a", "b"),
    [("ジュウショ", "じゅうしょ"), ("ｼﾞｭｳｼｮ", "じゅうしょ"), ("ＮＰＯ法人", "npo法人"), ("Straße", "strasse")],
)
def test_spellings_fold_to_one_form(a: str, b: str) -> None:
    assert fold(a) == fold(b)


def test_grams_skip_spaces_and_line_breaks() -> None:
    assert grams("ab c\nde") == {"ab", "de"}
    assert grams("あ") == set()


def test_a_long_word_is_narrowed_by_grams_spread_over_it() -> None:
    word = fold("行政手続における特定の個人を識別するための番号")
    cut = narrowing_grams(word)
    assert len(cut) == MAX_GRAMS
    assert set(cut) <= grams(word)
    assert cut[0] == min(grams(word)) and cut[-1] == max(grams(word))


def test_a_short_word_uses_every_gram_and_one_character_none() -> None:
    assert narrowing_grams("住所") == ["住所"]
    assert narrowing_grams("住") == []
