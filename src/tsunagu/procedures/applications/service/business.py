"""申請 by a business: the applicant is the corporation, the acting person is the account.

A business account (gBizID-style) applies for its corporation: the prime account on every business
procedure, a member only on the procedures the prime granted it. The corporation's data are asked
from the commercial registry through the mesh (``corporations.basic`` / ``corporations.registered``)
by 法人番号 — instead of an attached 登記事項証明書 — and the application's subject is the
corporation (``corporation:<法人番号>``): receipts, 処分通知 and the signed PDF go to the business's
お知らせ, and its やりとり履歴 shows every look-up. The account that applied is recorded as the
acting person (``applicant_id``). The rest of the flow (idempotent storage, evidence after commit,
back office) is the residents' flow, reused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tsunagu.core.database import Database
from tsunagu.core.errors import Conflict, Forbidden
from tsunagu.core.sessions import Principal
from tsunagu.mesh import corporate
from tsunagu.procedures import meshlink
from tsunagu.procedures.applications import inprogress
from tsunagu.procedures.applications.service.eligibility import check_eligibility, require_eligible
from tsunagu.procedures.applications.service.evidence import collect_evidence
from tsunagu.procedures.applications.service.prefill import merge_prefilled, prefill, seal, unseal
from tsunagu.procedures.applications.service.records import (
    Application,
    NoResponsibleOrganization,
    Prefilled,
    TamperedField,
)
from tsunagu.procedures.applications.service.submission import Submission, replay, submit
from tsunagu.procedures.applications.validation import clean
from tsunagu.procedures.definition import Procedure
from tsunagu.registry.corporations import service as corporations

PRIME_ROLE = "gbizid:prime"


class NotABusiness(Forbidden):
    """Someone without a business account tried to apply as a business."""

    code = "procedures-business-account-required"
    title = "A business account is needed"


class ResidentOnlyProcedure(Forbidden):
    """A business tried to file a procedure only individuals may file."""

    code = "procedures-resident-only"
    title = "This procedure is for individuals"


class NotGranted(Forbidden):
    """A member account acted on a procedure the prime account did not grant it."""

    code = "procedures-not-granted"
    title = "This procedure was not granted to the account"


class CorporationNotActive(Conflict):
    """The corporation is closed (登記記録の閉鎖) or deleted: it can no longer file."""

    code = "procedures-corporation-closed"
    title = "The corporation is closed"


@dataclass(frozen=True)
class CorporateApplicant:
    """The corporation an application is made for, as the mesh names it."""

    id: str  # corporation:<法人番号>: the subject of its applications and look-ups
    number: str
    name: str
    municipality_code: str  # of the head office (全国地方公共団体コード), "" when unknown


def applicant_for(db: Session, principal: Principal, procedure: Procedure) -> CorporateApplicant:
    """The corporation the account acts for, once it may file ``procedure`` (each refusal named)."""
    if principal.kind != "business" or not principal.organization_code:
        raise NotABusiness("log in with a business account (gBizID) to apply for a corporation")
    if "business" not in procedure.applicants:
        raise ResidentOnlyProcedure(f"{procedure.id} is filed by individuals, not by a business")
    if PRIME_ROLE not in principal.roles and procedure.id not in principal.roles:
        raise NotGranted(
            f"the prime account has not granted {procedure.id} to this account", procedure=procedure.id
        )
    record = corporations.get_corporation(db, principal.organization_code)
    if record is None or record.status != "active":
        raise CorporationNotActive(f"the corporation {principal.organization_code} is closed")
    return CorporateApplicant(
        corporate.subject_of(record.number), record.number, record.name, record.municipality_code
    )


def _organization(procedure: Procedure, applicant: CorporateApplicant) -> str:
    """Where the filing goes: the definition's fixed organization, or the head office's municipality."""
    rule = procedure.responsible.rule
    if rule == "fixed" and procedure.responsible.organization:
        return procedure.responsible.organization
    if rule == "municipality_of_current_address" and applicant.municipality_code:
        return applicant.municipality_code
    raise NoResponsibleOrganization(f"no organization receives {procedure.id} for this corporation")


def _check(db: Session, principal: Principal, procedure: Procedure) -> tuple[CorporateApplicant, str]:
    applicant = applicant_for(db, principal, procedure)
    require_eligible(check_eligibility(procedure, {"kind": "business", "status": "active"}))
    return applicant, _organization(procedure, applicant)


@dataclass(frozen=True)
class BusinessForm:
    applicant: CorporateApplicant
    organization: str
    prefilled: Prefilled
    seal: str


def open_form(
    database: Database, gateway: meshlink.MeshGateway, secret: str, procedure: Procedure, principal: Principal
) -> BusinessForm:
    """The form as the business sees it: the corporation's registry values through the mesh, sealed."""
    with database.session() as db:
        applicant, organization = _check(db, principal, procedure)
    prefilled = prefill(gateway, procedure, applicant, organization)
    return BusinessForm(applicant, organization, prefilled, seal(secret, applicant.id, procedure, prefilled))


def prepare(
    db: Session,
    gateway: meshlink.MeshGateway | None,
    procedure: Procedure,
    principal: Principal,
    submitted: Mapping[str, Any],
    *,
    sealed: Prefilled | None,
    key: str = "",
) -> tuple[Prefilled, dict[str, Any], str, str]:
    """Grants, the corporation, organization, registry values and validation; as the residents' one."""
    applicant, organization = _check(db, principal, procedure)
    if sealed is None or sealed.stale or (not sealed.values and gateway is not None):
        if gateway is None:
            raise TamperedField("the form carries no current registry values")
        sealed = prefill(gateway, procedure, applicant, organization)
    data = clean(procedure, merge_prefilled(sealed, submitted))
    inprogress.require_none_open(db, procedure, applicant.id, own=None)
    return sealed, data, organization, applicant.id


@dataclass(frozen=True)
class BusinessDraft:
    """A filled-in form as a business account sent it (``request`` binds the Idempotency-Key)."""

    procedure: Procedure
    principal: Principal
    values: Mapping[str, Any]
    idempotency_key: str
    request: Mapping[str, Any]
    seal: str | None = None
    bundle_id: str | None = None  # the company set-up one-stop files several as one bundle


def apply(
    database: Database, gateway: meshlink.MeshGateway, secret: str, draft: BusinessDraft
) -> tuple[Application, bool]:
    """申請 by a business: (the application, whether this call created it). A key sent before
    returns its first application before anything is looked up; evidence after the commit."""
    procedure, principal, key = draft.procedure, draft.principal, draft.idempotency_key
    with database.session() as db:
        earlier = replay(db, principal, procedure.id, key, draft.request)
        if earlier is not None:
            return earlier, False
        applicant = applicant_for(db, principal, procedure)
        sealed = None if draft.seal is None else unseal(secret, draft.seal, applicant.id, procedure)
        prefilled, data, organization, subject = prepare(
            db, gateway, procedure, principal, draft.values, sealed=sealed, key=key
        )
    app, created = submit(
        database,
        Submission(
            procedure,
            principal,
            subject,
            organization,
            data,
            prefilled,
            key,
            draft.request,
            bundle_id=draft.bundle_id,
        ),
    )
    if created and app.evidence_pending:
        app = collect_evidence(database, gateway, procedure, app.id)
    return app, created
