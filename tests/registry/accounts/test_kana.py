"""口座名義 in 全銀 kana: how banks write names, and which differences a 口座確認 forgives."""

from __future__ import annotations

import pytest

from tsunagu.core.types.name import PersonName
from tsunagu.registry.accounts import kana


@pytest.mark.parametrize(
    ("written", "zengin"),
    [
        ("さとう はなこ", "ｻﾄｳ ﾊﾅｺ"),
        ("サトウ　ハナコ", "ｻﾄｳ ﾊﾅｺ"),  # full-width space
        ("きっかわ しょうこ", "ｷﾂｶﾜ ｼﾖｳｺ"),  # small kana are written large
        ("ヴァン　ゴッホ", "ｳﾞｱﾝ ｺﾞﾂﾎ"),  # ヴ as ｳﾞ
        ("チャーリー", "ﾁﾔ-ﾘ-"),  # the long-vowel mark is a hyphen
        ("を", "ｵ"),
        ("ｽﾐｽ ｼﾞｮﾝ", "ｽﾐｽ ｼﾞﾖﾝ"),  # already half-width
        ("smith ｼﾞｮﾝ", "SMITH ｼﾞﾖﾝ"),
    ],
)
def test_names_are_written_as_banks_hold_them(written: str, zengin: str) -> None:
    assert kana.to_zengin(written) == zengin


@pytest.mark.parametrize("written", ["佐藤", "さとう♪", "ｻﾄｳ😀"])
def test_characters_no_bank_can_hold_are_named(written: str) -> None:
    with pytest.raises(kana.NotZenginKana) as caught:
        kana.to_zengin(written)
    assert caught.value.character in written


def test_the_register_name_becomes_the_expected_holder() -> None:
    name = PersonName("吉川", "翔子", "きっかわ", "しょうこ")
    assert kana.holder_of(name) == "ｷﾂｶﾜ ｼﾖｳｺ"


@pytest.mark.parametrize(
    ("recorded", "expected", "same"),
    [
        ("ｷﾂｶﾜ ｼﾖｳｺ", "きっかわ しょうこ", True),
        ("ｷﾂｶﾜｼﾖｳｺ", "キッカワ　ショウコ", True),  # the bank put no space
        ("ｷﾂｶﾜ ｼﾖｳｺ", "よしかわ しょうこ", False),  # another reading of 吉川
        ("ｻﾄｳ ﾊﾅｺ", "さどう はなこ", False),  # a dakuten differs
        ("ｻﾄｳ ﾊﾅｺ", "佐藤 花子", False),  # kanji cannot be compared at all
    ],
)
def test_a_verification_forgives_only_how_a_bank_writes(recorded: str, expected: str, same: bool) -> None:
    assert kana.same_holder(recorded, expected) is same
