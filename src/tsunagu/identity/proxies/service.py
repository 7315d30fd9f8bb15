"""Proxies (代理人): who may act for a resident, for which procedures, until when.

Acting as a proxy is written to both people's 操作履歴, so the represented person always sees
what was done in their name.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import Forbidden, NotFound, ValidationFailed
from tsunagu.identity.history import service as history
from tsunagu.identity.proxies.models import ProxyGrant
from tsunagu.registry.residents import service as residents


class ProxyNotAuthorized(Forbidden):
    code = "proxy-not-authorized"
    title = "Not a proxy for this person and procedure"


@dataclass(frozen=True)
class ProxyRecord:
    id: str
    principal_id: str
    proxy_id: str
    procedures: tuple[str, ...] | None  # None: every procedure
    ends_on: date
    created_at: datetime
    withdrawn_at: datetime | None

    def active_on(self, day: date) -> bool:
        return self.withdrawn_at is None and day <= self.ends_on

    def covers(self, procedure: str) -> bool:
        return self.procedures is None or procedure in self.procedures


def _record(row: ProxyGrant) -> ProxyRecord:
    return ProxyRecord(
        id=row.id,
        principal_id=row.principal_id,
        proxy_id=row.proxy_id,
        procedures=tuple(row.procedures) if row.procedures is not None else None,
        ends_on=row.ends_on,
        created_at=row.created_at,
        withdrawn_at=row.withdrawn_at,
    )


def register_proxy(
    db: Session, principal_id: str, proxy_id: str, *, procedures: list[str] | None, ends_on: date
) -> ProxyRecord:
    """代理人の登録: ``principal_id`` lets ``proxy_id`` act for them (all procedures when None)."""
    errors: list[dict[str, object]] = []
    proxy = residents.get_resident(db, proxy_id)
    if proxy_id == principal_id:
        errors.append({"location": ["proxy_id"], "message": "you cannot be your own proxy", "type": "self"})
    elif proxy is None or proxy.status == "deceased":
        errors.append(
            {
                "location": ["proxy_id"],
                "message": "no living resident with this id",
                "type": "unknown-resident",
            }
        )
    if ends_on <= clock.today_jst().date():
        errors.append(
            {"location": ["ends_on"], "message": "the end date must be in the future", "type": "date-past"}
        )
    cleaned = sorted({p.strip() for p in procedures if p.strip()}) if procedures is not None else None
    if cleaned is not None and not cleaned:
        errors.append(
            {
                "location": ["procedures"],
                "message": "name at least one procedure, or choose all",
                "type": "missing",
            }
        )
    if errors:
        raise ValidationFailed("the proxy registration is not valid", errors=errors)
    row = ProxyGrant(
        id=uuid.uuid4().hex,
        principal_id=principal_id,
        proxy_id=proxy_id,
        procedures=cleaned,
        ends_on=ends_on,
        created_at=clock.now(),
    )
    db.add(row)
    db.flush()
    detail = {"proxy_grant": row.id, "procedures": cleaned or "all", "ends_on": ends_on.isoformat()}
    history.record_event(db, "resident", principal_id, "proxy-registered", {**detail, "proxy": proxy_id})
    history.record_event(db, "resident", proxy_id, "proxy-granted", {**detail, "principal": principal_id})
    return _record(row)


def withdraw_proxy(db: Session, principal_id: str, grant_id: str) -> ProxyRecord:
    """代理人の解除 by the represented person."""
    row = db.get(ProxyGrant, grant_id)
    if row is None or row.principal_id != principal_id:
        raise NotFound(f"no proxy registration {grant_id} of yours")
    if row.withdrawn_at is None:
        row.withdrawn_at = clock.now()
        db.flush()
        detail = {"proxy_grant": row.id}
        history.record_event(
            db, "resident", principal_id, "proxy-withdrawn", {**detail, "proxy": row.proxy_id}
        )
        history.record_event(
            db, "resident", row.proxy_id, "proxy-withdrawn", {**detail, "principal": principal_id}
        )
    return _record(row)


def proxies_of(db: Session, resident_id: str) -> list[ProxyRecord]:
    """Registrations where ``resident_id`` is either side, newest first."""
    rows = db.scalars(
        select(ProxyGrant)
        .where(or_(ProxyGrant.principal_id == resident_id, ProxyGrant.proxy_id == resident_id))
        .order_by(ProxyGrant.created_at.desc())
    )
    return [_record(row) for row in rows]


def act_as_proxy(db: Session, proxy_id: str, principal_id: str, procedure: str, action: str) -> ProxyRecord:
    """Check that ``proxy_id`` may do ``procedure`` for ``principal_id`` today; log it in both histories.

    Procedures call this before accepting an application made by a proxy.
    """
    today = clock.today_jst().date()
    rows = db.scalars(
        select(ProxyGrant).where(ProxyGrant.principal_id == principal_id, ProxyGrant.proxy_id == proxy_id)
    )
    grant = next((r for r in map(_record, rows) if r.active_on(today) and r.covers(procedure)), None)
    if grant is None:
        raise ProxyNotAuthorized(f"you are not a registered proxy of this person for {procedure}")
    detail = {"proxy_grant": grant.id, "procedure": procedure, "action": action}
    history.record_event(db, "resident", principal_id, "acted-by-proxy", {**detail, "proxy": proxy_id})
    history.record_event(db, "resident", proxy_id, "acted-as-proxy", {**detail, "principal": principal_id})
    return grant
