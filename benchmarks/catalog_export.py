"""Open-data export: the 277,676-town address file and 100,000 corporations streamed as CSV
(``catalog.service.csv_stream``), on SQLite: seconds, MB/s, and the peak of Python memory
allocated while streaming (tracemalloc, a second pass), which stays flat when rows are streamed.

The registries are loaded first (not timed): the real address data, then 100,000 synthetic
corporations. Wall and CPU time are both reported (a shared machine).
"""

from __future__ import annotations

import os
import tempfile
import time
import tracemalloc
from typing import Any

from benchmarks import support
from tsunagu import migrations
from tsunagu.catalog import service
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.corporations import service as corporations

CORPORATIONS = 100_000


def _export(database: Database, table: str) -> dict[str, Any]:
    stream = service.TABLES[table]
    started, cpu_started = time.perf_counter(), time.process_time()
    size = rows = 0
    for chunk in service.csv_stream(database, stream, lambda: []):
        size += len(chunk)
        rows += chunk.count(b"\r\n")
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    tracemalloc.start()
    for _chunk in service.csv_stream(database, stream, lambda: []):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "rows": rows - 1,
        "mb": round(size / 1e6, 1),
        "s": round(wall, 2),
        "mb_per_s": round(size / 1e6 / wall, 1),
        "rows_per_s": round((rows - 1) / wall),
        "cpu_s": round(cpu, 2),
        "peak_python_mb": round(peak / 1e6, 1),
    }


def main() -> None:
    figures: dict[str, Any] = {"load_average": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="tsunagu-bench-export-") as workdir:
        database = Database(f"sqlite:///{workdir}/bench.db")
        migrations.upgrade(database.engine)
        with database.session() as db:
            addresses.load(db, SilentProgress())
            corporations.load_synthetic(db, CORPORATIONS, seed=1)
        figures["towns"] = _export(database, "address-towns")
        print("towns.csv:", figures["towns"], flush=True)
        figures["corporations"] = _export(database, "corporations")
        print("corporations.csv:", figures["corporations"], flush=True)
        database.dispose()
    support.write("catalog_export", figures)


if __name__ == "__main__":
    main()
