"""What the oversight part's dashboard reads from other parts, handed in by the web layer (parts at
the same layer do not import each other): the conformance part's migration overview (移行 PMO), and
the other way, the recorder the procedures' pages tell the steps of applying to."""

from __future__ import annotations

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tsunagu.conformance import pmo
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.oversight import dashboard, feedback
from tsunagu.procedures.applications.funnel import StepRecorder

log = structlog.get_logger(__name__)


def migration_overview(db: Session, prefecture: str, municipality: str, locale: str) -> dashboard.Migration:
    """Per 標準化対象事務 (of the prefecture or municipality when given), and per prefecture — or per
    municipality of the chosen prefecture — for the map and its table."""
    today = clock.today_jst().date()
    areas = [
        dashboard.MigrationArea(
            area.title.en if locale == "en" else area.title.ja,
            area.municipalities,
            area.migrated,
            area.late,
            area.passed,
        )
        for area in pmo.overview(db, today, prefecture, municipality)
    ]
    places = [
        dashboard.MigrationPlace(
            place.municipality_code or place.prefecture, place.name, place.tracked, place.migrated, place.late
        )
        for place in pmo.by_place(db, today, prefecture)
    ]
    return dashboard.Migration(areas, places)


def funnel_recorder(database: Database) -> StepRecorder:
    """Counts a step in its own short transaction; a failure to count is logged and never stops
    the person applying."""

    def record(procedure_id: str, step: str) -> None:
        try:
            with database.session() as db:
                feedback.record_step(db, procedure_id, step)
        except SQLAlchemyError as failure:
            log.warning(
                "funnel step not counted", procedure=procedure_id, step=step, error=type(failure).__name__
            )

    return record
