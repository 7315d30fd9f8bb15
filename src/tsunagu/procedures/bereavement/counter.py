"""おくやみ窓口 (the counter's view of a death): to whom the registration was pushed through the
mesh and how far each delivery got, and which family members were sent the お知らせ."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core.messages import N_
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.push import service as push
from tsunagu.procedures.bereavement.service import Death
from tsunagu.procedures.definition import Localized
from tsunagu.procedures.push.models import PushFiring
from tsunagu.registry.residents import service as residents

#: how a delivery's state reads on a page (Japanese; translated in the template)
DELIVERY_STATES = {
    "pending": N_("送信中"),
    "delivered": N_("届きました"),
    "dead": N_("届きませんでした（再送の手配が必要）"),
}


@dataclass(frozen=True)
class Told:
    """One organization told of the death through the mesh."""

    organization: str
    name: Localized  # as the mesh directory names the member
    state: str
    at: datetime


@dataclass(frozen=True)
class FamilyNotice:
    """One family member a push-type お知らせ of the death went to (or was judged not to)."""

    person: residents.ResidentRecord
    notified: bool
    at: datetime


@dataclass(frozen=True)
class CounterView:
    death: Death
    told: tuple[Told, ...]
    family: tuple[FamilyNotice, ...]
    informant: residents.ReportedBy | None = None  # 死亡届の届出人, as the registration recorded it


def told(db: Session, death: Death) -> tuple[Told, ...]:
    """The organizations the municipality pushed the death to, each with its delivery's state."""
    found = []
    for d in push.deliveries_of_event(db, death.deceased.municipality_code, death.event_id):
        member = directory.get_organization(db, d.subscriber)
        name = Localized(ja=member.name_ja, en=member.name_en) if member else Localized(ja="", en="")
        found.append(Told(d.subscriber, name, d.status, d.delivered_at or d.created_at))
    return tuple(found)


def view(db: Session, death: Death) -> CounterView:
    firings = db.scalars(
        select(PushFiring).where(PushFiring.event_id == death.event_id).order_by(PushFiring.id)
    )
    family = []
    for firing in firings:
        person = residents.get_resident(db, firing.resident_id)
        if person is not None:
            family.append(FamilyNotice(person, firing.message_id is not None, firing.fired_at))
    return CounterView(death, told(db, death), tuple(family), residents.informant_of(db, death.deceased.id))
