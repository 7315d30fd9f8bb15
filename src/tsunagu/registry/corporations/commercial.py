"""商業・法人登記: the registered matters (登記事項) of a corporation and their changes.

What a 登記事項証明書 proves: name and head office (kept with their history in the 法人番号
tables), purpose, capital, date of establishment, officers with their 就任 and 退任, branches.
Every change (商号変更, 本店移転, 代表者変更, 解散) is written with an outbox event in the same
transaction; the mesh pushes it to subscribers with a legal basis (``pending_events`` /
``mark_delivered``), as the resident registry's changes are.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import Conflict, NotFound, ValidationFailed
from tsunagu.core.types.corporate_number import CorporateNumber
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.corporations.models import (
    Corporation,
    CorporationBranch,
    CorporationChange,
    CorporationEvent,
    CorporationOfficer,
    CorporationRegistration,
)
from tsunagu.registry.corporations.nta_format import KINDS

#: outbox kinds, as the mesh's push names them
NAME_CHANGED, HEAD_OFFICE_MOVED = "trade_name_changed", "head_office_moved"
REPRESENTATIVE_CHANGED, DISSOLVED = "representative_changed", "dissolved"
EVENT_TITLES = {
    NAME_CHANGED: "商号変更",
    HEAD_OFFICE_MOVED: "本店移転",
    REPRESENTATIVE_CHANGED: "代表者変更",
    DISSOLVED: "解散",
}


class RegistrationNotFound(NotFound):
    code = "corporations-registration-not-found"
    title = "No commercial registration"


class CorporationDissolved(Conflict):
    code = "corporations-dissolved"
    title = "The corporation is dissolved or closed"


class OfficerNotFound(NotFound):
    code = "corporations-officer-not-found"
    title = "No such current officer"


@dataclass(frozen=True)
class Officer:
    """役員: one appointment; ``address`` is kept for representatives only, as 商業登記 does."""

    id: int
    title: str
    name: str
    address: str
    representative: bool
    appointed_on: date
    resigned_on: date | None

    @property
    def current(self) -> bool:
        return self.resigned_on is None


@dataclass(frozen=True)
class Branch:
    address: str
    opened_on: date
    closed_on: date | None


@dataclass(frozen=True)
class PastEntry:
    """One earlier 商号 or 本店 with the date it was replaced (履歴事項)."""

    value: str
    until: date | None


@dataclass(frozen=True)
class RegisteredMatters:
    """登記事項 of one corporation (履歴事項全部証明書 in data)."""

    number: str
    name: str
    head_office: str
    kind_label: str
    registry_office: str
    purposes: tuple[str, ...]
    capital_yen: int | None
    established_on: date
    dissolved_on: date | None
    closed_on: date | None
    officers: tuple[Officer, ...]
    branches: tuple[Branch, ...]
    past_names: tuple[PastEntry, ...]
    past_head_offices: tuple[PastEntry, ...]

    @property
    def current_officers(self) -> tuple[Officer, ...]:
        return tuple(o for o in self.officers if o.current)

    @property
    def representatives(self) -> tuple[Officer, ...]:
        return tuple(o for o in self.current_officers if o.representative)

    @property
    def status(self) -> str:
        """active, dissolved (解散, in liquidation) or closed (登記記録の閉鎖)."""
        return "closed" if self.closed_on else "dissolved" if self.dissolved_on else "active"


@dataclass(frozen=True)
class EventRecord:
    event_id: str
    number: str
    kind: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class EnteredBy:
    """Who entered a change: a staff account (a reference, shown by name) and the office
    (organization code) they entered it for."""

    staff_id: str
    organization_code: str


@dataclass(frozen=True)
class ChangeEntry:
    """One 変更の登記 as entered: its kind (in words), the day it took effect, when it was entered
    and by whom (None when a load, not a person, recorded it)."""

    kind: str
    title: str
    effective_on: date
    entered_at: datetime
    entered_by: EnteredBy | None


# ---- reading -----------------------------------------------------------------------------------


def _number(number: str) -> str:
    return str(CorporateNumber(number))


def has_registration(db: Session, number: str) -> bool:
    return db.get(CorporationRegistration, _number(number)) is not None


def registered_matters(db: Session, number: str) -> RegisteredMatters | None:
    """The corporation's 登記事項, or None when the registry holds no 登記記録 for it (国の機関,
    地方公共団体 and other bodies have a 法人番号 without a commercial registration)."""
    number = _number(number)
    registration = db.get(CorporationRegistration, number)
    corporation = db.get(Corporation, number)
    if registration is None or corporation is None:
        return None
    officers = db.scalars(
        select(CorporationOfficer)
        .where(CorporationOfficer.number == number)
        .order_by(
            CorporationOfficer.representative.desc(), CorporationOfficer.appointed_on, CorporationOfficer.id
        )
    )
    branches = db.scalars(
        select(CorporationBranch)
        .where(CorporationBranch.number == number)
        .order_by(CorporationBranch.opened_on, CorporationBranch.id)
    )
    changes = list(
        db.scalars(
            select(CorporationChange)
            .where(CorporationChange.number == number)
            .order_by(CorporationChange.update_date, CorporationChange.id)
        )
    )
    return RegisteredMatters(
        number=number,
        name=corporation.name,
        head_office=_address(corporation),
        kind_label=KINDS.get(corporation.kind, ""),
        registry_office=registration.registry_office,
        purposes=tuple(line for line in registration.purpose.splitlines() if line.strip()),
        capital_yen=registration.capital_yen,
        established_on=registration.established_on,
        dissolved_on=registration.dissolved_on,
        closed_on=corporation.close_date,
        officers=tuple(
            Officer(o.id, o.title, o.name, o.address, o.representative, o.appointed_on, o.resigned_on)
            for o in officers
        ),
        branches=tuple(Branch(b.address, b.opened_on, b.closed_on) for b in branches),
        past_names=_past(changes, lambda c: c.name, corporation.name),
        past_head_offices=_past(changes, _address, _address(corporation)),
    )


def _address(row: Corporation | CorporationChange) -> str:
    return f"{row.prefecture_name}{row.city_name}{row.street_number}" or row.address_outside


def _past(changes: list[CorporationChange], value_of: Any, current: str) -> tuple[PastEntry, ...]:
    """Earlier values, each with the date the next one took effect (oldest first)."""
    past: list[PastEntry] = []
    for earlier, later in itertools.pairwise(changes):
        if value_of(earlier) != value_of(later) and (not past or past[-1].value != value_of(earlier)):
            past.append(PastEntry(value_of(earlier), later.change_date or later.update_date))
    return tuple(p for p in past if p.value != current)


def current_representatives(db: Session, number: str) -> list[Officer]:
    """The corporation's current representatives (代表取締役, 代表社員…) by its 登記."""
    rows = db.scalars(
        select(CorporationOfficer)
        .where(
            CorporationOfficer.number == _number(number),
            CorporationOfficer.representative.is_(True),
            CorporationOfficer.resigned_on.is_(None),
        )
        .order_by(CorporationOfficer.id)
    )
    return [
        Officer(o.id, o.title, o.name, o.address, o.representative, o.appointed_on, o.resigned_on)
        for o in rows
    ]


# ---- recording (登記の実行) -----------------------------------------------------------------------


def register(
    db: Session,
    number: str,
    *,
    registry_office: str,
    purposes: Sequence[str],
    capital_yen: int | None,
    established_on: date,
) -> None:
    """Record (or replace) the 登記記録's office, purpose, capital and date of establishment."""
    number = _number(number)
    if db.get(Corporation, number) is None:
        raise NotFound(f"no corporation has the corporate number {number}")
    problems = []
    if not registry_office.strip():
        problems.append({"location": ["registry_office"], "message": "the registry office is required"})
    if not any(p.strip() for p in purposes):
        problems.append({"location": ["purpose"], "message": "at least one purpose is required"})
    if capital_yen is not None and capital_yen < 0:
        problems.append({"location": ["capital_yen"], "message": "the capital is not negative"})
    if problems:
        raise ValidationFailed("the registration is incomplete", errors=problems)
    row = db.get(CorporationRegistration, number)
    if row is None:
        row = CorporationRegistration(number=number, recorded_at=clock.now())
        db.add(row)
    row.registry_office, row.capital_yen = registry_office.strip(), capital_yen
    row.established_on = established_on
    row.purpose = "\n".join(p.strip() for p in purposes if p.strip())
    db.flush()


def appoint(
    db: Session,
    number: str,
    *,
    title: str,
    name: str,
    address: str = "",
    representative: bool = False,
    appointed_on: date,
) -> Officer:
    """就任: one person to one title; a representative's 住所 is required."""
    number = _number(number)
    _require_registration(db, number)
    problems = []
    if not title.strip():
        problems.append({"location": ["title"], "message": "the title is required"})
    if not name.strip():
        problems.append({"location": ["name"], "message": "the name is required"})
    if representative and not address.strip():
        problems.append({"location": ["address"], "message": "a representative's address is required"})
    if problems:
        raise ValidationFailed("the appointment is incomplete", errors=problems)
    row = CorporationOfficer(
        number=number,
        title=title.strip(),
        name=name.strip(),
        address=address.strip(),
        representative=representative,
        appointed_on=appointed_on,
    )
    db.add(row)
    db.flush()
    return Officer(row.id, row.title, row.name, row.address, row.representative, row.appointed_on, None)


def open_branch(db: Session, number: str, *, address: str, opened_on: date) -> None:
    _require_registration(db, _number(number))
    db.add(CorporationBranch(number=_number(number), address=address.strip(), opened_on=opened_on))
    db.flush()


def change_representative(
    db: Session,
    number: str,
    *,
    resigning: int | None,
    title: str,
    name: str,
    address: str,
    on: date,
    by: EnteredBy | None = None,
) -> Officer:
    """代表者変更: ``resigning`` (an officer id) 退任 and the new representative 就任 on ``on``."""
    number = _number(number)
    _require_live(db, number)
    if resigning is not None:
        row = db.get(CorporationOfficer, resigning)
        if row is None or row.number != number or row.resigned_on is not None or not row.representative:
            raise OfficerNotFound(f"no current representative {resigning} of {number}")
        row.resigned_on = on
    officer = appoint(
        db, number, title=title, name=name, address=address, representative=True, appointed_on=on
    )
    _event(
        db,
        number,
        REPRESENTATIVE_CHANGED,
        on,
        {
            "representatives": [
                {"title": o.title, "name": o.name} for o in current_representatives(db, number)
            ]
        },
        by=by,
    )
    return officer


def change_name(
    db: Session, number: str, *, name: str, furigana: str, on: date, by: EnteredBy | None = None
) -> None:
    """商号変更 (process 11 of the 法人番号 history)."""
    number = _number(number)
    corporation = _require_live(db, number)
    if not name.strip():
        raise ValidationFailed(
            "the new name is required", errors=[{"location": ["name"], "message": "the new name is required"}]
        )
    corporation.name, corporation.furigana = name.strip(), furigana.strip()
    _history(db, corporation, "11", on)
    _event(db, number, NAME_CHANGED, on, {"name": corporation.name}, by=by)


def move_head_office(
    db: Session,
    number: str,
    *,
    municipality_code: str,
    street_number: str,
    post_code: str,
    on: date,
    by: EnteredBy | None = None,
) -> None:
    """本店移転 to a municipality of the address registry (process 12)."""
    number = _number(number)
    corporation = _require_live(db, number)
    municipality = addresses.get_municipality(db, municipality_code)
    if municipality is None or not street_number.strip():
        raise ValidationFailed(
            "the new head office is incomplete",
            errors=[
                {
                    "location": ["municipality_code" if municipality is None else "street_number"],
                    "message": "a known municipality and the street address are required",
                }
            ],
        )
    corporation.prefecture_code = municipality.prefecture_code
    corporation.prefecture_name = municipality.prefecture
    corporation.city_code, corporation.city_name = municipality.code[2:5], municipality.name
    corporation.municipality_code, corporation.street_number = municipality.code, street_number.strip()
    corporation.post_code, corporation.address_outside = post_code.replace("-", "").strip(), ""
    _history(db, corporation, "12", on)
    _event(db, number, HEAD_OFFICE_MOVED, on, {"head_office_address": _address(corporation)}, by=by)


def dissolve(
    db: Session,
    number: str,
    *,
    on: date,
    liquidator_name: str = "",
    liquidator_address: str = "",
    by: EnteredBy | None = None,
) -> None:
    """解散 (e.g. by resolution of the shareholders): the directors retire and, if named, the
    代表清算人 takes office; the corporation stays registered until its liquidation ends."""
    number = _number(number)
    _require_live(db, number)
    registration = _require_registration(db, number)
    registration.dissolved_on = on
    db.execute(
        update(CorporationOfficer)
        .where(CorporationOfficer.number == number, CorporationOfficer.resigned_on.is_(None))
        .values(resigned_on=on)
    )
    if liquidator_name.strip():
        appoint(
            db,
            number,
            title="代表清算人",
            name=liquidator_name,
            address=liquidator_address,
            representative=True,
            appointed_on=on,
        )
    _event(db, number, DISSOLVED, on, {"dissolved_on": on.isoformat()}, by=by)


def _require_registration(db: Session, number: str) -> CorporationRegistration:
    registration = db.get(CorporationRegistration, number)
    if registration is None:
        raise RegistrationNotFound(f"the commercial registry holds no 登記記録 of {number}")
    return registration


def _require_live(db: Session, number: str) -> Corporation:
    registration = _require_registration(db, number)
    corporation = db.get(Corporation, number)
    assert corporation is not None  # a registration belongs to a corporation (foreign key)
    if corporation.close_date is not None or registration.dissolved_on is not None:
        raise CorporationDissolved(f"the corporation {number} is dissolved or closed")
    return corporation


def _history(db: Session, corporation: Corporation, process: str, on: date) -> None:
    """The change in the 法人番号 history, as NTA publishes it the next day (最新履歴)."""
    db.execute(
        update(CorporationChange).where(CorporationChange.number == corporation.number).values(latest=False)
    )
    fields = {
        column: getattr(corporation, column)
        for column in (
            "name",
            "furigana",
            "kind",
            "prefecture_name",
            "city_name",
            "street_number",
            "prefecture_code",
            "city_code",
            "post_code",
            "address_outside",
            "close_date",
            "close_cause",
            "successor_number",
        )
    }
    fingerprint = hashlib.sha256(
        repr((corporation.number, process, on, sorted(fields.items()), uuid.uuid4().hex)).encode()
    ).hexdigest()
    db.add(
        CorporationChange(
            number=corporation.number,
            fingerprint=fingerprint,
            process=process,
            correction=False,
            update_date=on,
            change_date=on,
            change_cause="",
            latest=True,
            imported_at=clock.now(),
            **fields,
        )
    )
    corporation.change_date, corporation.update_date, corporation.last_process = on, on, process
    db.flush()


def _event(
    db: Session, number: str, kind: str, on: date, data: dict[str, Any], *, by: EnteredBy | None
) -> None:
    db.add(
        CorporationEvent(
            event_id=uuid.uuid4().hex,
            number=number,
            kind=kind,
            payload={"effective_date": on.isoformat(), **data},
            created_at=clock.now(),
            entered_by=by.staff_id if by else "",
            entered_by_organization=by.organization_code if by else "",
        )
    )
    db.flush()


# ---- outbox ------------------------------------------------------------------------------------


def change_entries(db: Session, number: str) -> list[ChangeEntry]:
    """The changes registered for the corporation (商号変更, 本店移転, 代表者変更, 解散), newest
    first, with who entered each."""
    rows = db.scalars(
        select(CorporationEvent)
        .where(CorporationEvent.number == _number(number))
        .order_by(CorporationEvent.created_at.desc(), CorporationEvent.id.desc())
    )
    return [
        ChangeEntry(
            kind=row.kind,
            title=EVENT_TITLES.get(row.kind, row.kind),
            effective_on=date.fromisoformat(str(row.payload["effective_date"])),
            entered_at=row.created_at,
            entered_by=EnteredBy(row.entered_by, row.entered_by_organization) if row.entered_by else None,
        )
        for row in rows
    ]


def pending_events(db: Session, limit: int = 100) -> list[EventRecord]:
    """Change events not delivered yet, oldest first."""
    rows = db.scalars(
        select(CorporationEvent)
        .where(CorporationEvent.delivered_at.is_(None))
        .order_by(CorporationEvent.id)
        .limit(limit)
    )
    return [EventRecord(r.event_id, r.number, r.kind, dict(r.payload)) for r in rows]


def mark_delivered(db: Session, event_ids: Sequence[str]) -> int:
    if not event_ids:
        return 0
    result = db.execute(
        update(CorporationEvent)
        .where(CorporationEvent.event_id.in_(list(event_ids)))
        .values(delivered_at=clock.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)
