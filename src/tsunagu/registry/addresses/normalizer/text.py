"""Character-level clean-up of free-text addresses before matching."""

from __future__ import annotations

import re
import unicodedata

import jaconv

from tsunagu.registry.addresses.names import kanji_number, parse_kanji_number

KANJI_NUMERAL = "〇一二三四五六七八九十百千"
_HYPHENS = "-－‐‑‒–—―−ー─━ｰ"
# A long-vowel sign is a hyphen only between numbers (センター keeps its ー).
_NUMBER_HYPHEN = re.compile(rf"(?<=[0-9{KANJI_NUMERAL}])[{_HYPHENS}](?=[0-9{KANJI_NUMERAL}])")
_TRAILING_HYPHEN = re.compile(rf"(?<=[0-9])[{_HYPHENS}]")
_SPACES = re.compile(r"\s+")
_POSTCODE_PREFIX = re.compile(r"^〒?\s*[0-9]{3}-?[0-9]{4}(?![0-9-])\s*")
# 北3条西6丁目 (札幌), 東2線 (旭川), 4地割 (岩手), 学校町通1番町 (新潟)
_ARABIC_CHOME = re.compile(r"([0-9]+)(丁目|条|線|地割|番町|の町)")
# 北海道's grid towns number their 号 too (東川町 東7号北): only next to a direction
_GRID_GO = re.compile(r"(?<=[東西南北])([0-9]+)号|([0-9]+)号(?=[東西南北])")
_ARABIC_CHO = re.compile(r"(?<=[0-9])丁(?![目0-9])")  # 2丁 for 2丁目
# 丁目/条 numbers in kanji written another way (二〇丁目, 一〇条) become the registry's (二十丁目)
_KANJI_CHOME = re.compile(rf"(?<![{KANJI_NUMERAL}])([{KANJI_NUMERAL}]*〇[{KANJI_NUMERAL}]*)(丁目|条)")
# variation selectors (IVS/SVS) and other invisible marks people's software leaves in names
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufe00-\ufe0f\ufeff\U000e0100-\U000e01ef]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# 漢数字 used as numbers in the block part: 十二番地, 三号, 五-二, but not 一番町 (a town name).
_KANJI_BLOCK = re.compile(rf"[{KANJI_NUMERAL}]+(?=番地|番(?!町)|号|-|の[0-9{KANJI_NUMERAL}]|$|\s)")


def clean(text: str) -> str:
    """Full-width ASCII/digits → half-width, half-width kana → full-width, one space, hyphens,
    and no leading postcode (〒100-0013)."""
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", text))
    text = unicodedata.normalize("NFKC", text)  # compatibility ideographs, ㈱, half-width kana
    text = jaconv.h2z(
        jaconv.z2h(text, kana=False, digit=True, ascii=True), kana=True, digit=False, ascii=False
    )
    text = _SPACES.sub(" ", text).strip()
    text = _TRAILING_HYPHEN.sub("-", _NUMBER_HYPHEN.sub("-", text))
    return _POSTCODE_PREFIX.sub("", text).replace("〒", "")


def leading_postcode(text: str) -> str | None:
    """The postcode written before the address (〒230-0051, ２３０００５１), as 7 digits."""
    written = _POSTCODE_PREFIX.match(_SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip())
    return "".join(ch for ch in written.group(0) if ch.isdigit()) if written else None


def chome_to_kanji(text: str) -> str:
    """``1丁目`` → ``一丁目``, ``3条`` → ``三条``, ``2丁`` → ``二丁目``, ``二〇丁目`` → ``二十丁目``,
    as the registry writes 町字 names."""
    text = _KANJI_CHOME.sub(lambda m: f"{parse_kanji_number(m.group(1)) or m.group(1)}{m.group(2)}", text)
    text = _ARABIC_CHO.sub("丁目", text)
    text = _GRID_GO.sub(
        lambda m: (
            kanji_number(int(m.group(1) or m.group(2))) + "号"
            if 0 < int(m.group(1) or m.group(2)) < 10000
            else m.group(0)
        ),
        text,
    )
    return _ARABIC_CHOME.sub(
        lambda m: kanji_number(int(m.group(1))) + m.group(2) if 0 < int(m.group(1)) < 10000 else m.group(0),
        text,
    )


def block_numbers_to_arabic(text: str) -> str:
    """``十二番地五`` → ``12番地5``: the block part is kept in arabic digits."""
    return _KANJI_BLOCK.sub(lambda m: str(parse_kanji_number(m.group(0)) or m.group(0)), text)
