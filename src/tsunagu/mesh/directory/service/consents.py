"""Consents (本人の同意): what a person lets a member receive, until when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import NotFound
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import records
from tsunagu.mesh.directory.models import (
    MeshConsent,
)
from tsunagu.mesh.directory.service.changes import _read, _require_member, audit, invalid

# what a consent covers: the event kinds a subscriber may receive under it
CONSENT_SCOPES: dict[str, tuple[str, ...]] = {"moving": ("moving_notice", "address_changed", "moved_out")}


def grant_consent(
    db: Session, *, subscriber: str, resident_id: str, scope: str, expires_at: datetime, source: str
) -> records.Consent:
    """Record that the person lets a member receive their changes of ``scope`` until ``expires_at``."""
    member = _require_member(db, subscriber, "subscriber")
    if scope not in CONSENT_SCOPES:
        raise invalid("scope", f"unknown consent scope {scope!r}", "unknown_scope")
    link = codes.ensure_link(db, resident_id)
    record = db.scalar(
        select(MeshConsent).where(
            MeshConsent.subscriber == member.code,
            MeshConsent.person_link == link,
            MeshConsent.scope == scope,
            MeshConsent.source == source,
        )
    )
    if record is None:
        record = MeshConsent(
            subscriber=member.code,
            person_link=link,
            scope=scope,
            source=source,
            subject_code=codes.issue(db, member.code, link),
            granted_at=clock.now(),
        )
        db.add(record)
    record.expires_at, record.withdrawn_at = expires_at, None
    db.flush()
    return _read(records.Consent, record)


def consents_of_resident(db: Session, resident_id: str) -> list[records.Consent]:
    """Every consent the person gave, newest first (withdrawn and expired ones too)."""
    link = codes.link_of_resident(db, resident_id)
    if link is None:
        return []
    rows = db.scalars(
        select(MeshConsent)
        .where(MeshConsent.person_link == link)
        .order_by(MeshConsent.granted_at.desc(), MeshConsent.id.desc())
    )
    return [_read(records.Consent, row) for row in rows]


def withdraw_consent(db: Session, resident_id: str, consent_id: int) -> records.Consent:
    """The person takes a consent back (同意の撤回): from now on the subscriber is neither told of
    their changes nor authorized under it. Withdrawing twice changes nothing."""
    link = codes.link_of_resident(db, resident_id)
    record = db.get(MeshConsent, consent_id)
    if record is None or link is None or record.person_link != link:
        raise NotFound(f"you have no consent {consent_id}")
    if record.withdrawn_at is None:
        before = _read(records.Consent, record).model_dump(mode="json")
        record.withdrawn_at = clock.now()
        db.flush()
        audit(
            db,
            f"resident:{resident_id}",
            "consent.withdraw",
            f"consent/{consent_id}",
            before=before,
            after=_read(records.Consent, record).model_dump(mode="json"),
        )
    return _read(records.Consent, record)


def consented(db: Session, subscriber: str, person_link: str, kind: str | None, at: datetime) -> bool:
    """A live consent of the person for this subscriber (covering event ``kind``, if one is given)."""
    scopes = [scope for scope, kinds in CONSENT_SCOPES.items() if kind is None or kind in kinds]
    return (
        db.scalar(
            select(MeshConsent.id)
            .where(
                MeshConsent.subscriber == subscriber,
                MeshConsent.person_link == person_link,
                MeshConsent.scope.in_(scopes),
                MeshConsent.withdrawn_at.is_(None),
                MeshConsent.expires_at > at,
            )
            .limit(1)
        )
        is not None
    )
