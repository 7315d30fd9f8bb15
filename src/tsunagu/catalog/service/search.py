"""Finding datasets (データセットの検索): words (kana/width-insensitive, through the bigram
index of ``catalog.store``), facets (publisher, theme, format, licence), a sort and a page.

One query for the page, one for the total and one for the counts of every facet, whatever the
page size: nothing is read per result (CKAN's catalog.data.gov went from 1 s to 40 s that way).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from tsunagu.catalog import store
from tsunagu.catalog.definitions import Catalog, Dataset, Distribution, Text
from tsunagu.catalog.service.common import (
    FORMATS,
    DatasetNotFound,
    DistributionNotFound,
    UnknownFilter,
    catalog,
    fold,
)
from tsunagu.core.clock import JST

__all__ = [
    "FACETS",
    "FacetItem",
    "FacetName",
    "Filters",
    "SearchResult",
    "Sort",
    "catalog_modified",
    "facet_label",
    "facet_terms",
    "index_text",
    "keywords",
    "published_by_publisher",
    "published_datasets",
    "published_ids",
    "require_dataset",
    "require_distribution",
    "search",
]

FacetName = Literal["publisher", "theme", "format", "license"]
FACETS: tuple[FacetName, ...] = ("publisher", "theme", "format", "license")
Sort = store.Sort


def index_text(dataset: Dataset, cat: Catalog | None = None) -> str:
    """What a dataset is found by, folded: its titles, descriptions, keywords and their kana
    readings, coverage, publisher, themes and distributions (one field a line)."""
    v = (cat or catalog()).vocabularies
    parts = [
        dataset.title.ja,
        dataset.title.en,
        dataset.description.ja,
        dataset.description.en,
        *dataset.keywords.ja,
        *dataset.keywords.en,
        *dataset.readings,
        dataset.spatial.ja,
        dataset.spatial.en,
        v.publishers[dataset.publisher].name.ja,
        v.publishers[dataset.publisher].name.en,
        *(v.themes[t].ja for t in dataset.themes),
        *(v.themes[t].en for t in dataset.themes),
        *(d.title.ja for d in dataset.distributions),
        *(d.format for d in dataset.distributions),
    ]
    return fold("\n".join(parts))


def facet_terms(dataset: Dataset) -> Iterable[tuple[str, str]]:
    """The (facet, value) rows a dataset is filtered and counted by; ``keyword`` for CKAN's tags."""
    yield "publisher", dataset.publisher
    yield "license", dataset.license
    yield from (("theme", t) for t in dataset.themes)
    yield from (("format", f) for f in dataset.formats)
    yield from (("keyword", k) for k in (*dataset.keywords.ja, *dataset.keywords.en))


@dataclass(frozen=True)
class Filters:
    q: str = ""
    publisher: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()
    format: tuple[str, ...] = ()
    license: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # keywords matched exactly (CKAN's ``tags:`` filter)

    def of(self, name: FacetName) -> tuple[str, ...]:
        return tuple(getattr(self, name))


@dataclass(frozen=True)
class FacetItem:
    value: str
    label: Text
    count: int
    selected: bool


@dataclass(frozen=True)
class SearchResult:
    datasets: list[Dataset]  # the requested page
    total: int
    facets: dict[str, list[FacetItem]] = field(default_factory=dict)
    keywords: dict[str, int] = field(default_factory=dict)  # counted only when asked (CKAN's tags)


def facet_label(name: FacetName, value: str, cat: Catalog | None = None) -> Text:
    v = (cat or catalog()).vocabularies
    if name == "publisher":
        return v.publishers[value].name
    if name == "theme":
        return v.themes[value]
    if name == "license":
        return v.licenses[value].title
    return Text(ja=value, en=value)


def _known(cat: Catalog) -> dict[FacetName, Collection[str]]:
    v = cat.vocabularies
    return {"publisher": v.publishers, "theme": v.themes, "license": v.licenses, "format": FORMATS}


def _check_filters(filters: Filters, cat: Catalog) -> None:
    known = _known(cat)
    errors = [
        {"field": name, "value": value, "message": f"unknown {name} {value!r}"}
        for name in FACETS
        for value in filters.of(name)
        if value not in known[name]
    ]
    if errors:
        raise UnknownFilter("; ".join(e["message"] for e in errors), errors=errors)


def search(
    db: Session,
    filters: Filters,
    *,
    limit: int,
    offset: int,
    strict: bool = True,
    sort: Sort = "title",
    count_keywords: bool = False,
) -> SearchResult:
    """Published datasets whose text holds every word of ``q`` (kana/width-insensitive) and that
    match every facet filter (values of one facet are alternatives), open data first then by
    title (or newest first), with the facet counts of the matching datasets. ``strict`` refuses
    unknown facet values (our API); CKAN's API answers them with no match."""
    cat = catalog()
    if strict:
        _check_filters(filters, cat)
    words = [w for w in fold(filters.q).split() if w]
    ids = store.matching(words, {name: filters.of(name) for name in FACETS}, filters.tags)
    documents = store.page(db, ids, sort, limit, offset)
    kinds = [*FACETS, "keyword"] if count_keywords else list(FACETS)
    counted = store.facet_counts(db, ids, kinds)
    known = _known(cat)
    facets: dict[str, list[FacetItem]] = {}
    for name in FACETS:
        counter = {value: n for value, n in counted[name].items() if value in known[name]}
        for value in filters.of(name):
            if value in known[name]:
                counter.setdefault(value, 0)
        facets[name] = [
            FacetItem(value, facet_label(name, value, cat), n, value in filters.of(name))
            for value, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    return SearchResult(
        [Dataset.model_validate_json(d) for d in documents],
        store.total(db, ids),
        facets,
        counted.get("keyword", {}),
    )


def published_datasets(db: Session, publisher: str | None = None) -> list[Dataset]:
    """Every published dataset (of one publisher), by id."""
    return [Dataset.model_validate_json(d) for d in store.published_documents(db, publisher)]


def published_ids(db: Session) -> list[str]:
    return store.published_ids(db)


def published_by_publisher(db: Session) -> dict[str, int]:
    """How many published datasets each publisher has (publishers without any are absent)."""
    return store.published_by_publisher(db)


def keywords(db: Session) -> list[str]:
    """Every keyword of a published dataset (CKAN's tag_list)."""
    return store.keywords(db)


def catalog_modified(db: Session) -> date:
    """The day of the catalog's last change: any dataset's modification, or any change written,
    published or withdrawn in the console (Japan's calendar)."""
    days = [store.latest_modified(db)]
    changed = store.last_change(db)
    if changed is not None:
        days.append(changed.astimezone(JST).date())
    found = [d for d in days if d is not None]
    return max(found) if found else date(2026, 4, 1)


def require_dataset(db: Session, dataset_id: str) -> Dataset:
    """A published dataset (a draft or a withdrawn one is not found by the public)."""
    row = store.get(db, dataset_id)
    if row is None or row.status != store.PUBLISHED:
        raise DatasetNotFound(f"no dataset {dataset_id!r} in the catalog", dataset_id=dataset_id)
    return Dataset.model_validate_json(row.document)


def require_distribution(dataset: Dataset, distribution_id: str) -> Distribution:
    found = dataset.distribution(distribution_id)
    if found is None:
        raise DistributionNotFound(
            f"dataset {dataset.id!r} has no distribution {distribution_id!r}",
            dataset_id=dataset.id,
            distribution_id=distribution_id,
        )
    return found
