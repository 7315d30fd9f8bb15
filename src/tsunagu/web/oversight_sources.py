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
from tsunagu.oversight import dashboard, feedback, links
from tsunagu.oversight.deps import ServedSource
from tsunagu.procedures.applications.funnel import StepRecorder
from tsunagu.procedures.inventory_link import InventoryEntry, InventoryLink, InventoryLinkSource

log = structlog.get_logger(__name__)


def migration_overview(db: Session, prefecture: str, municipality: str, locale: str) -> dashboard.Migration:
    """Per 標準化対象事務 (of the prefecture or municipality when given), and per prefecture — or per
    municipality of the chosen prefecture — for the map and its table; from one grouped query."""
    rows = pmo.by_place_and_area(db, clock.today_jst().date(), prefecture)
    areas: dict[str, list[int]] = {area: [0, 0, 0, 0] for area in pmo.BUSINESS_AREAS}
    places: dict[str, tuple[str, list[int]]] = {}
    for row in rows:
        counts = (row.tracked, row.migrated, row.late, row.passed)
        if not municipality or row.municipality_code == municipality:
            areas[row.area] = [a + b for a, b in zip(areas[row.area], counts, strict=True)]
        key = row.municipality_code or row.prefecture
        _, summed = places.setdefault(key, (row.name, [0, 0, 0, 0]))
        places[key] = (row.name, [a + b for a, b in zip(summed, counts, strict=True)])
    return dashboard.Migration(
        [
            dashboard.MigrationArea(title.en if locale == "en" else title.ja, *areas[area])
            for area, title in pmo.BUSINESS_AREAS.items()
        ],
        [dashboard.MigrationPlace(key, name, n, m, late) for key, (name, (n, m, late, _)) in places.items()],
    )


def funnel_recorder(database: Database) -> StepRecorder:
    """Counts a step in its own short transaction; a failure to count is logged and never stops
    the person applying."""

    def record(procedure_id: str, step: str, organization: str) -> None:
        try:
            with database.session() as db:
                feedback.record_step(db, procedure_id, step, organization=organization)
        except SQLAlchemyError as failure:
            log.warning(
                "funnel step not counted", procedure=procedure_id, step=step, error=type(failure).__name__
            )

    return record


def inventory_links(database: Database, served: ServedSource) -> InventoryLinkSource:
    """A procedure page's national inventory entry: the oversight part's link of that procedure in
    the latest survey year (None before any survey is imported)."""

    def link(procedure_id: str) -> InventoryLink | None:
        with database.session() as db:
            found = links.links(db, [s for s in served() if s.id == procedure_id]).get(procedure_id)
        if found is None or found.survey_year is None:
            return None
        return InventoryLink(
            found.method,
            tuple(InventoryEntry(e.procedure_id, e.name, e.ministry, e.cited) for e in found.entries),
        )

    return link
