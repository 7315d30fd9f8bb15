"""Service KPIs from the platform's own applications: the counters take in the procedures' audit
feed incrementally (each event once, only the new ones on the next call) and give digital
take-up, prefilled and proxy shares, decisions within the 標準処理期間 and average days."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tsunagu.core.database import Database
from tsunagu.oversight import service_kpis
from tsunagu.oversight.models import OversightServiceCounter
from tsunagu.procedures import feed
from tsunagu.procedures.models import ProceduresApplication, ProceduresAudit

T0 = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)  # 10:00 JST


def _application(
    database: Database,
    number: int,
    *,
    applicant: str = "r1",
    subject: str = "r1",
    prefilled: bool = False,
    by_staff: bool = False,
    decided_on_day: int | None = None,
    due_on: date = date(2026, 10, 15),
    organization: str = "131016",
) -> None:
    with database.session() as db:
        db.add(
            ProceduresApplication(
                id=f"app{number}",
                receipt_number=f"R-{number}",
                procedure_id="tenshutsu",
                procedure_revision="x",
                applicant_id=applicant,
                subject_id=subject,
                applicant_kind="resident",
                organization_code=organization,
                status="submitted",
                data={},
                prefilled={"name": "x"} if prefilled else {},
                submitted_at=T0,
                updated_at=T0,
                due_on=due_on,
            )
        )
        db.flush()
        db.add(
            ProceduresAudit(
                application_id=f"app{number}",
                at=T0,
                actor="staff-1" if by_staff else applicant,
                actor_kind="staff" if by_staff else "resident",
                from_status="",
                to_status="submitted",
            )
        )
        if decided_on_day is not None:
            decided = T0.replace(day=decided_on_day)
            db.add(
                ProceduresAudit(
                    application_id=f"app{number}",
                    at=decided,
                    actor="staff-2",
                    actor_kind="staff",
                    from_status="under_review",
                    to_status="approved",
                )
            )


def test_counters_take_each_event_once_and_only_new_ones(database: Database) -> None:
    _application(database, 1, prefilled=True, decided_on_day=10)
    _application(database, 2, applicant="r2", subject="r3", decided_on_day=20)  # a proxy, decided late
    _application(database, 3, by_staff=True)
    with database.session() as db:
        assert service_kpis.catch_up(db, feed.events_since) == 5
    with database.session() as db:
        assert service_kpis.catch_up(db, feed.events_since) == 0  # nothing new: nothing counted again
        [figures] = service_kpis.figures(db)
    assert (figures.procedure_id, figures.submitted, figures.decided) == ("tenshutsu", 3, 2)
    assert figures.digital_take_up == 2 / 3 and figures.prefilled_share == 1 / 3
    assert figures.proxy_share == 1 / 3
    assert figures.in_time_share == 1 / 2 and figures.average_days == (9 + 19) / 2
    _application(database, 4, decided_on_day=2)
    with database.session() as db:
        assert service_kpis.catch_up(db, feed.events_since, batch=1) == 2  # in batches, still once
        [figures] = service_kpis.figures(db)
        assert (figures.submitted, figures.decided, figures.decided_in_time) == (4, 3, 2)
        assert db.scalar(select(func.count()).select_from(OversightServiceCounter)) == 1  # one month


def test_the_api_and_the_dashboard_show_them(database: Database, client: TestClient) -> None:
    _application(database, 1, decided_on_day=3)
    body = client.get("/api/v1/oversight/service-kpis").json()
    assert [(k["procedure_id"], k["submitted"], k["in_time_share"]) for k in body] == [("tenshutsu", 1, 1.0)]
    page = client.get("/dashboard", headers={"accept": "text/html"}).text
    assert "つなぐの手続の利用状況" in page and "転出届" in page
