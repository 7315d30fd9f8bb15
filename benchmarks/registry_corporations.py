"""Import throughput of a 100,000-row NTA 法人番号 file on SQLite (check pass + write pass)."""

from __future__ import annotations

import itertools
import tempfile
import time
from pathlib import Path

from benchmarks import support
from tsunagu import migrations
from tsunagu.core.database import Database
from tsunagu.registry.corporations import generator, nta_format, service

ROWS = 100_000


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tsunagu-bench-corp-") as workdir:
        path = Path(workdir) / "diff_100k.csv"
        # ~1.4 published rows per corporation; cut the stream at exactly ROWS rows.
        written = nta_format.write(path, itertools.islice(generator.corporations(ROWS, seed=1), ROWS))
        size_mb = round(path.stat().st_size / 1e6, 1)
        database = Database(f"sqlite:///{workdir}/bench.db")
        migrations.upgrade(database.engine)
        started = time.perf_counter()
        with database.session() as db:
            report = service.import_file(db, path)
        first = time.perf_counter() - started
        started = time.perf_counter()
        with database.session() as db:
            again = service.import_file(db, path)
        second = time.perf_counter() - started
        database.dispose()
    figures = {
        "rows": written,
        "file_mb": size_mb,
        "corporations_created": report.created,
        "history_rows": report.history_added,
        "first_import_s": round(first, 2),
        "first_import_rows_per_s": round(written / first),
        "reimport_s": round(second, 2),
        "reimport_rows_per_s": round(written / second),
        "reimport_history_added": again.history_added,
    }
    for key, value in figures.items():
        print(f"{key:>28}: {value}")
    support.write("registry_corporations", figures)


if __name__ == "__main__":
    main()
