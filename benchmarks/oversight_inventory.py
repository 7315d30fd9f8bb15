"""Procedure inventory: import of a 75,000-row survey file (CSV and .xlsx) against the raw read of
the same file, and the dashboard's server time with five survey years and 2,000 systems.

``OVERSIGHT_BENCH_ROWS`` (default 75,000, the size of the real survey) and ``OVERSIGHT_BENCH_YEARS``
(default 5) shrink it for a quick look.
"""

from __future__ import annotations

import csv
import io
import os
import random
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from python_calamine import CalamineWorkbook
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from benchmarks import support
from tsunagu import migrations
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.core.settings import Settings
from tsunagu.oversight import costs, generator, inventory, layouts
from tsunagu.oversight.models import OversightInventoryProcedure
from tsunagu.web.app import create_app

ROWS = int(os.environ.get("OVERSIGHT_BENCH_ROWS", generator.SURVEY_ROWS))
YEARS = int(os.environ.get("OVERSIGHT_BENCH_YEARS", "5"))
SYSTEMS = 2000
REQUESTS = 40
#: words people type into the inventory search: common, rare, a law, kana in the other script
SEARCH_WORDS = ("届出", "許可の申請", "道路運送車両法", "とどけで", "ﾊﾟｽﾎﾟｰﾄ", "変更 届出")
PAGES = (
    "/dashboard",
    "/dashboard?ministry=厚生労働省",
    "/inventory?q=届出&online_status=1",
    "/inventory?life_event=引越し",
    "/api/v1/oversight/inventory/kpis",
    "/api/v1/oversight/inventory/pareto?top=50",
)


def _systems_csv(count: int) -> bytes:
    """``count`` systems of the 26 ministries with six fiscal years of costs each."""
    handle = io.StringIO(newline="")
    writer = csv.writer(handle)
    writer.writerow(costs.COLUMNS)
    rng = random.Random(7)  # synthetic benchmark data
    for n in range(count):
        ministry = layouts.MINISTRIES[n % len(layouts.MINISTRIES)]
        base = rng.randint(10, 900) * 1000
        for year in range(2020, 2026):
            value = round(base * (1 - 0.05 * (year - 2020) * rng.random()))
            writer.writerow(
                [
                    f"s{n:05d}",
                    ministry,
                    "国",
                    f"システム{n}",
                    "",
                    "",
                    "未移行",
                    "",
                    "",
                    year,
                    value,
                    value // 3,
                    value // 4,
                ]
            )
    return handle.getvalue().encode("utf-8")


def _import(database: Database, name: str, data: bytes, year: int) -> float:
    started = time.perf_counter()
    with database.session() as db:
        inventory.import_inventory(db, name, data, actor="bench", survey_year=year, progress=SilentProgress())
    return time.perf_counter() - started


def _scan_search(db: Session, year: int, q: str) -> int:
    """The search as it was before the index: LIKE over every name and law of the year, as the
    page asks it (the count, then the first page by volume)."""
    table = OversightInventoryProcedure
    where = [table.survey_year == year] + [
        or_(table.name.contains(w, autoescape=True), table.law_name.contains(w, autoescape=True))
        for w in q.split()
    ]
    total = db.scalar(select(func.count()).select_from(table).where(*where)) or 0
    db.execute(
        select(table)
        .where(*where)
        .order_by(table.total_count.desc().nulls_last(), table.procedure_id)
        .limit(30)
    ).all()
    return total


def _search_p95(database: Database, year: int) -> dict[str, dict[str, float]]:
    """p95 ms of each word, the scan and the index in the same run on the same database."""
    figures: dict[str, dict[str, float]] = {}
    with database.session() as db:
        for word in SEARCH_WORDS:
            scan, indexed = [], []
            for _ in range(REQUESTS // 2):
                begun = time.perf_counter()
                scanned = _scan_search(db, year, word)
                scan.append((time.perf_counter() - begun) * 1000)
                begun = time.perf_counter()
                found = inventory.search(db, inventory.Query(year=year, q=word), limit=30, offset=0)
                indexed.append((time.perf_counter() - begun) * 1000)
            figures[word] = {
                "scan_p95_ms": round(support.percentile(scan, 0.95), 1),
                "index_p95_ms": round(support.percentile(indexed, 0.95), 1),
                "found": found.total,
                "scan_found": scanned,  # fewer where only the folding (kana, width) finds it
            }
            print(
                f"search {word!r}: scan p95 {figures[word]['scan_p95_ms']} ms, "
                f"index p95 {figures[word]['index_p95_ms']} ms ({found.total:,} found, the scan {scanned:,})"
            )
    return figures


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path, xlsx_path = folder / "inventory.csv", folder / "inventory.xlsx"
        started = time.perf_counter()
        generator.write_csv(csv_path, layouts.R7, 2025, ROWS)
        generator.write_xlsx(xlsx_path, layouts.R7, 2025, ROWS)
        print(
            f"generated {ROWS:,} rows as CSV ({csv_path.stat().st_size / 1e6:.1f} MB) and xlsx "
            f"({xlsx_path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s"
        )
        csv_data, xlsx_data = csv_path.read_bytes(), xlsx_path.read_bytes()

        started = time.perf_counter()
        raw_csv = sum(1 for _ in csv.reader(io.StringIO(csv_data.decode("utf-8-sig"), newline="")))
        raw_csv_s = time.perf_counter() - started
        started = time.perf_counter()
        sheet = CalamineWorkbook.from_path(str(xlsx_path)).get_sheet_by_index(0)
        raw_xlsx = sum(1 for _ in sheet.iter_rows())
        raw_xlsx_s = time.perf_counter() - started
        assert raw_csv == raw_xlsx == ROWS + 2

        database = Database(f"sqlite:///{folder / 'bench.db'}")
        migrations.upgrade(database.engine)
        csv_s = _import(database, "inventory.csv", csv_data, 2025)
        xlsx_s = _import(database, "inventory.xlsx", xlsx_data, 2025)  # replaces the year
        print(f"import CSV:  {csv_s:.1f} s, {ROWS / csv_s:,.0f} rows/s (csv.reader alone {raw_csv_s:.2f} s)")
        print(
            f"import xlsx: {xlsx_s:.1f} s, {ROWS / xlsx_s:,.0f} rows/s "
            f"(calamine read alone {raw_xlsx_s:.2f} s)"
        )

        for year in range(2025 - YEARS + 1, 2025):
            layout = layouts.R6 if year < 2025 else layouts.R7
            _import(database, f"inventory-{year}.csv", generator.csv_bytes(layout, year, ROWS), year)
        with database.session() as db:
            costs.import_systems(db, _systems_csv(SYSTEMS), actor="bench")
        search = _search_p95(database, 2025)
        settings = Settings(
            environment="test",
            data_dir=folder / "var",
            database_url=database.url,
            secret_key="bench-secret-key-not-for-production",
            log_level="warning",
            _env_file=None,
        )
        page_ms: dict[str, float] = {}
        with TestClient(create_app(settings, database)) as client:
            for page in PAGES:
                samples: list[float] = []
                for _ in range(REQUESTS):
                    begun = time.perf_counter()
                    answer = client.get(page, headers={"accept": "text/html"})
                    samples.append((time.perf_counter() - begun) * 1000)
                    assert answer.status_code == 200, (page, answer.status_code)
                page_ms[page] = round(support.percentile(samples, 0.95), 1)
                print(
                    f"p95 {page}: {page_ms[page]} ms ({YEARS} survey years × {ROWS:,}, {SYSTEMS:,} systems)"
                )
        database.dispose()

    support.write(
        "oversight_inventory",
        {
            "rows": ROWS,
            "survey_years": YEARS,
            "systems": SYSTEMS,
            "requests_per_page": REQUESTS,
            "import_csv_s": round(csv_s, 2),
            "import_csv_rows_per_s": round(ROWS / csv_s),
            "import_xlsx_s": round(xlsx_s, 2),
            "import_xlsx_rows_per_s": round(ROWS / xlsx_s),
            "raw_csv_read_s": round(raw_csv_s, 2),
            "raw_xlsx_read_s": round(raw_xlsx_s, 2),
            "import_to_raw_read_ratio_csv": round(csv_s / raw_csv_s, 1),
            "import_to_raw_read_ratio_xlsx": round(xlsx_s / raw_xlsx_s, 1),
            "page_p95_ms": page_ms,
            "search_p95_ms": search,
        },
    )


if __name__ == "__main__":
    main()
