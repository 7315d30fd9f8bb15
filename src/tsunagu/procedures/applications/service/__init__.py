"""申請: eligibility, prefill through the mesh, durable idempotent submission, evidence, status.

A submission is committed (application + idempotency record + audit + お知らせ, one transaction)
before anything is acknowledged; mesh look-ups for evidence happen after that commit, so a
provider that is down leaves the application saved with its evidence marked for retry.
"""

from __future__ import annotations

from tsunagu.procedures.applications.service.apply import Draft, apply
from tsunagu.procedures.applications.service.eligibility import (
    FormStart,
    OpenedForm,
    applicant_of,
    attributes_of,
    check_eligibility,
    open_form,
    require_eligible,
    responsible_organization,
)
from tsunagu.procedures.applications.service.evidence import collect_evidence, retry_evidence
from tsunagu.procedures.applications.service.prefill import (
    SEAL_SECONDS,
    merge_prefilled,
    prefill,
    seal,
    unseal,
)
from tsunagu.procedures.applications.service.reading import (
    get_for,
    list_mine,
    load,
    new_idempotency_key,
    require_key,
)
from tsunagu.procedures.applications.service.records import (
    ADULT_AGE,
    AlreadyFiledInBundle,
    Application,
    ApplicationNotFound,
    AuditRecord,
    Eligibility,
    EvidenceRecord,
    ForeignApplication,
    IdempotencyKeyReused,
    NoResponsibleOrganization,
    NotEligible,
    Prefilled,
    Provenance,
    TamperedField,
)
from tsunagu.procedures.applications.service.submission import (
    Submission,
    audit,
    fingerprint,
    next_receipt,
    prepare,
    replay,
    submit,
)

__all__ = [
    "ADULT_AGE",
    "SEAL_SECONDS",
    "AlreadyFiledInBundle",
    "Application",
    "ApplicationNotFound",
    "AuditRecord",
    "Draft",
    "Eligibility",
    "EvidenceRecord",
    "ForeignApplication",
    "FormStart",
    "IdempotencyKeyReused",
    "NoResponsibleOrganization",
    "NotEligible",
    "OpenedForm",
    "Prefilled",
    "Provenance",
    "Submission",
    "TamperedField",
    "applicant_of",
    "apply",
    "attributes_of",
    "audit",
    "check_eligibility",
    "collect_evidence",
    "fingerprint",
    "get_for",
    "list_mine",
    "load",
    "merge_prefilled",
    "new_idempotency_key",
    "next_receipt",
    "open_form",
    "prefill",
    "prepare",
    "replay",
    "require_eligible",
    "require_key",
    "responsible_organization",
    "retry_evidence",
    "seal",
    "submit",
    "unseal",
]
