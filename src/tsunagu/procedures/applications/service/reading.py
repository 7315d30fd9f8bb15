"""Reading applications: by id, for a principal allowed to see them, a resident's own list;
Idempotency-Key helpers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.sessions import Principal
from tsunagu.procedures.applications.service.acting import business_subject
from tsunagu.procedures.applications.service.records import (
    Application,
    ApplicationNotFound,
    AuditRecord,
    EvidenceRecord,
    ForeignApplication,
)
from tsunagu.procedures.models import (
    ProceduresApplication,
    ProceduresAudit,
    ProceduresEvidence,
)


def _evidence(row: ProceduresEvidence) -> EvidenceRecord:
    return EvidenceRecord(
        row.service,
        row.provider,
        row.mesh_service,
        row.legal_basis_id,
        row.status,
        dict(row.data),
        row.log_reference,
        row.error,
        row.attempts,
        row.fetched_at,
    )


def load(db: Session, application_id: str) -> Application:
    row = db.get(ProceduresApplication, application_id)
    if row is None:
        raise ApplicationNotFound(f"no application {application_id}")
    evidence = db.scalars(
        select(ProceduresEvidence)
        .where(ProceduresEvidence.application_id == row.id)
        .order_by(ProceduresEvidence.id)
    )
    trail = db.scalars(
        select(ProceduresAudit).where(ProceduresAudit.application_id == row.id).order_by(ProceduresAudit.id)
    )
    return _application(row, evidence, trail)


def _application(
    row: ProceduresApplication, evidence: Iterable[ProceduresEvidence], trail: Iterable[ProceduresAudit]
) -> Application:
    return Application(
        row.id,
        row.receipt_number,
        row.procedure_id,
        row.applicant_id,
        row.subject_id,
        row.applicant_kind,
        row.organization_code,
        row.status,
        dict(row.data),
        dict(row.prefilled),
        row.bundle_id,
        row.decision_reason,
        row.submitted_at,
        row.updated_at,
        row.due_on,
        tuple(_evidence(e) for e in evidence),
        tuple(AuditRecord(a.at, a.actor, a.actor_kind, a.from_status, a.to_status, a.reason) for a in trail),
    )


def get_for(db: Session, principal: Principal, application_id: str) -> Application:
    """An application the principal may see: their own (or as the person), or their organization's."""
    try:
        app = load(db, application_id)
    except ApplicationNotFound:
        raise ForeignApplication("this application is not yours") from None
    if principal.kind == "resident" and principal.subject_id in (app.applicant_id, app.subject_id):
        return app
    if principal.kind == "staff" and principal.organization_code == app.organization_code:
        return app
    # a business account sees its business's applications (whoever of its accounts applied)
    if principal.kind == "business" and app.subject_id == business_subject(principal):
        return app
    raise ForeignApplication("this application is not yours")


def list_mine(db: Session, resident_id: str, *, limit: int, offset: int) -> tuple[list[Application], int]:
    where = (ProceduresApplication.applicant_id == resident_id) | (
        ProceduresApplication.subject_id == resident_id
    )
    total = db.scalar(select(func.count()).select_from(ProceduresApplication).where(where)) or 0
    ids = db.scalars(
        select(ProceduresApplication.id)
        .where(where)
        .order_by(ProceduresApplication.submitted_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return [load(db, i) for i in ids], total


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def require_key(key: str | None) -> str:
    if not key or not (8 <= len(key) <= 128) or not key.isascii():
        raise ValidationFailed(
            "an Idempotency-Key of 8 to 128 ASCII characters is required",
            errors=[
                {
                    "location": ["header", "Idempotency-Key"],
                    "message": "8 to 128 ASCII characters",
                    "type": "idempotency-key",
                }
            ],
        )
    return key
