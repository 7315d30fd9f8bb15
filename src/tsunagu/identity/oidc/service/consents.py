"""A resident's remembered consents (同意の一覧) and their withdrawal."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.identity.oidc import claims as attribute_claims
from tsunagu.identity.oidc.errors import (
    ConsentNotFoundError,
)
from tsunagu.identity.oidc.models import Client, Consent
from tsunagu.identity.oidc.service.records import ConsentView


def consents_of(db: Session, resident_id: str) -> list[ConsentView]:
    """The resident's remembered consents, newest first (同意の一覧)."""
    rows = db.execute(
        select(Consent, Client)
        .join(Client, Client.client_id == Consent.client_id)
        .where(Consent.resident_id == resident_id, Consent.withdrawn_at.is_(None))
        .order_by(Consent.granted_at.desc(), Consent.id.desc())
    )
    return [
        ConsentView(
            id=consent.id,
            client_id=client.client_id,
            client_name=client.name,
            organization_code=client.organization_code,
            attributes=tuple(
                attribute_claims.BY_SCOPE[s] for s in consent.scopes if s in attribute_claims.BY_SCOPE
            ),
            granted_at=consent.granted_at,
        )
        for consent, client in rows
    ]


def withdraw_consent(db: Session, resident_id: str, consent_id: int) -> ConsentView:
    """同意の撤回: the next login at that service asks again."""
    withdrawn = next((c for c in consents_of(db, resident_id) if c.id == consent_id), None)
    consent = db.get(Consent, consent_id)
    if withdrawn is None or consent is None:
        raise ConsentNotFoundError("no such consent of yours")
    consent.withdrawn_at = clock.now()
    db.flush()
    return withdrawn
