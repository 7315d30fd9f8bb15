"""The back office (審査・決裁): an organization's inbox with SLA, decisions through the state
machine, the registry update the procedure asks for, the signed notice and the お知らせ."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core import authz, clock
from tsunagu.core.authz import Role
from tsunagu.core.database import Database
from tsunagu.core.errors import Forbidden, ValidationFailed
from tsunagu.core.sessions import Principal
from tsunagu.core.types.wareki import format_wareki
from tsunagu.identity.cards import service as cards
from tsunagu.identity.organizations import service as organizations
from tsunagu.mesh.node.context import NodeContext
from tsunagu.notify import service as inbox
from tsunagu.procedures import certificates, meshlink, statemachine
from tsunagu.procedures.applications import correction
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.models import ProceduresApplication
from tsunagu.procedures.notices import service as notices
from tsunagu.procedures.onestop import service as onestop
from tsunagu.procedures.payments import service as payments
from tsunagu.procedures.payments.provider import PaymentProvider
from tsunagu.procedures.registry import LiveRegistry
from tsunagu.registry.residents import moving
from tsunagu.registry.residents import service as residents

APPROVER_ROLE = Role.APPROVER.value
DECISIONS = {
    "approved": {"ja": "受理", "en": "accepted"},
    "rejected": {"ja": "不受理と", "en": "not accepted"},
}
STATUS_NAMES = {
    "submitted": "受付済み",
    "under_review": "審査中",
    "approved": "承認",
    "rejected": "却下",
    "returned": "差戻し（修正をお願いします）",
    "withdrawn": "取下げ",
}


class MissingRole(Forbidden):
    code = "application-missing-role"
    title = "Your role does not allow this step"


class ReasonRequired(ValidationFailed):
    code = "application-reason-required"
    title = "A reason is required"


@dataclass(frozen=True)
class InboxFilter:
    procedure_id: str | None = None
    status: str | None = None


def organization_inbox(
    db: Session, organization: str, wanted: InboxFilter, *, limit: int, offset: int
) -> tuple[list[applications.Application], int]:
    """Applications to one organization, oldest due first (SLA: 標準処理期間)."""
    where = [ProceduresApplication.organization_code == organization]
    if wanted.procedure_id:
        where.append(ProceduresApplication.procedure_id == wanted.procedure_id)
    if wanted.status:
        if wanted.status not in statemachine.STATUSES:
            raise ValidationFailed(
                f"unknown status {wanted.status!r}",
                errors=[
                    {"location": ["query", "status"], "message": "unknown status", "type": "unknown-status"}
                ],
            )
        where.append(ProceduresApplication.status == wanted.status)
    total = db.scalar(select(func.count()).select_from(ProceduresApplication).where(*where)) or 0
    ids = db.scalars(
        select(ProceduresApplication.id)
        .where(*where)
        .order_by(ProceduresApplication.due_on, ProceduresApplication.submitted_at)
        .limit(limit)
        .offset(offset)
    )
    return [applications.load(db, i) for i in ids], total


def today() -> date:
    return clock.today_jst().date()


def roles_for(procedure: Procedure, action: str) -> frozenset[str]:
    """Who may take a step: any workflow role to review; the last step's role (or 決裁) to decide."""
    if action == "approve":
        return frozenset({procedure.workflow[-1].role, APPROVER_ROLE})
    return frozenset(step.role for step in procedure.workflow) | {APPROVER_ROLE}


def decide(
    db: Session,
    secret: str,
    procedure: Procedure,
    staff: Principal,
    application_id: str,
    *,
    action: str,
    reason: str = "",
    fields: list[str] | None = None,
) -> applications.Application:
    """Move an application one step (audited); approval updates the registry and issues the notice;
    a return records which ``fields`` the applicant is asked to correct."""
    row = db.get(ProceduresApplication, application_id, with_for_update=True)
    if row is None:
        raise applications.ApplicationNotFound(f"no application {application_id}")
    authz.require_same_organization(staff, row.organization_code)
    if action not in statemachine.STAFF_ACTIONS:
        raise statemachine.IllegalTransition(f"staff cannot {action} an application", action=action)
    allowed = roles_for(procedure, action)
    if not staff.roles & allowed:
        raise MissingRole(f"{action} needs one of the roles: {', '.join(sorted(allowed))}")
    target = statemachine.next_status(row.status, action)
    if action in ("start_review", "approve"):
        payments.ensure_paid(db, procedure, row.id)
    reason = reason.strip()
    if action in statemachine.NEEDS_REASON and not reason:
        raise ReasonRequired(
            "give the reason; the applicant will read it",
            errors=[
                {
                    "location": ["body", "reason"],
                    "message": "required",
                    "message_id": "理由を入力してください。",
                    "type": ReasonRequired.code,
                }
            ],
        )
    flagged = _known_fields(procedure, fields or [])
    previous = row.status
    row.status, row.updated_at = target, clock.now()
    if target in ("approved", "rejected", "returned"):
        row.decision_reason = reason
    applications.audit(db, row.id, staff, from_status=previous, to_status=target, reason=reason)
    if target == "returned":
        correction.request(db, staff, row, reason, flagged)
    if target == "approved" and procedure.on_approval == "resident_move_out":
        _record_move_out(db, row, staff)
    if target == "rejected":
        payments.request_refund(db, row.id)  # the provider is asked after this transaction
    if target in DECISIONS:
        _issue_notice(db, secret, procedure, row, decision=target, reason=reason)
    if target == "approved":
        _issue_certificate(db, secret, procedure, row)
    else:
        inbox.deliver(
            db,
            row.subject_id,
            sender=row.organization_code,
            kind="status",
            title=f"{procedure.name.ja}（{row.receipt_number}）: {STATUS_NAMES[target]}",
            body=f"{procedure.name.ja}の状況が「{STATUS_NAMES[target]}」になりました。"
            + (f"\n理由: {reason}" if reason else ""),
            link=f"/applications/{row.id}",
        )
    db.flush()
    return applications.load(db, row.id)


def _known_fields(procedure: Procedure, fields: list[str]) -> list[str]:
    unknown = [name for name in fields if procedure.field(name) is None]
    if unknown:
        raise ValidationFailed(
            f"not fields of {procedure.id}: {', '.join(unknown)}",
            errors=[
                {"location": ["body", "fields"], "message": f"unknown field {name}", "type": "unknown-field"}
                for name in unknown
            ],
        )
    return fields


def _record_move_out(db: Session, row: ProceduresApplication, staff: Principal) -> None:
    """転出: record the declared members' move on the declared date (転出予定 until that date;
    applied at once when the date has come). The register's outbox events are pushed through the
    mesh when each record changes; the 転出証明書情報 is answered to the destination from now on."""
    destination = row.data.get("destination_address") or {}
    whole = row.data.get("movers", "whole-household") != "some-members"
    members = [str(m) for m in row.data.get("members") or [] if isinstance(m, str)]
    person = residents.get_resident(db, row.subject_id)
    household = residents.household_members(db, person.household_id) if person else []
    holders = [m.id for m in household if any(c.revoked_at is None for c in cards.cards_of(db, m.id))]
    moving.plan_move_out(
        db,
        row.subject_id,
        whole_household=whole,
        members=members,
        remaining_head_id=row.data.get("remaining_head") or None,
        destination=str(destination.get("text", "")),
        effective_date=date.fromisoformat(str(row.data.get("moving_date"))),
        source=row.id,
        actor=f"staff:{staff.subject_id}",
        card_holders=holders,
    )


def _display_name(data: dict[str, object]) -> str:
    name = data.get("applicant_name")
    return f"{name['family']} {name['given']}" if isinstance(name, dict) else ""


def _issue_notice(
    db: Session, secret: str, procedure: Procedure, row: ProceduresApplication, *, decision: str, reason: str
) -> None:
    organization = organizations.get_organization(db, row.organization_code)
    issuer_name = organization.name_ja if organization else row.organization_code
    # a date the person entered reads as the notice's own date does (令和8年12月20日, not 2026-12-20)
    dated = {f.name for f in procedure.fields if f.type in ("date", "wareki_date")}
    values = {
        k: (format_wareki(date.fromisoformat(v)) if k in dated and isinstance(v, str) else str(v))
        for k, v in row.data.items()
        if isinstance(v, str | int | bool)
    }
    values |= {"applicant_name": _display_name(row.data), "decided_on": format_wareki(today())}
    issued = notices.issue(
        db,
        secret,
        procedure,
        application_id=row.id,
        receipt_number=row.receipt_number,
        issuer=row.organization_code,
        issuer_name=issuer_name,
        recipient_id=row.subject_id,
        decision=decision,
        decision_label=DECISIONS[decision],
        reason=reason,
        values=values,
    )
    title = notices.render_text(procedure.notice.title.ja, values)
    body = notices.render_text(
        procedure.notice.body.ja,
        values
        | {
            "decision": DECISIONS[decision]["ja"],
            "organization_name": issuer_name,
            "receipt_number": row.receipt_number,
        },
    )
    inbox.deliver(
        db,
        row.subject_id,
        sender=row.organization_code,
        kind="notice",
        title=title,
        body=body + (f"\n理由: {reason}" if reason else ""),
        link=f"/applications/{row.id}",
        document=issued.document,
        extra={"notice_id": issued.id},
    )


def _issue_certificate(db: Session, secret: str, procedure: Procedure, row: ProceduresApplication) -> None:
    """住民票の写し etc.: the signed certificate, delivered to the お知らせ inbox."""
    organization = organizations.get_organization(db, row.organization_code)
    issuer_name = organization.name_ja if organization else row.organization_code
    document = certificates.issue(db, secret, procedure, row, issuer_name)
    if document is None or procedure.issues is None:
        return
    inbox.deliver(
        db,
        row.subject_id,
        sender=row.organization_code,
        kind="document",
        title=f"{procedure.issues.document.ja}（受付番号 {row.receipt_number}）",
        body=f"{procedure.issues.document.ja}を交付します。署名付きの電子文書は「電子文書の検証」で確認できます。"
        f"\n{issuer_name}",
        link=f"/applications/{row.id}",
        document=document,
        extra={"notice_id": notices.document_id(document)},
    )


def follow_decision(
    database: Database,
    *,
    provider: PaymentProvider,
    gateway: meshlink.MeshGateway,
    registry: LiveRegistry,
    node_of: Callable[[str], NodeContext | None],
    application_id: str,
) -> None:
    """What follows a decision, once it is committed and answered (the API and the staff page run
    this after their response): fees the decision returns are refunded (還付), and a 転出届 of a
    move goes on to its destination and the companies (``onestop.after_decision``)."""
    payments.process_refunds(database, provider)
    onestop.after_decision(database, gateway, registry, node_of, application_id)
