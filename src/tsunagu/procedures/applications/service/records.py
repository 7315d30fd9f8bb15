"""The errors and values of 申請: an eligibility verdict, prefilled values, evidence, the audit trail and
the application itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tsunagu.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tsunagu.procedures import statemachine
from tsunagu.procedures.definition import Localized

ADULT_AGE = 18


class ApplicationNotFound(NotFound):
    code = "application-not-found"
    title = "Application not found"


class ForeignApplication(Forbidden):
    code = "application-forbidden"
    title = "This application is not yours"


class TamperedField(Forbidden):
    code = "application-tampered"
    title = "A value filled from the registry was changed"


class NotEligible(Forbidden):
    code = "application-not-eligible"
    title = "You cannot apply for this procedure"


class IdempotencyKeyReused(Conflict):
    code = "idempotency-key-reused"
    title = "This idempotency key was used for a different submission"


class AlreadyFiledInBundle(Conflict):
    """The bundle already holds a standing application of this procedure (another family member
    filed the same おくやみ part first); ``application_id`` names it."""

    code = "application-already-in-bundle"
    title = "This procedure was already filed in this bundle"


class NoResponsibleOrganization(ValidationFailed):
    code = "application-no-responsible-organization"
    title = "The organization to apply to could not be determined"


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    summary: Localized | None
    reasons: tuple[Localized, ...] = ()
    what_to_do: Localized | None = None


@dataclass(frozen=True)
class Provenance:
    provider: str
    mesh_service: str
    legal_basis_id: str
    request_id: str
    fetched_at: str


@dataclass(frozen=True)
class Prefilled:
    """Values filled from registries, each with where it came from; what could not be fetched."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Provenance] = field(default_factory=dict)
    unavailable: tuple[str, ...] = ()
    stale: bool = False  # sealed longer ago than SEAL_SECONDS: fetched again before use


@dataclass(frozen=True)
class EvidenceRecord:
    service: str
    provider: str
    mesh_service: str
    legal_basis_id: str
    status: str
    data: dict[str, Any]
    log_reference: str
    error: str
    attempts: int
    fetched_at: datetime | None


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    actor: str
    actor_kind: str
    from_status: str
    to_status: str
    reason: str


@dataclass(frozen=True)
class Application:
    id: str
    receipt_number: str
    procedure_id: str
    applicant_id: str
    subject_id: str
    applicant_kind: str
    organization_code: str
    status: str
    data: dict[str, Any]
    prefilled: dict[str, Any]
    bundle_id: str | None
    decision_reason: str
    submitted_at: datetime
    updated_at: datetime
    due_on: date
    evidence: tuple[EvidenceRecord, ...] = ()
    audit: tuple[AuditRecord, ...] = ()

    @property
    def evidence_pending(self) -> bool:
        return any(e.status != "ok" for e in self.evidence)

    def overdue(self, today: date) -> bool:
        return self.status in statemachine.OPEN and today > self.due_on
