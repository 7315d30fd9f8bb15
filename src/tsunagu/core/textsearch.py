"""Word search that works the same on SQLite and PostgreSQL: folded text cut into bigrams.

Used by the catalog (dataset search) and by oversight (the procedure inventory). Each part keeps
its own gram table (one row per gram and row id); this module holds what they must agree on — how
text is folded and cut, and which grams of a searched word narrow the rows — so a word indexed by
one rule is never looked up by another.

Folding: NFKC (全角英数・半角カナ → one width), case-folded, katakana → hiragana, so ｶﾅ, カナ and かな,
ＡＢＣ and abc find each other. A match is confirmed on the folded text, so the grams only narrow.

Why not pg_trgm or FTS5: each is one database's extension, and neither cuts Japanese into words;
a plain table and the same SQL run on both."""

from __future__ import annotations

import unicodedata

import jaconv

#: grams of a long word used to narrow (spread over the word); the text check is exact
MAX_GRAMS = 4


def fold(text: str) -> str:
    """The form both stored text and a searched word take: one width, case-folded, hiragana."""
    return jaconv.kata2hira(unicodedata.normalize("NFKC", text).casefold())


def grams(text: str) -> set[str]:
    """Every two-character gram of a folded text that holds no space or line break."""
    return {text[i : i + 2] for i in range(len(text) - 1) if not (text[i].isspace() or text[i + 1].isspace())}


def narrowing_grams(word: str) -> list[str]:
    """The grams of a folded word that narrow a search: all of them, or :data:`MAX_GRAMS` spread
    evenly over the sorted set (more grams add index scans but rarely remove candidates).
    A word of fewer than two characters has none."""
    cut = sorted({word[i : i + 2] for i in range(len(word) - 1)})
    if len(cut) > MAX_GRAMS:
        step = (len(cut) - 1) / (MAX_GRAMS - 1)
        cut = [cut[round(i * step)] for i in range(MAX_GRAMS)]
    return cut
