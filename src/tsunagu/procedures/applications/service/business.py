"""申請 by a business: the applicant is the corporation, the acting person is the account.

A business account (gBizID-style) applies for its corporation: the prime account on every business
procedure, a member only on the procedures the prime granted it. The corporation's data are asked
from the commercial registry through the mesh (``corporations.basic`` / ``corporations.registered``)
by 法人番号 — instead of an attached 登記事項証明書 — and the application's subject is the
corporation (``corporation:<法人番号>``): receipts, 処分通知 and the signed PDF go to the business's
お知らせ, and its やりとり履歴 shows every look-up. The account that applied is recorded as the
acting person (``applicant_id``). The rest of the flow (idempotent storage, evidence after commit,
back office) is the residents' flow, reused.

A sole proprietor (個人事業主, applicant kind ``sole_proprietor``) is a person acting as their own
business: no 法人番号, the subject is ``sole-proprietor:<account>``, the registry values are the
person's own (基本4情報 through the mesh, asked about the person), and the person is the applicant.
Corporation-only procedures refuse sole proprietors and the reverse, each with its own error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tsunagu.core.database import Database
from tsunagu.core.errors import Conflict, Forbidden
from tsunagu.core.sessions import Principal
from tsunagu.identity.business import service as accounts
from tsunagu.mesh import corporate
from tsunagu.procedures import meshlink
from tsunagu.procedures.applications import attachments, inprogress
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
from tsunagu.registry.residents import service as residents

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


class CorporationOnlyProcedure(Forbidden):
    """A sole proprietor tried to file a procedure only corporations file (法人設立届出書 …)."""

    code = "procedures-corporation-only"
    title = "This procedure is for corporations"


class SoleProprietorOnlyProcedure(Forbidden):
    """A corporation tried to file a procedure only sole proprietors file (開業届 …)."""

    code = "procedures-sole-proprietor-only"
    title = "This procedure is for sole proprietors"


class SoleProprietorshipClosed(Conflict):
    """The sole proprietorship was closed (廃業) since the person switched to it."""

    code = "procedures-sole-proprietorship-closed"
    title = "The sole proprietorship is closed"


@dataclass(frozen=True)
class CorporateApplicant:
    """The business an application is made for, as the mesh names it: a corporation, or a sole
    proprietor (then ``number`` is "" and registry values are asked about the person)."""

    id: str  # corporation:<法人番号> or sole-proprietor:<account>: the subject of its applications
    number: str
    name: str
    municipality_code: str  # of the head office or the person's address, "" when unknown
    registry_id: str = ""  # whom registry values are asked about, when not ``id`` (the person)
    kind: str = "business"

    @property
    def asked(self) -> _Asked:
        return _Asked(self.registry_id or self.id, self.municipality_code)


@dataclass(frozen=True)
class _Asked:
    """The subject of registry look-ups (prefill.Subject)."""

    id: str
    municipality_code: str


def _sole_proprietor(db: Session, principal: Principal, procedure: Procedure) -> CorporateApplicant:
    if "sole_proprietor" not in procedure.applicants:
        if "business" in procedure.applicants:
            raise CorporationOnlyProcedure(
                f"{procedure.id} is filed by corporations, not by a sole proprietor"
            )
        raise ResidentOnlyProcedure(
            f"{procedure.id} is filed by individuals: switch back to acting as yourself"
        )
    record = accounts.get_sole_proprietorship(db, principal.organization_code or "")
    if record is None or record.resident_id != principal.subject_id or record.closed_on is not None:
        raise SoleProprietorshipClosed("the sole proprietorship you act for is closed")
    person = residents.get_resident(db, record.resident_id)
    return CorporateApplicant(
        record.subject,
        "",
        record.display_name,
        person.municipality_code if person else "",
        registry_id=record.resident_id,
        kind="sole_proprietor",
    )


def applicant_for(db: Session, principal: Principal, procedure: Procedure) -> CorporateApplicant:
    """The business the account acts for, once it may file ``procedure`` (each refusal named)."""
    if principal.kind != "business" or not principal.organization_code:
        raise NotABusiness("log in with a business account (gBizID) to apply for a business")
    if accounts.is_sole_proprietor(principal):
        return _sole_proprietor(db, principal, procedure)
    if "business" not in procedure.applicants:
        if "sole_proprietor" in procedure.applicants:
            raise SoleProprietorOnlyProcedure(
                f"{procedure.id} is filed by sole proprietors, not by a corporation"
            )
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
    require_eligible(check_eligibility(procedure, {"kind": applicant.kind, "status": "active"}))
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
    prefilled = prefill(gateway, procedure, applicant.asked, organization)
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
    if key and procedure.has_files:  # the files held for this form (its page sent them) count too
        submitted = {**submitted, **attachments.pending(db, principal.subject_id, key)}
    if sealed is None or sealed.stale or (not sealed.values and gateway is not None):
        if gateway is None:
            raise TamperedField("the form carries no current registry values")
        sealed = prefill(gateway, procedure, applicant.asked, organization)
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
