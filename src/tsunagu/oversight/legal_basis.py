"""Citations of law articles (根拠条項) read the same way from a procedure definition and from the
inventory, so that the two can be compared: 「児童手当法第7条（認定）」 in a YAML file and the survey's
法令名「児童手当法」 with 根拠条項号「第七条第一項」 both become (児童手当法, 7, 1, -).

Folded: full-width letters and digits (NFKC), kanji numerals (第二十四条の二 → 24-2), spaces, and
notes in brackets (「（認定）」「（昭和四十六年法律第七十三号）」). Several articles in one text are
split on 、・, 及び and 並びに; an article without a law name belongs to the law named before it,
and 同法 (同法施行規則, 同法施行令) refers back to it as well.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMBER = re.compile(r"[〇零一二三四五六七八九十百千]+")
_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|「[^「」]*」|【[^【】]*】")
_ARTICLE = re.compile(r"第(\d+)条((?:の\d+)*)(?:第(\d+)項)?(?:第(\d+)号)?")
_SEPARATORS = re.compile(r"^[、,・;\s]|^(?:及び|並びに|又は|若しくは)")
#: what may stand between two articles of the same law
_JOINERS = frozenset({"", "同条"})


@dataclass(frozen=True)
class Citation:
    """One article of one law: 第24条の2第1項 → article "24-2", paragraph "1"; "" when not given."""

    law: str
    article: str
    paragraph: str = ""
    item: str = ""

    def covers(self, other: Citation) -> bool:
        """The same law and article, and no paragraph or item that contradicts the other's."""
        return (
            self.law == other.law
            and self.article == other.article
            and (not self.paragraph or not other.paragraph or self.paragraph == other.paragraph)
            and (not self.item or not other.item or self.item == other.item)
        )

    def text(self) -> str:
        article = self.article.replace("-", "条の", 1).replace("-", "の")
        article = f"第{article}" if "条" in article else f"第{article}条"
        return (
            f"{self.law}{article}"
            + (f"第{self.paragraph}項" if self.paragraph else "")
            + (f"第{self.item}号" if self.item else "")
        )


def kanji_number(text: str) -> int:
    """二十四 → 24, 百四十八 → 148, 三百十七 → 317, 一〇五 → 105 (digit by digit)."""
    if not any(c in _UNITS for c in text):
        return int("".join(str(_DIGITS[c]) for c in text))
    total, current = 0, 0
    for char in text:
        if char in _UNITS:
            total += (current or 1) * _UNITS[char]
            current = 0
        else:
            current = current * 10 + _DIGITS[char]
    return total + current


def fold(text: str) -> str:
    """Width, spaces, kanji numerals after 第 or の, and bracketed notes folded away."""
    folded = unicodedata.normalize("NFKC", text)
    folded = re.sub(r"\s+", "", folded)
    while True:
        stripped = _BRACKETS.sub("", folded)
        if stripped == folded:
            break
        folded = stripped
    return re.sub(
        r"(?<=[第の])" + _KANJI_NUMBER.pattern,
        lambda m: str(kanji_number(m.group(0))),
        folded,
    )


def law_key(name: str) -> str:
    """A law's name as compared: folded, without a trailing 法令番号 written into the name."""
    folded = fold(name)
    return re.sub(r"(?:明治|大正|昭和|平成|令和)(?:元|\d+)年\S*第\d+号$", "", folded)


def citations(text: str, law: str = "") -> list[Citation]:
    """Every article cited in ``text``; ``law`` is the law of an article that names none (the
    inventory's 根拠条項号 beside its 法令名). A text without an article (an ordinance cited by name
    only) gives nothing."""
    folded = fold(text)
    current = law_key(law) if law else ""
    named = current
    found: list[Citation] = []
    position = 0
    for match in _ARTICLE.finditer(folded):
        before = folded[position : match.start()]
        while (cut := _SEPARATORS.sub("", before)) != before:
            before = cut
        if before.startswith("同法"):
            current = named + before[2:]
        elif before == "附則":  # the supplementary provisions number their articles apart
            current = named + before
        elif before not in _JOINERS:
            current = law_key(before)
            named = current
        position = match.end()
        if not current:
            continue
        number, branches, paragraph, item = match.groups()
        article = number + branches.replace("の", "-")
        found.append(Citation(current, article, paragraph or "", item or ""))
    return found


def rows_of(survey_year: int, ordinal: int, law_name: str, articles: str) -> list[dict[str, object]]:
    """The ``oversight_inventory_bases`` rows of one inventory procedure (each article once)."""
    if not law_name or not articles:
        return []
    unique = dict.fromkeys(citations(articles, law_name))
    return [
        {
            "survey_year": survey_year,
            "ordinal": ordinal,
            "law": c.law[:255],
            "article": c.article[:32],
            "paragraph": c.paragraph[:16],
            "item": c.item[:16],
        }
        for c in unique
    ]
