"""The inventory's word search (手続名・法令名) through a bigram index that works the same on SQLite
and PostgreSQL: one row per (survey year, two-character gram, procedure ordinal).

Text is folded and cut as :mod:`tsunagu.core.textsearch` does for every word search here (ｶﾅ,
カナ and かな, ＡＢＣ and abc find each other). A word of two or more characters narrows the year to
the procedures holding each of its narrowing grams (an INTERSECT of index range scans), and the
folded text (``search_text``) then confirms the whole word, so a match is exact, never a gram
coincidence. A one-character word has no gram: it is checked against the folded text alone (the
scan the index otherwise avoids).

Why not pg_trgm or FTS5: each is one database's extension; the same table and SQL run on both and
the import rewrites a year at once, so the index is rebuilt with it (no triggers)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, func, intersect, or_, select, union
from sqlalchemy.orm import Session

from tsunagu.core.textsearch import fold, grams, narrowing_grams
from tsunagu.oversight.models import OversightInventoryProcedure, OversightInventoryToken

__all__ = ["candidates", "fold", "grams", "search_text", "token_rows", "word_condition"]

#: at most this many candidates (the rarest gram of the rarest word) make the index drive the query;
#: a common word (届出: a fifth of the year) is faster found by walking the year in volume order
SELECTIVE = 3000
TOKENS = OversightInventoryToken.metadata.tables[OversightInventoryToken.__tablename__]


def search_text(name: str, law_name: str) -> str:
    """What a row is searched by (kept on the row for the exact check)."""
    return fold(f"{name}\n{law_name}")


def token_rows(year: int, rows: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """The index rows of one survey year's procedures (each with its ordinal and search_text)."""
    for row in rows:
        for gram in grams(row["search_text"]):
            yield {"survey_year": year, "gram": gram, "ordinal": row["ordinal"]}


def _narrowing(year: int, word: str) -> Select[Any]:
    token = OversightInventoryToken
    in_year = token.survey_year == year
    scans = [select(token.ordinal).where(in_year, token.gram == g) for g in narrowing_grams(word)]
    if len(scans) == 1:
        return scans[0]
    return select(intersect(*scans).subquery().c[0])


def candidates(db: Session, year: int, words: list[str]) -> int:
    """An upper bound of the rows the words can match: the count of the rarest gram of any word
    (a word without a gram bounds nothing)."""
    token = OversightInventoryToken
    bounds = []
    for word in words:
        folded = fold(word)
        if len(folded) < 2:
            continue
        cut = grams(folded)
        counts = dict(
            db.execute(
                select(token.gram, func.count())
                .where(token.survey_year == year, token.gram.in_(sorted(cut)))
                .group_by(token.gram)
            ).all()
        )
        bounds.append(min(counts.get(g, 0) for g in cut))
    return min(bounds) if bounds else 10**9


def word_condition(year: int, word: str) -> ColumnElement[bool]:
    """The rows of ``year`` whose name or law contains ``word`` (folded) or whose 手続ID is it,
    found through the index (the candidates drive the query; the text check makes it exact)."""
    table = OversightInventoryProcedure
    folded = fold(word)
    exact = or_(table.search_text.contains(folded, autoescape=True), table.procedure_id == word)
    if len(folded) < 2:
        return exact
    by_id = select(table.ordinal).where(table.survey_year == year, table.procedure_id == word)
    return table.ordinal.in_(union(_narrowing(year, folded), by_id)) & exact
