"""Queries of the catalog's tables: writing a dataset with its search index, and the search.

The search index works the same on SQLite and PostgreSQL (no FTS5, no pg_trgm): the folded text
of a published dataset (NFKC, lower case, katakana as hiragana) is cut into two-character grams,
one row per (gram, dataset). A searched word of two or more characters narrows the datasets to
those holding (up to) :data:`~tsunagu.core.textsearch.MAX_GRAMS` of its grams — an INTERSECT of
primary-key range scans —
and the folded text then confirms the whole word, so a match is exact, never a gram
coincidence. A one-character word has no gram and is checked against the text alone.

Facet values (publisher, themes, formats, licence, keywords) are rows of
``catalog_dataset_terms``; a facet filter is a semi-join on them, and the counts of every facet
are one GROUP BY. A page of results is one query (the description is the row's JSON): nothing
is read per result."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, delete, func, insert, intersect, select
from sqlalchemy.orm import Session

from tsunagu.catalog.models import (
    CatalogCodeList,
    CatalogDataset,
    CatalogDatasetTerm,
    CatalogEvent,
    CatalogLinkCheck,
    CatalogSearchGram,
)
from tsunagu.core.textsearch import grams, narrowing_grams

Sort = Literal["title", "modified"]
PUBLISHED = "published"


def write_index(db: Session, dataset_id: str, text: str | None, terms: Iterable[tuple[str, str]]) -> None:
    """Replace a dataset's grams and facet terms; ``text`` None takes it out of the search
    (a draft or a withdrawn dataset is not found)."""
    db.execute(delete(CatalogSearchGram).where(CatalogSearchGram.dataset_id == dataset_id))
    db.execute(delete(CatalogDatasetTerm).where(CatalogDatasetTerm.dataset_id == dataset_id))
    if text is None:
        return
    gram_rows = [{"gram": g, "dataset_id": dataset_id} for g in sorted(grams(text))]
    term_rows = [{"dataset_id": dataset_id, "kind": k, "value": v} for k, v in sorted(set(terms))]
    if gram_rows:
        db.execute(insert(CatalogSearchGram), gram_rows)
    if term_rows:
        db.execute(insert(CatalogDatasetTerm), term_rows)


def _narrowing(word: str) -> Select[Any]:
    gram = CatalogSearchGram
    scans = [select(gram.dataset_id).where(gram.gram == g) for g in narrowing_grams(word)]
    if len(scans) == 1:
        return scans[0]
    return select(intersect(*scans).subquery().c[0])


def _word(word: str) -> ColumnElement[bool]:
    exact = CatalogDataset.search_text.contains(word, autoescape=True)
    return exact if len(word) < 2 else CatalogDataset.id.in_(_narrowing(word)) & exact


def _term(kind: str, values: Sequence[str]) -> ColumnElement[bool]:
    """The dataset carries one of ``values`` as ``kind``: a lookup of the candidate's own terms by
    primary key (EXISTS), never a materialized list of every dataset with a common value."""
    term = CatalogDatasetTerm
    return (
        select(term.dataset_id)
        .where(term.dataset_id == CatalogDataset.id, term.kind == kind, term.value.in_(values))
        .exists()
    )


def matching(words: Sequence[str], facets: dict[str, Sequence[str]], tags: Sequence[str] = ()) -> Select[Any]:
    """The ids of the published datasets holding every (folded) word, with one of the values of
    each facet filtered on (values of one facet are alternatives), and every tag."""
    stmt = select(CatalogDataset.id).where(CatalogDataset.status == PUBLISHED)
    for word in words:
        stmt = stmt.where(_word(word))
    for kind, values in facets.items():
        if values and kind == "publisher":
            stmt = stmt.where(CatalogDataset.publisher.in_(values))
        elif values:
            stmt = stmt.where(_term(kind, values))
    for tag in tags:  # CKAN's tags: every one must be there
        stmt = stmt.where(_term("keyword", [tag]))
    return stmt


def page(db: Session, ids: Select[Any], sort: Sort, limit: int, offset: int) -> list[str]:
    """The descriptions (JSON) of one page of the matching datasets, in one query."""
    d = CatalogDataset
    order = (
        (d.modified.desc(), d.title_ja, d.id)
        if sort == "modified"
        else ((d.access != "open"), d.title_ja, d.id)  # open data first, then by title
    )
    stmt = (
        ids.with_only_columns(d.document, maintain_column_froms=True)
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    return list(db.scalars(stmt))


def total(db: Session, ids: Select[Any]) -> int:
    return db.scalar(ids.with_only_columns(func.count(), maintain_column_froms=True)) or 0


def facet_counts(db: Session, ids: Select[Any], kinds: Sequence[str]) -> dict[str, dict[str, int]]:
    """How many matching datasets carry each value of each facet: one GROUP BY for all facets,
    driven from the matching datasets (their terms read by primary key)."""
    term = CatalogDatasetTerm
    matched = ids.subquery()
    stmt = (
        select(term.kind, term.value, func.count())
        .select_from(matched)
        .join(term, term.dataset_id == matched.c[0])
        .where(term.kind.in_(kinds))
        .group_by(term.kind, term.value)
    )
    found: dict[str, dict[str, int]] = {kind: {} for kind in kinds}
    for kind, value, count in db.execute(stmt):
        found[kind][value] = count
    return found


def published_documents(db: Session, publisher: str | None = None) -> list[str]:
    stmt = select(CatalogDataset.document).where(CatalogDataset.status == PUBLISHED)
    if publisher is not None:
        stmt = stmt.where(CatalogDataset.publisher == publisher)
    return list(db.scalars(stmt.order_by(CatalogDataset.id)))


def published_ids(db: Session) -> list[str]:
    stmt = select(CatalogDataset.id).where(CatalogDataset.status == PUBLISHED).order_by(CatalogDataset.id)
    return list(db.scalars(stmt))


def published_by_publisher(db: Session) -> dict[str, int]:
    stmt = (
        select(CatalogDataset.publisher, func.count())
        .where(CatalogDataset.status == PUBLISHED)
        .group_by(CatalogDataset.publisher)
    )
    return {str(publisher): int(count) for publisher, count in db.execute(stmt)}


def keywords(db: Session) -> list[str]:
    term = CatalogDatasetTerm
    return list(db.scalars(select(term.value).where(term.kind == "keyword").distinct().order_by(term.value)))


def datasets_of(db: Session, publishers: Sequence[str]) -> list[CatalogDataset]:
    """Every dataset of these publishers, whatever its state, by title."""
    stmt = select(CatalogDataset).where(CatalogDataset.publisher.in_(publishers))
    return list(db.scalars(stmt.order_by(CatalogDataset.title_ja, CatalogDataset.id)))


def get(db: Session, dataset_id: str) -> CatalogDataset | None:
    return db.get(CatalogDataset, dataset_id)


def last_change(db: Session) -> datetime | None:
    return db.scalar(select(func.max(CatalogEvent.at)))


def latest_modified(db: Session) -> date | None:
    return db.scalar(select(func.max(CatalogDataset.modified)).where(CatalogDataset.status == PUBLISHED))


def events(db: Session, subject_kind: str, subject_id: str) -> list[CatalogEvent]:
    stmt = (
        select(CatalogEvent)
        .where(CatalogEvent.subject_kind == subject_kind, CatalogEvent.subject_id == subject_id)
        .order_by(CatalogEvent.id.desc())
    )
    return list(db.scalars(stmt))


def record(db: Session, **values: Any) -> None:
    db.add(CatalogEvent(**values))


def code_list_row(db: Session, list_id: str) -> CatalogCodeList | None:
    return db.get(CatalogCodeList, list_id)


def code_lists_of(db: Session, publishers: Sequence[str]) -> list[CatalogCodeList]:
    stmt = select(CatalogCodeList).where(CatalogCodeList.publisher.in_(publishers))
    return list(db.scalars(stmt.order_by(CatalogCodeList.id)))


def published_code_lists(db: Session) -> list[str]:
    stmt = select(CatalogCodeList.document).where(CatalogCodeList.status == PUBLISHED)
    return list(db.scalars(stmt.order_by(CatalogCodeList.id)))


def link_results(db: Session, dataset_ids: Sequence[str]) -> dict[str, dict[str, bool]]:
    """Per dataset, per distribution: whether its URL answered at the last check (one query)."""
    found: dict[str, dict[str, bool]] = {}
    if not dataset_ids:
        return found
    check = CatalogLinkCheck
    stmt = select(check.dataset_id, check.distribution_id, check.ok)
    if len(dataset_ids) < 500:
        stmt = stmt.where(check.dataset_id.in_(dataset_ids))
    for dataset_id, distribution_id, ok in db.execute(stmt):
        found.setdefault(dataset_id, {})[distribution_id] = ok
    return found


def link_checks(db: Session, dataset_id: str) -> list[CatalogLinkCheck]:
    stmt = select(CatalogLinkCheck).where(CatalogLinkCheck.dataset_id == dataset_id)
    return list(db.scalars(stmt.order_by(CatalogLinkCheck.distribution_id)))


def save_link_check(db: Session, **values: Any) -> None:
    db.merge(CatalogLinkCheck(**values))
