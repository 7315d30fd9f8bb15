"""Address registry: full load on SQLite, index build, normalization throughput and accuracy."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks import support
from tsunagu import migrations
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.registry.addresses import service
from tsunagu.registry.addresses.normalizer.evaluation import evaluate, read_cases

CASES = Path(__file__).resolve().parents[1] / "tests" / "registry" / "addresses" / "data"
RUNS = 5
ROUNDS = 20  # each run normalizes the test set this many times


def main() -> None:
    cases = read_cases(CASES / "normalizer_cases.csv", CASES / "handwritten_cases.csv")
    with tempfile.TemporaryDirectory(prefix="tsunagu-bench-addr-") as workdir:
        database = Database(f"sqlite:///{workdir}/bench.db")
        migrations.upgrade(database.engine)
        started, cpu_started = time.perf_counter(), time.process_time()
        with database.session() as db:
            report = service.load(db, SilentProgress())
        load_s, load_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
        started = time.perf_counter()
        with database.session() as db:
            index = service.normalizer(db)
        index_s = time.perf_counter() - started
        database.dispose()
    assert report is not None
    rates, cpu_rates = [], []
    for _ in range(RUNS):
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(ROUNDS):
            for case in cases:
                index.normalize(case.input)
        rates.append(ROUNDS * len(cases) / (time.perf_counter() - started))
        # CPU time too: on a shared machine the wall clock also counts other processes' turns
        cpu_rates.append(ROUNDS * len(cases) / (time.process_time() - cpu_started))
    evaluation = evaluate(index, cases)
    figures = {
        "towns": report.towns,
        "municipalities": report.municipalities,
        "towns_with_own_postcode": report.towns_with_listed_postcode,
        "towns_with_municipality_postcode": report.towns_with_default_postcode,
        "load_sqlite_s": round(load_s, 2),
        "load_sqlite_cpu_s": round(load_cpu_s, 2),
        "index_build_s": round(index_s, 2),
        "normalize_per_s_median": round(support.median(rates)),
        "normalize_per_s_runs": [round(rate) for rate in rates],
        "normalize_per_cpu_s_median": round(support.median(cpu_rates)),
        "test_set_size": evaluation.total,
        "town_accuracy": round(evaluation.town_accuracy, 4),
        "block_accuracy": round(evaluation.block_accuracy, 4),
    }
    for name, value in figures.items():
        print(f"{name}: {value}")
    support.write("registry_addresses", figures)


if __name__ == "__main__":
    main()
