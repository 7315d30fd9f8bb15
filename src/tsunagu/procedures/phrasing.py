"""How people ask for a procedure: everyday words and whole sentences, in kanji, hiragana or katakana.

``terms(word)`` turns one word of a search into what to look for: the word as typed, the word
without the everyday ending people add (転出届を出したい → 転出届, 住民票がほしい → 住民票), and the
life events its everyday words stand for (ひっこし, 引っ越したい → 引越し; 死亡, 亡くなった →
おくやみ). Everything is compared in the catalogue's search form (``fold``: katakana, half-width
folded, lower case), so ひっこし, ヒッコシ and ﾋｯｺｼ are one word.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: what people put after the thing they want, longest first (compared after folding to katakana)
_ENDINGS_KANA = (
    "たいのですが",
    "たいんですが",
    "たいです",
    "たい",
    "ます",
    "ください",
    "をだし",
    "を出し",
    "をとどけで",
    "を届け出",
    "をしんせいし",
    "を申請し",
    "をとり",
    "を取り",
    "をもらい",
    "をしり",
    "を知り",
    "をし",
    "をする",
    "がほしい",
    "が欲しい",
    "ほしい",
    "欲しい",
    "について",
    "のてつづき",
    "の手続き",
    "の手続",
    "てつづき",
    "手続き",
    "手続",
    "のほうほう",
    "の方法",
    "方法",
    "にしたい",
    "したい",
    "しました",
    "した",
    "する",
    "とき",
    "時",
    "ので",
    "んですが",
)

#: everyday words (folded prefixes) → the life event they mean
_LIFE_EVENT_WORDS: dict[str, tuple[str, ...]] = {
    "moving": (
        "ヒッコ",
        "引越",
        "引っ越",
        "引っこ",
        "転居",
        "テンキョ",
        "住所変更",
        "ジュウショヘンコウ",
        "住所がかわ",
        "住所が変わ",
        "ジュウショガカワ",
        "移住",
        "イジュウ",
        "転勤",
        "テンキン",
    ),
    "bereavement": (
        "死亡",
        "シボウ",
        "亡くな",
        "ナクナ",
        "死去",
        "シキョ",
        "おくやみ",
        "オクヤミ",
        "葬",
        "ソウギ",
        "相続",
        "ソウゾク",
        "遺族",
        "イゾク",
    ),
    "birth": (
        "出産",
        "シュッサン",
        "出生",
        "シュッショウ",
        "生まれ",
        "ウマレ",
        "赤ちゃん",
        "アカチャン",
        "妊娠",
        "ニンシン",
    ),
    "child_rearing": ("子育", "コソダテ", "育児", "イクジ", "保育", "ホイク", "子ども", "子供", "コドモ"),
    "marriage": ("結婚", "ケッコン", "離婚", "リコン", "婚姻", "コンイン"),
    "care": ("介護", "カイゴ"),
    "certificates": ("証明", "ショウメイ", "住民票", "ジュウミンヒョウ"),
    "company_setup": (
        "会社設立",
        "起業",
        "キギョウ",
        "法人設立",
        "会社をつく",
        "会社を作",
        "カイシャヲツク",
        "開業",
        "カイギョウ",
    ),
    "business_operation": ("入札", "ニュウサツ"),
}


@dataclass(frozen=True)
class Terms:
    """One search word: any of ``words`` in a procedure's text, or any of ``life_events`` on it."""

    words: tuple[str, ...]
    life_events: tuple[str, ...]
    #: the parts of a phrase joined by の (転入の予約): a procedure whose text has them all matches too
    parts: tuple[str, ...] = ()


def _strip_endings(word: str, fold: Callable[[str], str]) -> str:
    endings = sorted({fold(e) for e in _ENDINGS_KANA}, key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for ending in endings:
            if word.endswith(ending) and len(word) - len(ending) >= 2:
                word = word[: -len(ending)]
                changed = True
                break
    return word


#: particles after the thing wanted (を, が, は in the folded form): 転出届を出す → 転出届
_PARTICLES = ("ヲ", "ガ", "ハ")


def _before_particle(word: str) -> str:
    cut = max(word.rfind(p) for p in _PARTICLES)
    return word[:cut] if cut >= 2 else word


def terms(word: str, fold: Callable[[str], str]) -> Terms:
    """What to look for when a person types ``word`` (already folded)."""
    core = _before_particle(_strip_endings(word, fold))
    words = tuple(dict.fromkeys(w for w in (word, core) if w))
    events = tuple(
        event for event, starts in _LIFE_EVENT_WORDS.items() if any(fold(start) in word for start in starts)
    )
    parts = tuple(p for p in core.split(fold("の")) if p) if fold("の") in core else ()
    return Terms(words, events, parts if len(parts) > 1 else ())
