"""個人事業主のアカウント: a business account tied to the resident who runs the business.

As gBizID does for 個人事業主, the account belongs to the person: it is opened by the resident
logged in with the card (their own identity, not a 法人番号), with an optional 屋号, the 事業所's
address and the 業種. The record keeps the person's registry reference only — the 個人番号 never
leaves the resident registry. One person holds one open account; 廃業 closes it on its date.

The person then switches between acting as themselves and acting as the business
(:func:`act_as_business` / :func:`act_as_self`): the business session is a ``business`` principal
whose subject is the person (the acting person) and whose organization is the account, with the
role :data:`SOLE_PROPRIETOR_ROLE`. Nobody can act as an account they do not hold.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagu.core import clock, sessions
from tsunagu.core.errors import Conflict, Forbidden, ValidationFailed
from tsunagu.identity.business.models import SoleProprietorship
from tsunagu.identity.history import service as history
from tsunagu.registry.residents import service as residents

__all__ = [
    "SOLE_PROPRIETOR_ROLE",
    "SUBJECT_PREFIX",
    "NotAResidentError",
    "NotYourBusinessError",
    "SoleProprietorExistsError",
    "SoleProprietorRecord",
    "act_as_business",
    "act_as_self",
    "close_sole_proprietorship",
    "get_sole_proprietorship",
    "is_sole_proprietor",
    "open_sole_proprietorship",
    "sole_proprietor_subject",
    "sole_proprietorship_of",
]

SOLE_PROPRIETOR_ROLE = "gbizid:sole_proprietor"
#: the subject key of a sole proprietor's applications, お知らせ and records (no 法人番号 exists)
SUBJECT_PREFIX = "sole-proprietor:"
LIMITS = {"trade_name": 100, "office_address": 300, "industry": 100}


class NotAResidentError(Forbidden):
    """Only a resident logged in with the card opens, closes or switches to a sole proprietorship."""

    code = "business-card-login-required"
    title = "Log in with the My Number Card"


class SoleProprietorExistsError(Conflict):
    """The person already holds an open sole-proprietor account (one per person)."""

    code = "business-sole-proprietor-exists"
    title = "You already have a sole-proprietor account"


class NotYourBusinessError(Forbidden):
    """Acting as (or closing) a sole proprietorship the person does not hold, or one closed."""

    code = "business-not-yours"
    title = "You do not hold this business account"


@dataclass(frozen=True)
class SoleProprietorRecord:
    id: str
    resident_id: str
    owner_name: str  # the person's registered name (氏名), from the register
    trade_name: str  # 屋号, "" when none
    office_address: str
    industry: str
    opened_at: datetime
    closed_on: date | None

    @property
    def display_name(self) -> str:
        """How the business is named on pages and notices: the 屋号, or the person's name."""
        return self.trade_name or self.owner_name

    @property
    def subject(self) -> str:
        return sole_proprietor_subject(self.id)


def sole_proprietor_subject(account_id: str) -> str:
    return f"{SUBJECT_PREFIX}{account_id}"


def is_sole_proprietor(principal: sessions.Principal | None) -> bool:
    """Whether the principal is a person acting as their own sole proprietorship."""
    return principal is not None and principal.kind == "business" and SOLE_PROPRIETOR_ROLE in principal.roles


def _person(db: Session, principal: sessions.Principal) -> residents.ResidentRecord:
    """The resident behind the principal: logged in with the card, or acting as their business."""
    if principal.kind == "resident" or is_sole_proprietor(principal):
        person = residents.get_resident(db, principal.subject_id)
        if person is not None:
            return person
    raise NotAResidentError("log in with your My Number Card to use a sole-proprietor account")


def _record(db: Session, row: SoleProprietorship) -> SoleProprietorRecord:
    person = residents.get_resident(db, row.resident_id)
    return SoleProprietorRecord(
        id=row.id,
        resident_id=row.resident_id,
        owner_name=person.name.full if person else "",
        trade_name=row.trade_name,
        office_address=row.office_address,
        industry=row.industry,
        opened_at=row.opened_at,
        closed_on=row.closed_on,
    )


def _open_row(db: Session, resident_id: str) -> SoleProprietorship | None:
    return db.scalars(
        select(SoleProprietorship).where(
            SoleProprietorship.resident_id == resident_id, SoleProprietorship.closed_on.is_(None)
        )
    ).first()


def sole_proprietorship_of(db: Session, resident_id: str) -> SoleProprietorRecord | None:
    """The person's open sole-proprietor account, if any."""
    row = _open_row(db, resident_id)
    return None if row is None else _record(db, row)


def get_sole_proprietorship(db: Session, account_id: str) -> SoleProprietorRecord | None:
    """An account by its id, open or closed (applications and notices name closed ones too)."""
    row = db.get(SoleProprietorship, account_id)
    return None if row is None else _record(db, row)


def _problems(trade_name: str, office_address: str, industry: str) -> list[dict[str, object]]:
    errors: list[dict[str, object]] = []
    for field, value, required in (
        ("trade_name", trade_name, False),
        ("office_address", office_address, True),
        ("industry", industry, True),
    ):
        if required and not value:
            errors.append({"location": ["body", field], "message": f"the {field} is required"})
        elif not value.isprintable():  # a control character (NUL …) is no part of a name or address
            errors.append({"location": ["body", field], "message": f"the {field} has a control character"})
        elif len(value) > LIMITS[field]:
            errors.append(
                {
                    "location": ["body", field],
                    "message": f"the {field} has at most {LIMITS[field]} characters",
                }
            )
    return errors


def open_sole_proprietorship(
    db: Session, principal: sessions.Principal, *, trade_name: str, office_address: str, industry: str
) -> SoleProprietorRecord:
    """個人事業主のアカウントを開設: for the logged-in resident, at most one open at a time."""
    person = _person(db, principal)
    trade_name, office_address, industry = trade_name.strip(), office_address.strip(), industry.strip()
    errors = _problems(trade_name, office_address, industry)
    if errors:
        raise ValidationFailed("the sole-proprietor account details are invalid", errors=errors)
    if _open_row(db, person.id) is not None:
        raise SoleProprietorExistsError("you already hold an open sole-proprietor account")
    row = SoleProprietorship(
        id=uuid.uuid4().hex,
        resident_id=person.id,
        trade_name=trade_name,
        office_address=office_address,
        industry=industry,
        opened_at=clock.now(),
    )
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:  # a concurrent request opened one first (the partial unique index)
        raise SoleProprietorExistsError("you already hold an open sole-proprietor account") from None
    history.record_event(
        db, "resident", person.id, "sole-proprietor-opened", {"account": row.id, "trade_name": trade_name}
    )
    return _record(db, row)


def close_sole_proprietorship(
    db: Session, principal: sessions.Principal, account_id: str, *, closed_on: date
) -> SoleProprietorRecord:
    """廃業: the account is closed on the declared date (not after today); the record stays."""
    person = _person(db, principal)
    row = db.get(SoleProprietorship, account_id)
    if row is None or row.resident_id != person.id or row.closed_on is not None:
        raise NotYourBusinessError("you hold no open sole-proprietor account with this id")
    today = clock.today_jst().date()
    if closed_on > today or closed_on < row.opened_at.date():
        raise ValidationFailed(
            "the closing date is between the opening of the account and today",
            errors=[{"location": ["body", "closed_on"], "message": "between the opening and today"}],
        )
    row.closed_on, row.closed_at = closed_on, clock.now()
    db.flush()
    history.record_event(
        db,
        "resident",
        person.id,
        "sole-proprietor-closed",
        {"account": row.id, "closed_on": closed_on.isoformat()},
    )
    return _record(db, row)


def act_as_business(db: Session, principal: sessions.Principal, account_id: str) -> sessions.Principal:
    """Switch to acting as the person's own open sole proprietorship (a new session's principal)."""
    person = _person(db, principal)
    row = db.get(SoleProprietorship, account_id)
    if row is None or row.resident_id != person.id or row.closed_on is not None:
        raise NotYourBusinessError("you do not hold an open sole-proprietor account with this id")
    record = _record(db, row)
    history.record_event(db, "resident", person.id, "acting-as-business", {"account": row.id})
    return sessions.Principal(
        kind="business",
        subject_id=person.id,
        display_name=record.display_name,
        organization_code=row.id,
        roles=frozenset({SOLE_PROPRIETOR_ROLE}),
    )


def act_as_self(db: Session, principal: sessions.Principal) -> sessions.Principal:
    """Back to acting as the person (the resident principal the card login gave)."""
    if not is_sole_proprietor(principal):
        raise NotAResidentError("only a person acting as their business can switch back")
    person = _person(db, principal)
    history.record_event(
        db, "resident", person.id, "acting-as-self", {"account": principal.organization_code}
    )
    return sessions.Principal(kind="resident", subject_id=person.id, display_name=person.name.full)
