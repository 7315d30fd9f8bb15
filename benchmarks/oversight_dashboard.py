"""Policy dashboard at scale: p95 server time of the dashboard pages with the inventory's survey
years, the systems register and millions of application events, and what one more event costs the
incrementally kept KPIs (the feed catch-up, a funnel step, a survey answer).

Default run (short): 15,000 procedures × 5 survey years, 2,000 systems, 200,000 application events.
``--full``: 75,000 procedures × 5 survey years, 2,000 systems, 10,000,000 events (the issue's size).
``OVERSIGHT_BENCH_EVENTS`` / ``OVERSIGHT_BENCH_ROWS`` override.

PostgreSQL (a throwaway cluster, or ``TSUNAGU_TEST_POSTGRES_URL``) unless ``--sqlite``. The events
are the procedures part's own rows (applications and their audit trail, 申請先 spread over every
municipality of the address registry and a year of months), written with COPY on PostgreSQL. The
counters of all but the last ``TAIL`` events are made the way the product keeps them — the feed's
events through ``service_kpis.deltas_of`` and ``service_kpis.add`` — in this process while the rows
are written, instead of reading 10 million rows back through the feed; the last ``TAIL`` events
are then taken in by the product's ``catch_up`` (timed), and the counters are checked against the
events written.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from benchmarks import support
from benchmarks.oversight_inventory import REQUESTS, SYSTEMS, _import, _systems_csv
from tsunagu import migrations
from tsunagu.conformance import pmo
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.core.settings import Settings
from tsunagu.oversight import costs, feedback, generator, layouts, places, service_kpis
from tsunagu.oversight.models import OversightFeedPosition, OversightServiceCounter
from tsunagu.procedures import feed
from tsunagu.procedures.models import ProceduresApplication, ProceduresAudit
from tsunagu.registry.addresses import service as addresses
from tsunagu.web.app import create_app

FULL = "--full" in sys.argv[1:]
SQLITE = "--sqlite" in sys.argv[1:]
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
CHUNK = 50_000
TAIL = min(EVENTS, 100_000)  # the last events, taken in by the product's catch-up
NATIONAL = ("nta-kojimachi", "jpn-pension", "mhlw-chuo")  # 申請先 besides the municipalities
YEAR_SECONDS = 365 * 24 * 3600
PAGES = (
    "/dashboard",
    "/dashboard?ministry=厚生労働省",
    "/dashboard?prefecture=東京都",
    "/dashboard?prefecture=東京都&municipality=131016",
    "/dashboard/funnel.csv",
    "/inventory",
)
APPLICATIONS = ProceduresApplication.metadata.tables[ProceduresApplication.__tablename__]
AUDIT = ProceduresAudit.metadata.tables[ProceduresAudit.__tablename__]


APPLICATION_COLUMNS = (
    "id",
    "receipt_number",
    "procedure_id",
    "procedure_revision",
    "applicant_id",
    "subject_id",
    "applicant_kind",
    "organization_code",
    "status",
    "data",
    "prefilled",
    "decision_reason",
    "submitted_at",
    "updated_at",
    "due_on",
)
AUDIT_COLUMNS = (
    "application_id",
    "at",
    "actor",
    "actor_kind",
    "organization_code",
    "from_status",
    "to_status",
    "reason",
)


def _made(count: int, organizations: list[str]) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """``count`` audit events over a year: each application submitted, then (most) decided; its 申請先
    one of ``organizations`` in turn."""
    first = datetime(2025, 4, 1, tzinfo=UTC)
    step = YEAR_SECONDS / max(1, count // 2)
    made = n = 0
    while made < count:
        submitted = first + timedelta(seconds=int(n * step))
        organization = organizations[n % len(organizations)]
        app_id = f"b{n:011d}"
        application = {
            "id": app_id,
            "receipt_number": app_id,
            "procedure_id": PROCEDURES[n % len(PROCEDURES)],
            "procedure_revision": "bench",
            "applicant_id": f"r{n % 50_000}",
            "subject_id": f"r{n % 50_000}" if n % 9 else f"s{n}",
            "applicant_kind": "resident",
            "organization_code": organization,
            "status": "approved",
            "data": {},
            "prefilled": {"name": True} if n % 3 else {},
            "decision_reason": "",
            "submitted_at": submitted,
            "updated_at": submitted,
            "due_on": (submitted + timedelta(days=7)).date(),
        }
        events = [
            _audit(app_id, submitted, "new", "submitted", "staff" if n % 7 == 0 else "resident", organization)
        ]
        if made + 1 < count:
            decided = submitted + timedelta(days=n % 11)
            events.append(_audit(app_id, decided, "submitted", "approved", "staff", organization))
        made += len(events)
        n += 1
        yield application, events


def _feed_event(number: int, application: dict[str, Any], audit: dict[str, Any]) -> feed.ApplicationEvent:
    """The event as the procedures' feed would read it back (procedures.feed.events_since)."""
    return feed.ApplicationEvent(
        number,
        application["procedure_id"],
        audit["at"],
        audit["from_status"],
        audit["to_status"],
        audit["actor_kind"] == "staff",
        application["applicant_id"] != application["subject_id"],
        bool(application["prefilled"]),
        application["submitted_at"],
        application["due_on"],
        application["organization_code"],
    )


def _store(database: Database, applications: list[dict[str, Any]], audit: list[dict[str, Any]]) -> None:
    """One chunk in one transaction: COPY on PostgreSQL, executemany on SQLite."""
    if database.engine.dialect.name != "postgresql":
        with database.session() as db:
            db.execute(APPLICATIONS.insert(), applications)
            db.execute(AUDIT.insert(), audit)
        return
    connection = database.engine.raw_connection()
    try:
        cursor = connection.cursor()
        for table, columns, rows in (
            ("procedures_applications", APPLICATION_COLUMNS, applications),
            ("procedures_audit", AUDIT_COLUMNS, audit),
        ):
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row(
                        [json.dumps(row[c]) if c in ("data", "prefilled") else row[c] for c in columns]
                    )
        connection.commit()
    finally:
        connection.close()


def _merge(into: service_kpis.Deltas, events: list[feed.ApplicationEvent]) -> None:
    for key, delta in service_kpis.deltas_of(events).items():
        total = into.setdefault(key, dict.fromkeys(delta, 0))
        for metric, value in delta.items():
            total[metric] += value


def _events(database: Database, count: int, organizations: list[str]) -> tuple[float, float]:
    """Write ``count`` events; the counters of all but the last TAIL are made here the way the
    product makes them. (seconds writing, seconds counting)."""
    started = time.perf_counter()
    counted_s = 0.0
    head = count - TAIL
    deltas: service_kpis.Deltas = {}
    applications: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []
    counted: list[feed.ApplicationEvent] = []
    number = 0
    for application, events in _made(count, organizations):
        applications.append(application)
        for event in events:
            number += 1
            audit.append(event)
            if number <= head:
                counted.append(_feed_event(number, application, event))
        if len(audit) >= CHUNK:
            begun = time.perf_counter()
            _merge(deltas, counted)
            counted_s += time.perf_counter() - begun
            _store(database, applications, audit)
            applications, audit, counted = [], [], []
    begun = time.perf_counter()
    _merge(deltas, counted)
    counted_s += time.perf_counter() - begun
    if audit:
        _store(database, applications, audit)
    begun = time.perf_counter()
    with database.session() as db:
        service_kpis.add(db, deltas)
        db.add(OversightFeedPosition(source=service_kpis.SOURCE, last_id=head))
    counted_s += time.perf_counter() - begun
    return time.perf_counter() - started - counted_s, counted_s


def _audit(
    application_id: str, at: datetime, before: str, after: str, actor: str, organization: str = "131016"
) -> dict[str, Any]:
    return {
        "application_id": application_id,
        "at": at,
        "actor": actor,
        "actor_kind": actor,
        "organization_code": organization,
        "from_status": before,
        "to_status": after,
        "reason": "",
    }


@contextmanager
def _database_url(folder: Path) -> Iterator[str]:
    """A throwaway PostgreSQL cluster's database (or TSUNAGU_TEST_POSTGRES_URL), SQLite with --sqlite
    or when PostgreSQL is not installed."""
    if not SQLITE and os.environ.get("TSUNAGU_TEST_POSTGRES_URL"):
        yield os.environ["TSUNAGU_TEST_POSTGRES_URL"]
        return
    if not SQLITE:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.postgres_cluster import throwaway_cluster

        with throwaway_cluster() as url:
            if url:
                yield url
                return
    yield f"sqlite:///{folder / 'bench.db'}"


def _p95_ms(action: Any, times: int) -> float:
    samples = []
    for _ in range(times):
        begun = time.perf_counter()
        action()
        samples.append((time.perf_counter() - begun) * 1000)
    return round(support.percentile(samples, 0.95), 2)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, _database_url(Path(tmp)) as url:
        folder = Path(tmp)
        database = Database(url)
        backend = database.engine.dialect.name
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
            f"{backend}: {YEARS} survey years × {ROWS:,} procedures, {SYSTEMS:,} systems, "
            f"{len(municipalities):,} municipalities' migration in {time.perf_counter() - started:.0f} s"
        )
        organizations = [m.code for m in municipalities] + list(NATIONAL)
        stored_s, counted_s = _events(database, EVENTS, organizations)
        print(
            f"{EVENTS:,} events to {len(organizations):,} organizations stored in {stored_s:.0f} s "
            f"({EVENTS / stored_s:,.0f} events/s); counters of {EVENTS - TAIL:,} made as the product does "
            f"in {counted_s:.0f} s"
        )

        begun = time.perf_counter()
        with database.session() as db:
            taken = service_kpis.catch_up(db, feed.events_since)
        catch_up_s = time.perf_counter() - begun
        print(
            f"catch-up of the last {taken:,} events: {catch_up_s:.1f} s ({taken / catch_up_s:,.0f} events/s)"
        )
        with database.session() as db:  # every submission counted once, overall and by place
            counted = db.scalar(select(func.sum(OversightServiceCounter.submitted)))
            written = db.scalar(
                select(func.count()).select_from(AUDIT).where(AUDIT.c.to_status == "submitted")
            )
            assert counted == written, (counted, written)
            by_place = service_kpis.figures(db, place=places.Place("13"))
            assert sum(f.submitted for f in by_place) > 0

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
                feedback.record_step(db, "tenshutsu", "started", organization="131016")

        def survey_answer() -> None:
            with database.session() as db:
                feedback.answer(db, "tenshutsu", "4", "", organization="131016")

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
        "oversight_dashboard_full" if FULL else "oversight_dashboard",
        {
            "full": FULL,
            "backend": backend,
            "procedures_per_year": ROWS,
            "survey_years": YEARS,
            "systems": SYSTEMS,
            "application_events": EVENTS,
            "organizations": len(organizations),
            "events_stored_s": round(stored_s, 1),
            "events_stored_per_s": round(EVENTS / stored_s),
            "counters_made_in_process_s": round(counted_s, 1),
            "catch_up_events": taken,
            "catch_up_s": round(catch_up_s, 2),
            "catch_up_events_per_s": round(taken / catch_up_s),
            "page_p95_ms": pages,
            "incremental_p95_ms": costs_ms,
        },
    )


if __name__ == "__main__":
    main()
