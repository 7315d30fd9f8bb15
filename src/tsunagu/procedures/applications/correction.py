"""補正と取下げ: staff return an application for correction (which fields, why); the applicant
resubmits the corrected application or withdraws it. Every step goes through the state machine,
is audited and reaches the お知らせ inbox; a resubmission is idempotent under its key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.sessions import Principal
from tsunagu.core.types.wareki import format_wareki
from tsunagu.notify import service as inbox
from tsunagu.procedures import service as catalogue
from tsunagu.procedures import statemachine
from tsunagu.procedures.applications import attachments
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.applications.validation import FieldError, InvalidApplication, UploadedFile, clean
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.models import ProceduresApplication, ProceduresCorrection, ProceduresIdempotencyKey
from tsunagu.procedures.payments import service as payments
from tsunagu.procedures.registry import LiveRegistry

RESUBMIT_KEY_PREFIX = "resubmit:"


@dataclass(frozen=True)
class CorrectionRequest:
    """What the staff asked to correct; no fields means the whole application may change."""

    reason: str
    fields: tuple[str, ...]
    requested_at: datetime


def request(
    db: Session, staff: Principal, row: ProceduresApplication, reason: str, fields: list[str]
) -> None:
    """Record a return for correction (差戻し) with the fields to correct (in the decision's transaction)."""
    db.add(
        ProceduresCorrection(
            application_id=row.id,
            requested_by=staff.subject_id,
            requested_at=clock.now(),
            reason=reason,
            fields=sorted(set(fields)),
            resolved_at=None,
        )
    )


def open_request(db: Session, application_id: str) -> CorrectionRequest | None:
    """The correction the applicant has been asked for and not yet answered."""
    return _as_request(_open(db, application_id))


def _as_request(row: ProceduresCorrection | None) -> CorrectionRequest | None:
    return None if row is None else CorrectionRequest(row.reason, tuple(row.fields), row.requested_at)


def _open(db: Session, application_id: str) -> ProceduresCorrection | None:
    return db.scalar(
        select(ProceduresCorrection)
        .where(
            ProceduresCorrection.application_id == application_id, ProceduresCorrection.resolved_at.is_(None)
        )
        .order_by(ProceduresCorrection.id.desc())
        .limit(1)
    )


def _own(db: Session, principal: Principal, application_id: str) -> ProceduresApplication:
    """The application locked for an applicant action; only its applicant (or the person) may act."""
    row = db.get(ProceduresApplication, application_id, with_for_update=True)
    if (
        row is None
        or principal.kind != "resident"
        or principal.subject_id
        not in (
            row.applicant_id,
            row.subject_id,
        )
    ):
        raise applications.ForeignApplication("this application is not yours")
    return row


def _tell(db: Session, row: ProceduresApplication, procedure: Procedure, title: str, body: str) -> None:
    for recipient in {row.subject_id, row.applicant_id}:
        inbox.deliver(
            db,
            recipient,
            sender=row.organization_code,
            kind="status",
            title=f"{procedure.name.ja}（{row.receipt_number}）: {title}",
            body=body,
            link=f"/applications/{row.id}",
        )


def withdraw(
    db: Session, registry: LiveRegistry, principal: Principal, application_id: str, *, reason: str = ""
) -> applications.Application:
    """取下げ: the applicant ends an application not yet decided (again: nothing more happens)."""
    row = _own(db, principal, application_id)
    procedure = catalogue.get_procedure(registry, row.procedure_id)
    if row.status == "withdrawn":
        return applications.load(db, row.id)
    target = statemachine.next_status(row.status, "withdraw")
    previous, row.status, row.updated_at = row.status, target, clock.now()
    correction = _open(db, row.id)
    if correction is not None:
        correction.resolved_at = row.updated_at
    payments.request_refund(db, row.id)
    applications.audit(db, row.id, principal, from_status=previous, to_status=target, reason=reason.strip())
    _tell(db, row, procedure, "取下げ", f"{procedure.name.ja}の申請を取り下げました。")
    db.flush()
    return applications.load(db, row.id)


def editable_fields(
    procedure: Procedure, app: applications.Application, wanted: CorrectionRequest | None
) -> list[str]:
    """The fields the applicant may change: the flagged ones, else every field not from a registry."""
    fields = [f.name for f in procedure.fields if f.name not in app.prefilled]
    if wanted is not None and wanted.fields:
        return [name for name in fields if name in wanted.fields]
    return fields


def resubmit(
    db: Session,
    registry: LiveRegistry,
    principal: Principal,
    application_id: str,
    values: Mapping[str, Any],
    *,
    key: str,
) -> applications.Application:
    """再提出: the corrected application goes back to the office (the same key → the same result)."""
    row = _own(db, principal, application_id)
    procedure = catalogue.get_procedure(registry, row.procedure_id)
    stored_key = RESUBMIT_KEY_PREFIX + hashlib.sha256(key.encode()).hexdigest()  # fits the key column
    digest = applications.fingerprint(f"{procedure.id}#{row.id}", values)
    earlier = db.scalar(
        select(ProceduresIdempotencyKey).where(
            ProceduresIdempotencyKey.applicant_id == principal.subject_id,
            ProceduresIdempotencyKey.key == stored_key,
        )
    )
    if earlier is not None:
        if earlier.request_sha256 != digest or earlier.application_id != row.id:
            raise applications.IdempotencyKeyReused(
                f"the key {key!r} was already used for another submission"
            )
        return applications.load(db, row.id)
    target = statemachine.next_status(row.status, "resubmit")
    data = _checked(db, principal, procedure, row, values=values, key=key)
    correction = _open(db, row.id)
    now = clock.now()
    row.data, row.status, row.updated_at = data, target, now
    row.due_on = clock.today_jst().date() + timedelta(days=procedure.processing_days)
    attachments.attach_pending(db, principal.subject_id, key, row.id)
    if correction is not None:
        correction.resolved_at = now
    db.add(
        ProceduresIdempotencyKey(
            applicant_id=principal.subject_id,
            key=stored_key,
            request_sha256=digest,
            application_id=row.id,
            created_at=now,
        )
    )
    applications.audit(db, row.id, principal, from_status="returned", to_status=target, reason="再提出")
    _tell(
        db,
        row,
        procedure,
        "再提出を受け付けました",
        f"修正された{procedure.name.ja}を受け付けました。\n処理の目安: {format_wareki(row.due_on)}まで",
    )
    db.flush()
    return applications.load(db, row.id)


def check(
    db: Session,
    registry: LiveRegistry,
    principal: Principal,
    application_id: str,
    values: Mapping[str, Any],
    *,
    key: str,
) -> dict[str, Any]:
    """The corrected application's values, validated but not stored (the review step)."""
    row = _own(db, principal, application_id)
    statemachine.next_status(row.status, "resubmit")
    procedure = catalogue.get_procedure(registry, row.procedure_id)
    return _checked(db, principal, procedure, row, values=values, key=key)


def _checked(
    db: Session,
    principal: Principal,
    procedure: Procedure,
    row: ProceduresApplication,
    *,
    values: Mapping[str, Any],
    key: str,
) -> dict[str, Any]:
    app = applications.load(db, row.id)
    uploads = attachments.pending(db, principal.subject_id, key)
    return clean(procedure, _corrected(procedure, app, open_request(db, row.id), values, uploads))


def _corrected(
    procedure: Procedure,
    app: applications.Application,
    wanted: CorrectionRequest | None,
    values: Mapping[str, Any],
    uploads: Mapping[str, UploadedFile],
) -> dict[str, Any]:
    """The stored values with the applicant's changes; a change outside what was asked is refused."""
    allowed = set(editable_fields(procedure, app, wanted))
    refused = [
        FieldError(name, "この項目は修正を求められていません。")
        for name, value in values.items()
        if procedure.field(name) is not None and name not in allowed and value != app.data.get(name)
    ]
    if refused:
        raise InvalidApplication(refused)
    merged: dict[str, Any] = dict(app.data)
    for field in procedure.fields:
        if field.type == "file" and isinstance(merged.get(field.name), dict):
            merged[field.name] = UploadedFile(**merged[field.name])
    merged.update(
        {name: value for name, value in values.items() if name in allowed or procedure.field(name) is None}
    )
    merged.update({name: upload for name, upload in uploads.items() if name in allowed})
    return merged
