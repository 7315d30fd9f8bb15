"""Policy dashboard at scale: p95 server time of the dashboard pages with the inventory's survey
years, the systems register and millions of application events, and what one more event costs the
incrementally kept KPIs (the feed catch-up, a funnel step, a survey answer).

Default run (short): 15,000 procedures × 5 survey years, 2,000 systems, 200,000 application events.
``--full``: 75,000 procedures × 5 survey years, 2,000 systems, 10,000,000 events (the issue's size;
tens of minutes on a 2-core machine). ``OVERSIGHT_BENCH_EVENTS`` / ``OVERSIGHT_BENCH_ROWS`` override.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from benchmarks import support
from benchmarks.oversight_inventory import REQUESTS, SYSTEMS, _import, _systems_csv
from tsunagu import migrations
from tsunagu.conformance import pmo
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.core.settings import Settings
from tsunagu.oversight import costs, feedback, generator, layouts, service_kpis
from tsunagu.procedures import feed
from tsunagu.procedures.models import ProceduresApplication, ProceduresAudit
from tsunagu.registry.addresses import service as addresses
from tsunagu.web.app import create_app

FULL = "--full" in sys.argv[1:]
ROWS = int(os.environ.get("OVERSIGHT_BENCH_ROWS", str(generator.SURVEY_ROWS if FULL else 15_000)))
EVENTS = int(os.environ.get("OVERSIGHT_BENCH_EVENTS", str(10_000_000 if FULL else 200_000)))
YEARS = 5
PROCEDURES = (
    "tenshutsu",
    "tennyu-yoyaku",
    "jido-teate-nintei",
    "juminhyo-utsushi",
    "kaigo-nintei",
    "shinki-tekiyo",
)
CHUNK = 20_000
PAGES = (
    "/dashboard",
    "/dashboard?ministry=厚生労働省",
    "/dashboard?prefecture=東京都",
    "/dashboard/funnel.csv",
)
APPLICATIONS = ProceduresApplication.metadata.tables[ProceduresApplication.__tablename__]
AUDIT = ProceduresAudit.metadata.tables[ProceduresAudit.__tablename__]


def _events(database: Database, count: int) -> float:
    """``count`` audit events: each application submitted, then (most) decided; seconds taken."""
    started = time.perf_counter()
    first = datetime(2025, 4, 1, tzinfo=UTC)
    applications: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []
    made = 0
    n = 0
    while made < count:
        submitted = first + timedelta(minutes=n)
        procedure = PROCEDURES[n % len(PROCEDURES)]
        app_id = f"b{n:011d}"
        applications.append(
            {
                "id": app_id,
                "receipt_number": app_id,
                "procedure_id": procedure,
                "procedure_revision": "bench",
                "applicant_id": f"r{n % 50_000}",
                "subject_id": f"r{n % 50_000}" if n % 9 else f"s{n}",
                "applicant_kind": "resident",
                "organization_code": "131016",
                "status": "approved",
                "data": {},
                "prefilled": {"name": True} if n % 3 else {},
                "bundle_id": None,
                "decision_reason": "",
                "submitted_at": submitted,
                "updated_at": submitted,
                "due_on": (submitted + timedelta(days=7)).date(),
            }
        )
        audit.append(_audit(app_id, submitted, "new", "submitted", "staff" if n % 7 == 0 else "resident"))
        made += 1
        if made < count:
            audit.append(_audit(app_id, submitted + timedelta(days=n % 11), "submitted", "approved", "staff"))
            made += 1
        n += 1
        if len(audit) >= CHUNK or made >= count:
            with database.session() as db:  # one transaction per chunk
                db.execute(APPLICATIONS.insert(), applications)
                db.execute(AUDIT.insert(), audit)
            applications, audit = [], []
    return time.perf_counter() - started


def _audit(application_id: str, at: datetime, before: str, after: str, actor: str) -> dict[str, Any]:
    return {
        "application_id": application_id,
        "at": at,
        "actor": actor,
        "actor_kind": actor,
        "organization_code": "131016",
        "from_status": before,
        "to_status": after,
        "reason": "",
    }


def _p95_ms(action: Any, times: int) -> float:
    samples = []
    for _ in range(times):
        begun = time.perf_counter()
        action()
        samples.append((time.perf_counter() - begun) * 1000)
    return round(support.percentile(samples, 0.95), 2)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        database = Database(f"sqlite:///{folder / 'bench.db'}")
        migrations.upgrade(database.engine)
        started = time.perf_counter()
        for year in range(2025 - YEARS + 1, 2026):
            layout = layouts.R7 if year == 2025 else layouts.R6
            _import(database, f"inventory-{year}.csv", generator.csv_bytes(layout, year, ROWS), year)
        with database.session() as db:
            costs.import_systems(db, _systems_csv(SYSTEMS), actor="bench")
        with database.session() as db:  # the real address registry and every municipality's migration status
            addresses.load(db, SilentProgress())
            municipalities = [
                pmo.Municipality(m.code, m.name, m.prefecture) for m in addresses.list_municipalities(db)
            ]
            pmo.seed(db, municipalities, 1, SilentProgress(), today=date(2026, 12, 1))
        print(
            f"{YEARS} survey years × {ROWS:,} procedures, {SYSTEMS:,} systems, "
            f"{len(municipalities):,} municipalities' migration in {time.perf_counter() - started:.0f} s"
        )
        stored_s = _events(database, EVENTS)
        print(f"{EVENTS:,} application events stored in {stored_s:.0f} s")

        begun = time.perf_counter()
        with database.session() as db:
            taken = service_kpis.catch_up(db, feed.events_since)
        first_catch_up_s = time.perf_counter() - begun
        print(
            f"first catch-up: {taken:,} events in {first_catch_up_s:.1f} s "
            f"({taken / first_catch_up_s:,.0f} events/s, once)"
        )

        settings = Settings(
            environment="test",
            data_dir=folder / "var",
            database_url=database.url,
            secret_key="bench-secret-key-not-for-production",
            log_level="warning",
            _env_file=None,
        )
        pages: dict[str, float] = {}
        with TestClient(create_app(settings, database)) as client:
            for page in PAGES:
                assert client.get(page).status_code == 200, page

                def view(page: str = page) -> None:
                    client.get(page, headers={"accept": "text/html"})

                pages[page] = _p95_ms(view, REQUESTS)
                print(f"p95 {page}: {pages[page]} ms")

        counter = [0]

        def one_more_event() -> None:
            counter[0] += 1
            at = datetime(2026, 11, 30, tzinfo=UTC) + timedelta(seconds=counter[0])
            with database.session() as db:
                db.execute(AUDIT.insert(), [_audit("b00000000000", at, "approved", "withdrawn", "resident")])
            with database.session() as db:
                assert service_kpis.catch_up(db, feed.events_since) == 1

        def caught_up() -> None:
            with database.session() as db:
                service_kpis.catch_up(db, feed.events_since)

        def funnel_step() -> None:
            with database.session() as db:
                feedback.record_step(db, "tenshutsu", "started")

        def survey_answer() -> None:
            with database.session() as db:
                feedback.answer(db, "tenshutsu", "4", "")

        costs_ms = {
            "one_more_event_insert_and_catch_up": _p95_ms(one_more_event, REQUESTS),
            "catch_up_with_nothing_new": _p95_ms(caught_up, REQUESTS),
            "funnel_step": _p95_ms(funnel_step, REQUESTS),
            "survey_answer": _p95_ms(survey_answer, REQUESTS),
        }
        for name, ms in costs_ms.items():
            print(f"p95 {name}: {ms} ms (with {EVENTS:,} events already counted)")
        database.dispose()

    support.write(
        "oversight_dashboard",
        {
            "full": FULL,
            "procedures_per_year": ROWS,
            "survey_years": YEARS,
            "systems": SYSTEMS,
            "application_events": EVENTS,
            "events_stored_s": round(stored_s, 1),
            "first_catch_up_s": round(first_catch_up_s, 1),
            "first_catch_up_events_per_s": round(taken / first_catch_up_s),
            "page_p95_ms": pages,
            "incremental_p95_ms": costs_ms,
        },
    )


if __name__ == "__main__":
    main()
