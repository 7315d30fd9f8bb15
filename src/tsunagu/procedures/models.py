"""Tables of applications (申請), their evidence, audit trail, receipts and one-stop bundles."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime

#: an application in a bundle that still stands (a withdrawn or refused one may be filed again)
_STANDING_IN_BUNDLE = text("bundle_id IS NOT NULL AND status NOT IN ('withdrawn', 'rejected')")


class ProceduresApplication(Base):
    """One application: who applied for what, to whom, with which data, in which state."""

    __tablename__ = "procedures_applications"
    __table_args__ = (
        Index("ix_procedures_applications_inbox", "organization_code", "status", "submitted_at"),
        # a bundle (one death's おくやみ filings, a move, a company set-up) files each procedure
        # once while it stands: two family members filing the same part at once cannot both win
        Index(
            "uq_procedures_applications_bundle_part",
            "bundle_id",
            "procedure_id",
            unique=True,
            sqlite_where=_STANDING_IN_BUNDLE,
            postgresql_where=_STANDING_IN_BUNDLE,
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    receipt_number: Mapped[str] = mapped_column(String(32), unique=True)
    procedure_id: Mapped[str] = mapped_column(String(64), index=True)
    procedure_revision: Mapped[str] = mapped_column(String(64))
    applicant_id: Mapped[str] = mapped_column(String(64), index=True)
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    applicant_kind: Mapped[str] = mapped_column(String(16))
    organization_code: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    prefilled: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    bundle_id: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_on: Mapped[date] = mapped_column(Date)


class ProceduresIdempotencyKey(Base):
    """A submission key of one applicant: the same key always answers with the same receipt."""

    __tablename__ = "procedures_idempotency_keys"
    __table_args__ = (UniqueConstraint("applicant_id", "key", name="uq_procedures_idempotency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    applicant_id: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    request_sha256: Mapped[str] = mapped_column(String(64))
    application_id: Mapped[str] = mapped_column(ForeignKey("procedures_applications.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProceduresReceiptCounter(Base):
    """The last receipt number handed out per organization and year (受付番号の採番)."""

    __tablename__ = "procedures_receipt_counters"

    organization_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class ProceduresReceiptPrefix(Base):
    """受付番号の機関番号: the number that stands for an organization in its receipt numbers when its
    code is not a 地方公共団体コード (a national office such as a 税務署). A person reads a receipt
    number out on the phone, so it is digits only; an internal code never shows in it.
    Numbers are handed out from 900001 on first use and never change."""

    __tablename__ = "procedures_receipt_prefixes"

    organization_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)


class ProceduresEvidence(Base):
    """Registry data fetched through the mesh instead of an attachment, with its provenance."""

    __tablename__ = "procedures_evidence"
    __table_args__ = (UniqueConstraint("application_id", "service", name="uq_procedures_evidence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("procedures_applications.id"), index=True)
    service: Mapped[str] = mapped_column(String(128))
    provider: Mapped[str] = mapped_column(String(32))
    mesh_service: Mapped[str] = mapped_column(String(128))
    legal_basis_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    log_reference: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ProceduresAudit(Base):
    """Every step of an application: who, when, from → to, why."""

    __tablename__ = "procedures_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("procedures_applications.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    actor_kind: Mapped[str] = mapped_column(String(16))
    organization_code: Mapped[str] = mapped_column(String(32), default="")
    from_status: Mapped[str] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(Text, default="")


class ProceduresNotice(Base):
    """処分通知 issued for an application: the signed document (JWS) as sent."""

    __tablename__ = "procedures_notices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("procedures_applications.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(16))
    document: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProceduresConsent(Base):
    """引越しワンストップ: the person's explicit consent to tell one private service, and its outcome."""

    __tablename__ = "procedures_consents"
    __table_args__ = (UniqueConstraint("bundle_id", "company", name="uq_procedures_consent"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bundle_id: Mapped[str] = mapped_column(String(32), index=True)
    resident_id: Mapped[str] = mapped_column(String(64))
    company: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProceduresAttachment(Base):
    """An uploaded file of an application, its bytes kept in the same transaction as the application.

    Before submission it is pending: held for the form (``owner_id`` + ``upload_key``, the form's
    idempotency key) between the review and the submit step, then linked to the application.
    """

    __tablename__ = "procedures_attachments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    application_id: Mapped[str | None] = mapped_column(
        ForeignKey("procedures_applications.id"), index=True, nullable=True
    )
    owner_id: Mapped[str] = mapped_column(String(64))
    upload_key: Mapped[str] = mapped_column(String(128), index=True)
    field: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProceduresCorrection(Base):
    """補正の依頼: why staff returned an application and which fields they want corrected."""

    __tablename__ = "procedures_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("procedures_applications.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
