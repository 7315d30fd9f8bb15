"""Import throughput of a 100,000-row NTA 法人番号 file (one pass: check + write), then a re-import.

Runs on SQLite and, when a server is available (``TSUNAGU_BENCH_POSTGRES_URL`` or a throwaway
local cluster), on PostgreSQL. The address registry is loaded first (not timed) so that every
corporation is linked to its 全国地方公共団体コード as in production. Wall and CPU time are
both reported: on a shared machine the wall time says as much about the neighbours as the code.
Target: ≥ 10,000 rows/s.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks import support
from benchmarks.registry_residents import postgres_database
from tsunagu import migrations
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.corporations import generator, nta_format, service

ROWS = 100_000


def _timed_import(
    database: Database, path: Path, rows: int, label: str
) -> tuple[service.ImportReport, dict[str, Any]]:
    load_before = os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    with database.session() as db:
        report = service.import_file(db, path)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return report, {
        f"{label}_s": round(wall, 2),
        f"{label}_rows_per_s": round(rows / wall),
        f"{label}_cpu_us_per_row": round(cpu / rows * 1e6, 1),
        f"{label}_rows_per_cpu_s": round(rows / cpu),
        f"{label}_load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def import_figures(database: Database, path: Path, rows: int) -> dict[str, Any]:
    migrations.upgrade(database.engine)
    with database.session() as db:
        addresses.load(db, SilentProgress())
    report, first = _timed_import(database, path, rows, "first_import")
    again, second = _timed_import(database, path, rows, "reimport")
    return {
        "corporations_created": report.created,
        "history_rows": report.history_added,
        "linked_to_municipality": report.linked,
        "unknown_municipality_lines": report.unknown_municipality_lines,
        **first,
        **second,
        "reimport_history_added": again.history_added,
    }


def main() -> None:
    figures: dict[str, Any] = {"load_average": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="tsunagu-bench-corp-") as workdir:
        path = Path(workdir) / "diff_100k.csv"
        # ~1.4 published rows per corporation; cut the stream at exactly ROWS rows.
        written = nta_format.write(path, itertools.islice(generator.corporations(ROWS, seed=1), ROWS))
        figures |= {"rows": written, "file_mb": round(path.stat().st_size / 1e6, 1)}
        sqlite = Database(f"sqlite:///{workdir}/bench.db")
        figures["sqlite"] = import_figures(sqlite, path, written)
        sqlite.dispose()
        print("sqlite:", figures["sqlite"], flush=True)
        with ExitStack() as stack:
            postgres = postgres_database(stack)
            if postgres is None:
                figures["postgresql"] = "skipped: no TSUNAGU_BENCH_POSTGRES_URL and no local PostgreSQL"
            else:
                figures["postgresql"] = import_figures(postgres, path, written)
            print("postgresql:", figures["postgresql"], flush=True)
    figures["targets"] = {"import_rows_per_s": 10_000}
    support.write("registry_corporations", figures)


if __name__ == "__main__":
    main()
