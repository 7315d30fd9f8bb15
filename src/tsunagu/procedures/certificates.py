"""証明書の交付: a certificate (住民票の写し) issued as a signed electronic document on approval.

Signed like a 処分通知 (the issuing municipality's ES256 key) and stored with the notices, so the
same verification page and JWKS check it; the record comes from the municipality's own register.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.models import ProceduresApplication, ProceduresNotice
from tsunagu.procedures.notices import service as notices
from tsunagu.registry.residents import service as residents

DECISION = "certificate"


def _entry(person: residents.ResidentRecord, *, relationship: bool) -> dict[str, Any]:
    a = person.address
    entry: dict[str, Any] = {
        "name": f"{person.name.family} {person.name.given}",
        "name_kana": f"{person.name.family_kana} {person.name.given_kana}",
        "birth_date": person.birth_date.isoformat(),
        "sex": person.sex,
        "address": "".join(
            str(part)
            for part in (
                a.prefecture,
                a.municipality,
                a.town,
                a.koaza,
                a.banchi and f"{a.banchi}",
                a.go and f"-{a.go}",
            )
            if part
        ),
    }
    if relationship:
        entry["relationship"] = person.relationship
    return entry


def issue(
    db: Session, secret: str, procedure: Procedure, row: ProceduresApplication, issuer_name: str
) -> str | None:
    """The signed certificate for an approved application whose procedure issues one, else None."""
    if procedure.issues is None or not procedure.issues.signed:
        return None
    person = residents.get_resident(db, row.subject_id)
    if person is None:
        return None
    relationship = bool(row.data.get("with_relationship"))
    people = (
        residents.household_members(db, person.household_id)
        if row.data.get("scope") == "household"
        else [person]
    )
    now = clock.now()
    document_id = uuid.uuid4().hex
    payload = {
        "type": "住民票の写し",
        "id": document_id,
        "issuer": row.organization_code,
        "issuer_name": issuer_name,
        "recipient": row.subject_id,
        "recipient_name": f"{person.name.family} {person.name.given}",
        "procedure": procedure.id,
        "receipt_number": row.receipt_number,
        "issued_at": now.isoformat(),
        "title": procedure.issues.document.model_dump(),
        "copies": int(row.data.get("copies") or 1),
        "household_id": person.household_id if row.data.get("scope") == "household" else None,
        "records": [_entry(p, relationship=relationship) for p in people],
    }
    token = notices.sign(secret, row.organization_code, payload)
    db.add(
        ProceduresNotice(
            id=document_id,
            application_id=row.id,
            issuer=row.organization_code,
            decision=DECISION,
            document=token,
            issued_at=now,
        )
    )
    db.flush()
    return token
