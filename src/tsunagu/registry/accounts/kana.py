"""口座名義 as banks hold it: 全銀協 half-width katakana, and the matching rules of a 口座確認.

Banks record an account holder's name in the 全銀 character set (半角カナ, 英大文字, 数字 and a few
symbols): no small kana, no long-vowel mark (it is written ``-``), ヲ as ｵ, ヴ as ｳﾞ. The resident
register keeps 氏名 in full-width hiragana or katakana, so both sides are brought to that set
before they are compared, and spaces are ignored (banks differ in where they put them).
"""

from __future__ import annotations

import jaconv

from tsunagu.core.types.name import PersonName

# 全銀協 規定の使用可能文字 (振込依頼データ 受取人名)
ZENGIN_CHARACTERS = frozenset(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟ\\,.｢｣()-/ "
)
_SMALL_TO_LARGE = str.maketrans(
    {
        "ｧ": "ｱ",
        "ｨ": "ｲ",
        "ｩ": "ｳ",
        "ｪ": "ｴ",
        "ｫ": "ｵ",
        "ｯ": "ﾂ",
        "ｬ": "ﾔ",
        "ｭ": "ﾕ",
        "ｮ": "ﾖ",
        "ｦ": "ｵ",
        "ｰ": "-",
        "－": "-",
        "‐": "-",
        "−": "-",
        "　": " ",
        "ヰ": "ｲ",
        "ヱ": "ｴ",
        "ゐ": "ｲ",
        "ゑ": "ｴ",
        "ヮ": "ﾜ",
        "ゎ": "ﾜ",
        "ヵ": "ｶ",
        "ヶ": "ｹ",
    }
)


class NotZenginKana(ValueError):
    """The text has a character no bank can hold in an account name (e.g. a kanji)."""

    def __init__(self, character: str) -> None:
        super().__init__(f"{character!r} (U+{ord(character):04X}) is not in the 全銀 character set")
        self.character = character


def to_zengin(text: str) -> str:
    """``text`` (hiragana, katakana of either width, latin) in the 全銀 set, e.g.
    ``"さとう　ちゃーりー"`` → ``"ｻﾄｳ ﾁﾔ-ﾘ-"``; :class:`NotZenginKana` for a kanji or the like."""
    katakana = jaconv.hira2kata(text.translate(_SMALL_TO_LARGE))
    half = jaconv.z2h(katakana, kana=True, digit=True, ascii=True).upper().translate(_SMALL_TO_LARGE)
    converted = " ".join(half.split())
    for character in converted:
        if character not in ZENGIN_CHARACTERS:
            raise NotZenginKana(character)
    return converted


def holder_of(name: PersonName) -> str:
    """The 口座名義 a bank would hold for the person named in the register (氏 名, in 全銀 kana)."""
    return to_zengin(f"{name.family_kana} {name.given_kana}")


def same_holder(recorded: str, expected: str) -> bool:
    """Whether a bank's 口座名義 names the expected person: equal in the 全銀 set, spaces ignored."""
    try:
        return to_zengin(recorded).replace(" ", "") == to_zengin(expected).replace(" ", "")
    except NotZenginKana:
        return False
