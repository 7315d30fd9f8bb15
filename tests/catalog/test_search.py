"""The catalog's search from the database: the bigram index finds exactly what a plain scan of the
folded text finds (kana, width and case folded on both sides), facets count the matches, pages and
sorts hold, and a page costs the same few queries whatever its size (no per-result queries)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from tsunagu.catalog import service
from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal

STAFF = Principal(
    kind="staff", subject_id="chiyoda.publisher", organization_code="131016", roles=frozenset({"公開"})
)
# names of the 自治体標準オープンデータセット (デジタル庁), with readings as a publisher writes them
TOPICS = (
    ("AED設置場所一覧", "えーいーでぃーせっちばしょ"),
    ("指定緊急避難場所一覧", "していきんきゅうひなんばしょ"),
    ("避難所一覧", "ひなんじょ"),
    ("公衆無線LANアクセスポイント一覧", "こうしゅうむせんらん"),
    ("子育て施設一覧", "こそだてしせつ"),
    ("地域・年齢別人口", "ねんれいべつじんこう"),
    ("ごみ分別辞典", "ごみぶんべつ"),
)
AREAS = ("千代田区", "神田", "麹町", "秋葉原")
QUERIES = (
    "避難",
    "ひなんじょ",
    "ヒナンジョ",
    "ﾋﾅﾝｼﾞｮ",
    "ＡＥＤ",
    "aed 神田",
    "Wi",
    "LAN",
    "子",  # one character: no gram, the folded text alone
    "人口 秋葉原",
    "一覧 千代田区",
    "ごみ",
    "宇宙",
    "%",  # LIKE's wildcard is a plain character here
)


def _dataset(n: int, topic: tuple[str, str], area: str) -> dict[str, Any]:
    name, reading = topic
    return {
        "id": f"chiyoda-{n:03d}",
        "title": {"ja": f"{name}（{area}）", "en": f"Open data {n}"},
        "description": {"ja": f"{area}の{name}です。", "en": "Standard municipal open data."},
        "publisher": "chiyoda",
        "legal_basis": [{"ja": "官民データ活用推進基本法第11条", "en": "Basic Act, Article 11"}],
        "license": ["cc-by-4.0", "pdl-1.0"][n % 2],
        "frequency": "IRREG",
        "spatial": {"ja": area, "en": area},
        "themes": [["GOVE"], ["SOCI", "REGI"], ["TECH"]][n % 3],
        "keywords": {"ja": [name, area], "en": ["open data"]},
        "readings": [reading],
        "contact": {"name": {"ja": "千代田区 情報政策課", "en": "Chiyoda City"}, "email": "it@example.lg.jp"},
        "access": "open",
        "distributions": [
            {
                "id": f.lower(),
                "title": {"ja": f"{name}（{f}）", "en": f},
                "format": f,
                "url": f"https://example.lg.jp/{n}.{f}",
            }
            for f in (["CSV"], ["JSON", "API"], ["CSV", "JSON"])[n % 3]
        ],
    }


@pytest.fixture
def published(database: Database) -> list[service.Dataset]:
    with database.session() as db:
        for n, (topic, area) in enumerate(itertools.product(TOPICS, AREAS)):
            service.create_dataset(db, STAFF, _dataset(n, topic, area))
            service.publish_dataset(db, STAFF, f"chiyoda-{n:03d}")
        return service.published_datasets(db)


def _scan(datasets: list[service.Dataset], q: str, **facets: tuple[str, ...]) -> set[str]:
    words = service.fold(q).split()
    found = set()
    for d in datasets:
        terms = set(service.facet_terms(d))
        if all(w in service.index_text(d) for w in words) and all(
            any((name, v) in terms for v in wanted) for name, wanted in facets.items()
        ):
            found.add(d.id)
    return found


@pytest.mark.parametrize("q", QUERIES)
def test_the_index_finds_what_a_scan_finds(
    database: Database, published: list[service.Dataset], q: str
) -> None:
    expected = _scan(published, q)
    with database.session() as db:
        found = service.search(db, service.Filters(q=q), limit=1000, offset=0)
    assert {d.id for d in found.datasets} == expected and found.total == len(expected)
    assert q in ("宇宙", "%") or expected  # the queries find something (but for the two that must not)


def test_facets_filter_and_count_the_matches(database: Database, published: list[service.Dataset]) -> None:
    with database.session() as db:
        found = service.search(
            db, service.Filters(q="一覧", format=("CSV",), theme=("GOVE", "TECH")), limit=1000, offset=0
        )
    expected = _scan(published, "一覧", format=("CSV",), theme=("GOVE", "TECH"))
    assert {d.id for d in found.datasets} == expected
    licences = {f.value: f.count for f in found.facets["license"]}
    assert sum(licences.values()) == len(expected)
    formats = {f.value: (f.count, f.selected) for f in found.facets["format"]}
    assert formats["CSV"] == (len(expected), True)


def test_pages_and_sorts(database: Database, published: list[service.Dataset]) -> None:
    with database.session() as db:
        every = service.search(db, service.Filters(q="千代田区"), limit=1000, offset=0).datasets
        pages = [
            service.search(db, service.Filters(q="千代田区"), limit=2, offset=o).datasets for o in (0, 2, 4)
        ]
        newest = service.search(db, service.Filters(), limit=3, offset=0, sort="modified").datasets
    assert [d.id for page in pages for d in page] == [d.id for d in every[:6]]
    assert [d.title.ja for d in every] == sorted(d.title.ja for d in every)
    assert all(d.modified >= newest[-1].modified for d in newest)


@pytest.fixture
def statements(database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    yield seen
    event.remove(database.engine, "before_cursor_execute", count)


def test_a_page_costs_the_same_queries_whatever_its_size(
    database: Database, published: list[service.Dataset], statements: list[str]
) -> None:
    costs = []
    for limit in (1, 28):
        with database.session() as db:
            statements.clear()
            found = service.search(
                db, service.Filters(q="一覧", license=("cc-by-4.0",)), limit=limit, offset=0
            )
            assert len(found.datasets) == min(limit, found.total)
            costs.append(len([s for s in statements if s.lstrip().upper().startswith("SELECT")]))
    assert costs[0] == costs[1] <= 3, costs  # the page, the total, every facet's counts
