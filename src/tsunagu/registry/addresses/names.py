"""Spelling rules shared by the loader and the normalizer: when two names mean the same place."""

from __future__ import annotations

import re

# Variant spellings used interchangeably in addresses (ケ/ヶ/が in 袖ケ浦, 惠/恵 in 須恵町, ノ/の/之,
# small kana, つ/ツ, 旧字体): both sides of a comparison are folded, one character for one.
VARIANTS = str.maketrans(
    {
        "ヶ": "ケ",
        "ヵ": "カ",
        "ｹ": "ケ",
        "が": "ケ",
        "ガ": "ケ",
        "个": "ケ",
        "箇": "ケ",
        "之": "の",
        "ノ": "の",
        "乃": "の",
        "っ": "ツ",
        "つ": "ツ",
        "ッ": "ツ",
        "ぁ": "あ",
        "ぃ": "い",
        "ぅ": "う",
        "ぇ": "え",
        "ぉ": "お",
        "ゃ": "や",
        "ゅ": "ゆ",
        "ょ": "よ",
        "ゎ": "わ",
        "ァ": "ア",
        "ィ": "イ",
        "ゥ": "ウ",
        "ェ": "エ",
        "ォ": "オ",
        "ャ": "ヤ",
        "ュ": "ユ",
        "ョ": "ヨ",
        "ヮ": "ワ",
        # 旧字体・異体字 written for the registry's 新字体
        "惠": "恵",
        "龍": "竜",
        "邊": "辺",
        "邉": "辺",
        "澤": "沢",
        "濱": "浜",
        "檜": "桧",
        "舘": "館",
        "﨑": "崎",
        "嵜": "崎",
        "嶋": "島",
        "嶌": "島",
        "冨": "富",
        "條": "条",
        "廣": "広",
        "德": "徳",
        "國": "国",
        "櫻": "桜",
        "藏": "蔵",
        "淺": "浅",
        "關": "関",
        "齋": "斎",
        "齊": "斉",
        "髙": "高",
        "瀧": "滝",
        "眞": "真",
        "曾": "曽",
        "萬": "万",
        "靜": "静",
        "黑": "黒",
        "學": "学",
        "驛": "駅",
        "鐵": "鉄",
        "槇": "槙",
        "峯": "峰",
        "埜": "野",
        "兒": "児",
        "壽": "寿",
        "會": "会",
        "縣": "県",
    }
)

KANJI_DIGITS = "〇一二三四五六七八九"
CHOME_SUFFIX = re.compile(r"[〇一二三四五六七八九十百]+丁目$")
OAZA_PREFIX = re.compile(r"^(大字|字)")


def fold(name: str) -> str:
    """The comparison key of a name: variant characters folded, one for one (lengths kept)."""
    return name.translate(VARIANTS)


def without_chome(town: str) -> str:
    """``丸の内一丁目`` → ``丸の内`` (postal data name the town without its 丁目)."""
    return CHOME_SUFFIX.sub("", town)


def without_oaza(town: str) -> str:
    """``大字菰野`` → ``菰野`` (postal data omit 大字 and 字)."""
    return OAZA_PREFIX.sub("", town)


def kanji_number(value: int) -> str:
    """1..9999 written the way 町字 names write 丁目: 三, 十二, 二十, 百一."""
    if not 0 < value < 10000:
        raise ValueError(f"out of range for a 丁目 number: {value}")
    parts = []
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        count, value = divmod(value, unit_value)
        if count:
            parts.append(("" if count == 1 else KANJI_DIGITS[count]) + unit)
    if value:
        parts.append(KANJI_DIGITS[value])
    return "".join(parts)


def parse_kanji_number(text: str) -> int | None:
    """``十二`` → 12, ``二〇`` → 20, ``百一`` → 101; None if ``text`` is not a kanji number."""
    if not text or any(ch not in KANJI_DIGITS + "十百千" for ch in text):
        return None
    if not any(ch in "十百千" for ch in text):
        return int("".join(str(KANJI_DIGITS.index(ch)) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in KANJI_DIGITS:
            current = KANJI_DIGITS.index(ch)
        else:
            total += (current or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            current = 0
    return total + current
