"""Catalog search over many datasets: p50/p95 of one package_search-shaped search (a Japanese
query, two facet filters, a page of 20 with the facet counts) through ``catalog.service.search``,
on SQLite and PostgreSQL, against a raw baseline in the same run: the same search with the words
matched by a plain ``LIKE '%…%'`` scan of the folded text instead of the bigram index (the page,
total and facet queries are the same).

The datasets are synthetic but shaped like municipal open data: the Digital Agency's
自治体標準オープンデータセット names (AED設置場所一覧, 指定緊急避難場所一覧…) for each prefecture
and year, with kana readings, spread over the catalog's publishers, themes, formats and licences.
They are written straight into the tables (with their grams and facet rows), as the publishing use
case writes one. Default 3,000 datasets (about a minute); ``--datasets 100000`` is the issue's
figure. PostgreSQL is a throwaway cluster (tests/postgres_cluster.py) or
``TSUNAGU_TEST_POSTGRES_URL``; ``--no-postgres`` skips it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from benchmarks import support
from tsunagu import migrations
from tsunagu.catalog import codelists, service, store
from tsunagu.catalog.definitions import Dataset
from tsunagu.catalog.models import CatalogDataset, CatalogDatasetTerm, CatalogSearchGram
from tsunagu.core.database import Database

# 自治体標準オープンデータセット (デジタル庁) names, with their readings
TOPICS = (
    ("AED設置場所一覧", "えーいーでぃーせっちばしょいちらん", "AED locations"),
    ("介護サービス事業所一覧", "かいごさーびすじぎょうしょいちらん", "Care service providers"),
    ("医療機関一覧", "いりょうきかんいちらん", "Medical institutions"),
    ("文化財一覧", "ぶんかざいいちらん", "Cultural properties"),
    ("観光施設一覧", "かんこうしせついちらん", "Tourist facilities"),
    ("イベント一覧", "いべんといちらん", "Events"),
    ("公衆無線LANアクセスポイント一覧", "こうしゅうむせんらん", "Public Wi-Fi access points"),
    ("公衆トイレ一覧", "こうしゅうといれいちらん", "Public toilets"),
    ("消防水利施設一覧", "しょうぼうすいりしせついちらん", "Fire water supply points"),
    ("指定緊急避難場所一覧", "していきんきゅうひなんばしょいちらん", "Designated emergency evacuation sites"),
    ("地域・年齢別人口", "ちいきねんれいべつじんこう", "Population by area and age"),
    ("子育て施設一覧", "こそだてしせついちらん", "Childcare facilities"),
    ("オープンデータ一覧", "おーぷんでーたいちらん", "Open data list"),
    ("公共施設一覧", "こうきょうしせついちらん", "Public facilities"),
    ("食品等営業許可・届出一覧", "しょくひんえいぎょうきょか", "Food business permits"),
    ("学校給食献立情報", "がっこうきゅうしょくこんだて", "School lunch menus"),
    ("ごみ分別辞典", "ごみぶんべつじてん", "Waste sorting guide"),
    ("支援制度情報", "しえんせいどじょうほう", "Support schemes"),
    ("小中学校通学区域情報", "しょうちゅうがっこうつうがくくいき", "School districts"),
    ("避難所一覧", "ひなんじょいちらん", "Evacuation shelters"),
)
QUERIES = ("避難所", "ひなんじょ", "ＡＥＤ", "子育て 施設", "じんこう")
FACETS = {"publisher": ("municipalities",), "format": ("CSV",)}
BATCH = 2_000


def _datasets(count: int, seed: int) -> Iterator[Dataset]:
    cat = service.catalog()
    v = cat.vocabularies
    prefectures = [c.label.ja for c in codelists.code_list("prefecture").codes]
    publishers, themes, licences = sorted(v.publishers), sorted(v.themes), ["cc-by-4.0", "pdl-1.0"]
    chance = random.Random(seed)
    for n in range(count):
        topic, reading, english = TOPICS[n % len(TOPICS)]
        prefecture = prefectures[(n // len(TOPICS)) % len(prefectures)]
        year = 2019 + (n // (len(TOPICS) * len(prefectures))) % 8
        formats = chance.sample(["CSV", "JSON", "API"], chance.randint(1, 2))
        yield Dataset.model_validate(
            {
                "id": f"bench-{n:06d}",
                "title": {
                    "ja": f"{prefecture} {topic}（{year}年度）",
                    "en": f"{english} ({prefecture}, FY{year})",
                },
                "description": {
                    "ja": f"{prefecture}内の{topic}です。自治体標準オープンデータセットの項目に沿います。",
                    "en": f"{english} in {prefecture}, following the standard municipal open data sets.",
                },
                "publisher": chance.choice(publishers),
                "legal_basis": [{"ja": "官民データ活用推進基本法第11条", "en": "Basic Act, Article 11"}],
                "license": chance.choice(licences),
                "frequency": "IRREG",
                "modified": date(year, 4, 1).isoformat(),
                "spatial": {"ja": prefecture, "en": prefecture},
                "themes": chance.sample(themes, 2),
                "keywords": {"ja": [topic, prefecture], "en": [english]},
                "readings": [reading],
                "contact": {"name": {"ja": "担当課", "en": "Office"}, "email": "opendata@example.lg.jp"},
                "access": "open",
                "distributions": [
                    {
                        "id": f.lower(),
                        "title": {"ja": f"{topic}（{f}）", "en": f"{english} ({f})"},
                        "format": f,
                        "url": f"https://opendata.example.lg.jp/{n}.{f.lower()}",
                    }
                    for f in formats
                ],
            }
        )


def load(database: Database, count: int) -> float:
    """Write ``count`` published datasets with their index rows; seconds taken."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    grams: list[dict[str, Any]] = []
    terms: list[dict[str, Any]] = []

    def flush() -> None:
        with database.session() as db:
            db.execute(insert(CatalogDataset), rows)
            db.execute(insert(CatalogSearchGram), grams)
            db.execute(insert(CatalogDatasetTerm), terms)
        rows.clear(), grams.clear(), terms.clear()

    for dataset in _datasets(count, seed=1):
        folded = service.index_text(dataset)
        rows.append(
            {
                "id": dataset.id,
                "publisher": dataset.publisher,
                "status": "published",
                "origin": "console",
                "access": dataset.access,
                "title_ja": dataset.title.ja,
                "modified": dataset.modified,
                "document": dataset.model_dump_json(),
                "draft_document": None,
                "search_text": folded,
                "version": 1,
                "updated_at": now,
            }
        )
        grams += [{"gram": g, "dataset_id": dataset.id} for g in store.grams(folded)]
        terms += [
            {"dataset_id": dataset.id, "kind": k, "value": v} for k, v in set(service.facet_terms(dataset))
        ]
        if len(rows) >= BATCH:
            flush()
    if rows:
        flush()
    with database.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def _like_ids(words: list[str], facets: dict[str, tuple[str, ...]]) -> Any:
    """The baseline: the same filters, each word by a LIKE scan of the folded text."""
    stmt = store.matching([], dict(facets))
    for word in words:
        stmt = stmt.where(CatalogDataset.search_text.contains(word, autoescape=True))
    return stmt


def _timed(
    database: Database, indexed: bool, q: str, facets: dict[str, tuple[str, ...]]
) -> tuple[float, int]:
    started = time.perf_counter()
    with database.session() as db:
        if indexed:
            found = service.search(db, service.Filters(q=q, **facets), limit=20, offset=0, sort="title")
            total = found.total
        else:
            ids = _like_ids([w for w in service.fold(q).split() if w], facets)
            [Dataset.model_validate_json(d) for d in store.page(db, ids, "title", 20, 0)]
            total = store.total(db, ids)
            store.facet_counts(db, ids, service.FACETS)
    return time.perf_counter() - started, total


def measure(database: Database, rounds: int, facets: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for label, indexed in (("bigram_index", True), ("like_scan", False)):
        samples: list[float] = []
        totals: dict[str, int] = {}
        for q in QUERIES:
            _timed(database, indexed, q, facets)  # warm the cache once per query
        for _ in range(rounds):
            for q in QUERIES:
                seconds, totals[q] = _timed(database, indexed, q, facets)
                samples.append(seconds)
        figures[label] = {
            "searches": len(samples),
            "p50_ms": round(support.percentile(samples, 0.5) * 1000, 1),
            "p95_ms": round(support.percentile(samples, 0.95) * 1000, 1),
            "matches": totals,
        }
    assert figures["bigram_index"]["matches"] == figures["like_scan"]["matches"], "the two disagree"
    figures["p95_like_over_index"] = round(
        figures["like_scan"]["p95_ms"] / figures["bigram_index"]["p95_ms"], 1
    )
    return figures


def run(backend: str, url: str, count: int, rounds: int) -> dict[str, Any]:
    database = Database(url)
    migrations.upgrade(database.engine)
    with database.session() as db:
        grams = db.scalar(select(CatalogSearchGram.gram).limit(1))
    if grams is not None:
        raise SystemExit(f"{backend}: the benchmark needs an empty catalog")
    loaded = load(database, count)
    with database.session() as db:
        gram_rows = db.scalar(select(func.count()).select_from(CatalogSearchGram)) or 0
    figures = {"backend": backend, "datasets": count, "gram_rows": gram_rows, "load_s": round(loaded, 1)}
    figures["with_two_facets"] = measure(database, rounds, FACETS)  # the shape
    figures["words_only"] = measure(database, rounds, {})  # where the index has the most to do
    database.dispose()
    for shape in ("with_two_facets", "words_only"):
        found = figures[shape]
        print(
            f"[{backend}] {count:,} datasets ({gram_rows:,} gram rows, loaded in {figures['load_s']} s), "
            f"{shape.replace('_', ' ')}: search p50 {found['bigram_index']['p50_ms']} ms, "
            f"p95 {found['bigram_index']['p95_ms']} ms; LIKE scan p95 {found['like_scan']['p95_ms']} ms "
            f"(×{found['p95_like_over_index']})",
            flush=True,
        )
    return figures


@contextlib.contextmanager
def _postgres(skip: bool) -> Iterator[str | None]:
    if skip:
        yield None
        return
    if os.environ.get("TSUNAGU_TEST_POSTGRES_URL"):
        yield os.environ["TSUNAGU_TEST_POSTGRES_URL"]
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.postgres_cluster import throwaway_cluster

    with throwaway_cluster() as url:
        yield url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.catalog_search", add_help=False)
    parser.add_argument("--datasets", type=int, default=3_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--no-postgres", action="store_true")
    known, _ = parser.parse_known_args(argv if argv is not None else sys.argv[1:])
    runs = []
    with tempfile.TemporaryDirectory(prefix="tsunagu-bench-search-") as workdir:
        runs.append(run("sqlite", f"sqlite:///{workdir}/bench.db", known.datasets, known.rounds))
        with _postgres(known.no_postgres) as url:
            if url:
                runs.append(run("postgresql", url, known.datasets, known.rounds))
            else:
                print("the PostgreSQL run is skipped (--no-postgres, or PostgreSQL is not installed)")
    support.write(
        "catalog_search",
        {
            "query": {"q": list(QUERIES), **{k: list(v) for k, v in FACETS.items()}, "rows": 20},
            "runs": runs,
            "load_average_1m": round(os.getloadavg()[0], 1),
            "cores": os.cpu_count(),
        },
    )


if __name__ == "__main__":
    main(sys.argv[1:])
