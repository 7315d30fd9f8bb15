"""Procedure catalogue: load and validate every shipped definition; keyword search latency."""

from __future__ import annotations

import time

from benchmarks import support
from tsunagu.procedures import loader, service
from tsunagu.procedures.registry import LiveRegistry

LOAD_ROUNDS = 30
QUERIES = ["転出", "てんしゅつ", "ﾃﾝｼｭﾂ", "住民票", "児童手当 認定", "moving", "入札", "証明書", "xyz"]
SEARCH_ROUNDS = 500


def main() -> None:
    load_ms: list[float] = []
    for _ in range(LOAD_ROUNDS):
        started = time.perf_counter()
        result = loader.load_directory(loader.SHIPPED_DIR)
        load_ms.append((time.perf_counter() - started) * 1000)
        assert not result.problems, result.problems
    count = len(result.procedures)

    registry = LiveRegistry(loader.SHIPPED_DIR)
    registry.snapshot()
    search_ms: list[float] = []
    for round_number in range(SEARCH_ROUNDS):
        query = QUERIES[round_number % len(QUERIES)]
        life_event = "moving" if round_number % 3 == 0 else None
        started = time.perf_counter()
        service.search(registry, query, life_event)
        search_ms.append((time.perf_counter() - started) * 1000)

    figures = {
        "definitions": count,
        "load_validate_all_ms_median": round(support.median(load_ms), 2),
        "load_validate_per_file_ms_median": round(support.median(load_ms) / count, 2),
        "search_ms_p50": round(support.percentile(search_ms, 0.50), 3),
        "search_ms_p99": round(support.percentile(search_ms, 0.99), 3),
        "searches": SEARCH_ROUNDS,
    }
    print(
        f"load + validate {count} definitions: median {figures['load_validate_all_ms_median']} ms "
        f"({figures['load_validate_per_file_ms_median']} ms per file)"
    )
    print(
        f"search: p50 {figures['search_ms_p50']} ms, p99 {figures['search_ms_p99']} ms "
        f"over {SEARCH_ROUNDS} queries"
    )
    support.write("procedures_catalog", figures)


if __name__ == "__main__":
    main()
