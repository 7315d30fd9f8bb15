"""API shapes of applications, the back office and notices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from tsunagu.procedures.applications.service import Application, Prefilled
from tsunagu.procedures.notices.service import Verification


class ApplicationIn(BaseModel):
    procedure_id: str = Field(max_length=64)
    data: dict[str, Any] = Field(
        default_factory=dict, description="Only the fields not filled from registries."
    )
    on_behalf_of: str | None = Field(None, max_length=64, description="Resident id when applying as a proxy")
    prefill_seal: str | None = Field(
        None,
        max_length=16_000,
        description="The seal from GET /api/v1/procedures/{procedure_id}/prefill: its registry values "
        "are used instead of fetching them again (a changed seal is refused with 403).",
    )

    def request(self) -> dict[str, Any]:
        """What an idempotency key is bound to (what was sent, not the registry values)."""
        return {"data": self.data, "on_behalf_of": self.on_behalf_of}


class ProvenanceOut(BaseModel):
    provider: str
    mesh_service: str
    legal_basis_id: str
    request_id: str = Field(description="Mesh request id: find it in やりとり履歴 and the logs")
    fetched_at: datetime


class PrefillOut(BaseModel):
    """The registry values of a new application and their seal (what the page's form carries)."""

    procedure_id: str
    organization_code: str | None = Field(
        description="The organization the registries were asked as; null while it depends on the "
        "application (the destination): the values are then fetched at submission."
    )
    values: dict[str, Any] = Field(description="Field → value filled from a registry")
    sources: dict[str, ProvenanceOut]
    unavailable: list[str] = Field(description="Prefill fields no registry could answer now")
    prefill_seal: str = Field(description="Send it back as prefill_seal when submitting.")

    @classmethod
    def of(cls, procedure_id: str, organization: str | None, prefilled: Prefilled, seal: str) -> PrefillOut:
        return cls(
            procedure_id=procedure_id,
            organization_code=organization,
            values=prefilled.values,
            sources={name: ProvenanceOut(**origin.__dict__) for name, origin in prefilled.sources.items()},
            unavailable=list(prefilled.unavailable),
            prefill_seal=seal,
        )


class EvidenceOut(BaseModel):
    service: str
    provider: str
    mesh_service: str
    legal_basis_id: str
    status: str = Field(description="pending, ok or unavailable (retry later)")
    data: dict[str, Any]
    log_reference: str = Field(description="Mesh request id: find it in やりとり履歴 and the logs")
    error: str
    attempts: int
    fetched_at: datetime | None


class AuditOut(BaseModel):
    at: datetime
    actor: str
    actor_kind: str
    from_status: str
    to_status: str
    reason: str


class ApplicationOut(BaseModel):
    id: str
    receipt_number: str
    procedure_id: str
    organization_code: str
    status: str
    data: dict[str, Any]
    prefilled: dict[str, Any] = Field(description="Field → provenance of registry values")
    decision_reason: str
    submitted_at: datetime
    due_on: date
    overdue: bool
    evidence: list[EvidenceOut]
    audit: list[AuditOut]

    @classmethod
    def of(cls, app: Application, today: date) -> ApplicationOut:
        return cls(
            id=app.id,
            receipt_number=app.receipt_number,
            procedure_id=app.procedure_id,
            organization_code=app.organization_code,
            status=app.status,
            data=app.data,
            prefilled=app.prefilled,
            decision_reason=app.decision_reason,
            submitted_at=app.submitted_at,
            due_on=app.due_on,
            overdue=app.overdue(today),
            evidence=[EvidenceOut(**e.__dict__) for e in app.evidence],
            audit=[AuditOut(**a.__dict__) for a in app.audit],
        )


class DecisionIn(BaseModel):
    action: Literal["start_review", "approve", "reject", "return"]
    reason: str = Field("", max_length=2000)
    fields: list[str] = Field(
        default_factory=list, max_length=50, description="On return: the fields the applicant must correct."
    )


class ResubmitIn(BaseModel):
    data: dict[str, Any] = Field(
        default_factory=dict, description="Only the corrected fields; the others keep their values."
    )


class WithdrawIn(BaseModel):
    reason: str = Field("", max_length=2000)


class AttachmentOut(BaseModel):
    id: str
    field: str
    filename: str
    content_type: str = Field(description="The type recognised from the file's bytes")
    size: int
    sha256: str
    uploaded_at: datetime


class DocumentIn(BaseModel):
    document: str = Field(max_length=64_000)


class VerificationOut(BaseModel):
    valid: bool
    issuer: str
    reason: str
    registered: bool = Field(description="The notice is on record at this platform")
    sha256: str = Field("", description="SHA-256 of the signed document (printed on its PDF)")

    @classmethod
    def of(cls, result: Verification) -> VerificationOut:
        return cls.model_validate(result, from_attributes=True)

    payload: dict[str, Any] | None
