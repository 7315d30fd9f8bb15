"""ライフイベントの手続一覧: for one life event, every procedure a resident may need, whether they
may apply, and how far each application has got — each a tap away from its prefilled form."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import NotFound
from tsunagu.core.sessions import Principal
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.definition import Localized, Procedure
from tsunagu.procedures.lifeevents import LIFE_EVENTS
from tsunagu.procedures.registry import LiveRegistry


class UnknownLifeEvent(NotFound):
    code = "procedures-unknown-life-event"
    title = "No such life event"


@dataclass(frozen=True)
class BundlePart:
    procedure: Procedure
    eligibility: applications.Eligibility
    application: applications.Application | None  # the person's latest, if any


@dataclass(frozen=True)
class Bundle:
    event: str
    name: Localized
    parts: tuple[BundlePart, ...]

    @property
    def open_parts(self) -> tuple[BundlePart, ...]:
        return tuple(p for p in self.parts if p.eligibility.eligible and p.application is None)


def bundle_for(db: Session, registry: LiveRegistry, principal: Principal, event: str) -> Bundle:
    """The person's procedures of ``event`` (those for residents), by name."""
    if event not in LIFE_EVENTS:
        raise UnknownLifeEvent(f"no life event {event!r}")
    person = applications.applicant_of(db, principal)
    attributes = applications.attributes_of(db, person, clock.today_jst().date())
    mine, _total = applications.list_mine(db, person.id, limit=200, offset=0)
    latest = {}
    for application in sorted(mine, key=lambda a: a.submitted_at):
        latest[application.procedure_id] = application
    procedures = sorted(
        (
            p
            for p in registry.snapshot().procedures.values()
            if event in p.life_events and "resident" in p.applicants
        ),
        key=lambda p: (p.name_kana, p.id),
    )
    return Bundle(
        event,
        LIFE_EVENTS[event],
        tuple(
            BundlePart(p, applications.check_eligibility(p, attributes), latest.get(p.id)) for p in procedures
        ),
    )
