"""Resident registry: bulk import of synthetic residents and look-up by id.

The synthetic rows are generated once, first (timed apart), then imported (個人番号 encryption +
inserts, one transaction) on SQLite and, when a server is available (``TSUNAGU_BENCH_POSTGRES_URL``,
or a throwaway local cluster), on PostgreSQL. Wall and CPU time are both reported: on a shared
machine the wall time says as much about the neighbours as about the code.
Targets: 1,000,000 residents in ≤ 60 s (SQLite) / ≤ 90 s (PostgreSQL); look-up p99 ≤ 2 ms.

``python -m benchmarks registry_residents --residents=100000`` (or
``python -m benchmarks.registry_residents --residents 100000``) runs a smaller import.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import os
import random
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from tests.postgres_cluster import throwaway_cluster

from benchmarks import support
from tsunagu import migrations
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.registry.addresses.service import TownRecord
from tsunagu.registry.residents import service
from tsunagu.registry.residents.models import Resident
from tsunagu.registry.residents.synthetic.generator import ResidentGenerator

TOWNS_FILE = Path(__file__).resolve().parents[1] / "src" / "tsunagu" / "registry" / "data" / "towns.csv.gz"
DEMO = {("東京都", "千代田区"): ("13", "131016"), ("神奈川県", "横須賀市"): ("14", "142018")}
LOOKUPS = 20_000
SEED = 1
SECRET = "benchmark-secret-not-for-production"  # the vault's keys derive from it


def demo_towns() -> list[TownRecord]:
    """The real 町字 of the two demo municipalities, straight from the packaged towns file."""
    towns: list[TownRecord] = []
    with gzip.open(TOWNS_FILE, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            codes = DEMO.get((row["prefecture"], row["municipality"]))
            if codes:
                towns.append(
                    TownRecord(
                        id=len(towns) + 1,
                        prefecture_code=codes[0],
                        prefecture=row["prefecture"],
                        municipality_code=codes[1],
                        municipality=row["municipality"],
                        town=row["town"],
                        koaza=row["koaza"],
                        lat=float(row["lat"] or 0),
                        lng=float(row["lng"] or 0),
                        postcodes=(),
                    )
                )
    return towns


def generated_rows(towns: list[TownRecord], count: int) -> tuple[list[service.ImportRow], dict[str, Any]]:
    """The synthetic rows, made before the import so that its timing is the import's alone."""
    started, cpu_started = time.perf_counter(), time.process_time()
    rows = list(ResidentGenerator(towns, SEED).rows(count))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return rows, {"generation_s": round(wall, 2), "generation_cpu_s": round(cpu, 2)}


def import_figures(database: Database, rows: list[service.ImportRow]) -> dict[str, Any]:
    migrations.upgrade(database.engine)
    load_before = os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    with database.session() as db:
        service.import_residents(db, rows, SilentProgress(), total=len(rows))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "residents": len(rows),
        "import_s": round(wall, 2),
        "import_rows_per_s": round(len(rows) / wall),
        "import_cpu_s": round(cpu, 2),
        "import_cpu_us_per_row": round(cpu / len(rows) * 1e6, 1),
        "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def lookup_figures(database: Database) -> dict[str, Any]:
    with database.session() as db:
        ids = list(db.scalars(select(Resident.id).order_by(Resident.id)))
    sample = random.Random(SEED).sample(ids, min(LOOKUPS, len(ids)))
    del ids
    timings = []
    cpu_started = time.process_time()
    with database.sessions() as db:
        for resident_id in sample:
            started = time.perf_counter()
            record = service.get_resident(db, resident_id)
            timings.append((time.perf_counter() - started) * 1000)
            assert record is not None
    cpu = time.process_time() - cpu_started
    return {
        "lookups": len(sample),
        "lookup_p50_ms": round(support.median(timings), 3),
        "lookup_p99_ms": round(support.percentile(timings, 0.99), 3),
        "lookup_cpu_us": round(cpu / len(sample) * 1e6, 1),
    }


def postgres_database(stack: ExitStack) -> Database | None:
    server = os.environ.get("TSUNAGU_BENCH_POSTGRES_URL") or stack.enter_context(throwaway_cluster())
    if not server:
        return None
    name = f"tsunagu_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    stack.callback(drop)
    database = Database(
        make_url(server).set(database=name).render_as_string(hide_password=False), secret_key=SECRET
    )
    stack.callback(database.dispose)
    return database


def parse_count() -> int:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--residents", type=int, default=1_000_000)
    known, _ = parser.parse_known_args()
    return int(known.residents)


def main() -> None:
    count = parse_count()
    towns = demo_towns()
    print(f"{len(towns)} towns of 千代田区 and 横須賀市; importing {count:,} residents", flush=True)
    figures: dict[str, Any] = {"residents": count, "towns": len(towns), "load_average": os.getloadavg()[0]}
    rows, figures["generation"] = generated_rows(towns, count)
    print("generation:", figures["generation"], flush=True)
    with tempfile.TemporaryDirectory(prefix="tsunagu-bench-residents-") as workdir:
        sqlite = Database(f"sqlite:///{workdir}/bench.db", secret_key=SECRET)
        figures["sqlite"] = import_figures(sqlite, rows) | lookup_figures(sqlite)
        sqlite.dispose()
    print("sqlite:", figures["sqlite"], flush=True)
    with ExitStack() as stack:
        postgres = postgres_database(stack)
        if postgres is None:
            figures["postgresql"] = "skipped: no TSUNAGU_BENCH_POSTGRES_URL and no local PostgreSQL"
        else:
            figures["postgresql"] = import_figures(postgres, rows) | lookup_figures(postgres)
        print("postgresql:", figures["postgresql"], flush=True)
    figures["targets"] = {"sqlite_import_s": 60, "postgresql_import_s": 90, "lookup_p99_ms": 2}
    support.write("registry_residents", figures)


if __name__ == "__main__":
    main()
