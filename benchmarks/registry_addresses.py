"""Address registry: full load on SQLite, index build, normalization throughput and accuracy.

Accuracy is measured on addresses written by people (``tests/registry/addresses/data``): 6,083
public facilities as Japan Post lists them, with Kyoto 通り名 (``make_realworld_cases.py``), and 244
from public facility lists (``make_facility_cases.py``), at municipality and town level and for each
written form; the project's own older set (356) is kept for the block level.
Throughput is per CPU second of one process (one core) over the real-world set; the first call
is timed in fresh processes, on a loaded database and on a database without the registry (the
shipped-data fallback).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import support
from tsunagu import migrations
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.registry.addresses import service
from tsunagu.registry.addresses.normalizer.evaluation import (
    evaluate,
    evaluate_levels,
    read_cases,
    read_realworld_cases,
)

CASES = Path(__file__).resolve().parents[1] / "tests" / "registry" / "addresses" / "data"
RUNS = 5
ROUNDS = 3  # each run normalizes the real-world set this many times

FIRST_CALL = """
import sys, time
started = time.perf_counter()
from tsunagu.core.database import Database
from tsunagu.registry.addresses import service
imported = time.perf_counter()
database = Database(sys.argv[1])
with database.session() as db:
    result = service.normalize(db, "京都市中京区寺町通御池上る上本能寺前町488番地")
first = time.perf_counter()
with database.session() as db:
    service.normalize(db, "札幌市北区東茨戸1-2-314")
second = time.perf_counter()
assert result.level == "block", result
print(imported - started, first - imported, second - first)
"""


def _first_call(url: str) -> tuple[float, float, float]:
    """(import s, first call s, second call s) in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", FIRST_CALL, url], check=True, capture_output=True, text=True)
    imported, first, second = (float(x) for x in done.stdout.strip().splitlines()[-1].split())
    return imported, first, second


def main() -> None:
    real_world = read_realworld_cases(CASES / "realworld_cases.csv.gz")
    facilities = read_realworld_cases(CASES / "facility_cases.csv")
    own = read_cases(CASES / "normalizer_cases.csv", CASES / "handwritten_cases.csv")
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
        fresh_loaded = _first_call(f"sqlite:///{workdir}/bench.db")
        fresh_empty = _first_call(f"sqlite:///{workdir}/never-migrated.db")
    assert report is not None
    texts = [case.input for case in real_world]
    rates, cpu_rates = [], []
    for _ in range(RUNS):
        started, cpu_started = time.perf_counter(), time.process_time()
        for _ in range(ROUNDS):
            for text in texts:
                index.normalize(text)
        rates.append(ROUNDS * len(texts) / (time.perf_counter() - started))
        # CPU time too: on a shared machine the wall clock also counts other processes' turns
        cpu_rates.append(ROUNDS * len(texts) / (time.process_time() - cpu_started))
    levels = evaluate_levels(index, real_world)
    listed = evaluate_levels(index, facilities)
    own_set = evaluate(index, own)
    figures = {
        "towns": report.towns,
        "municipalities": report.municipalities,
        "towns_with_own_postcode": report.towns_with_listed_postcode,
        "towns_with_municipality_postcode": report.towns_with_default_postcode,
        "load_sqlite_s": round(load_s, 2),
        "load_sqlite_cpu_s": round(load_cpu_s, 2),
        "index_build_s": round(index_s, 2),
        "fresh_process_import_s": round(fresh_loaded[0], 2),
        "fresh_process_first_call_s": round(fresh_loaded[1], 2),
        "fresh_process_second_call_ms": round(fresh_loaded[2] * 1000, 2),
        "fresh_install_first_call_s": round(fresh_empty[1], 2),
        "normalize_per_s_median": round(support.median(rates)),
        "normalize_per_s_runs": [round(rate) for rate in rates],
        "normalize_per_cpu_s_median": round(support.median(cpu_rates)),
        "real_world_set": levels.overall.as_dict(),
        "real_world_by_form": {form: tally.as_dict() for form, tally in sorted(levels.by_form.items())},
        "real_world_misses": [f"{case.input} → {found.level}" for case, found in levels.misses[:20]],
        "facility_list_set": listed.overall.as_dict(),
        "facility_list_by_form": {form: tally.as_dict() for form, tally in sorted(listed.by_form.items())},
        "own_set_size": own_set.total,
        "own_set_town_accuracy": round(own_set.town_accuracy, 4),
        "own_set_block_accuracy": round(own_set.block_accuracy, 4),
    }
    for name, value in figures.items():
        print(f"{name}: {value}")
    support.write("registry_addresses", figures)


if __name__ == "__main__":
    main()
