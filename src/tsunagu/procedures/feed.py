"""The applications' audit trail as an anonymous event feed, read incrementally by the oversight
part for the service KPIs (申請件数, 代理・自動入力の割合, 標準処理期間内の処理): no applicant, no data,
only what an aggregate needs (the organization is the 申請先, never the applicant's). The web
layer hands :func:`events_since` to oversight."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.procedures.models import ProceduresApplication, ProceduresAudit


@dataclass(frozen=True)
class ApplicationEvent:
    id: int  # the audit entry's id: increasing, so a reader keeps its position
    procedure_id: str
    at: datetime
    from_status: str
    to_status: str
    by_staff: bool  # recorded at the counter by staff rather than sent by the applicant
    proxy: bool  # the applicant acts for someone else (代理)
    prefilled: bool  # some fields came from a registry look-up
    submitted_at: datetime
    due_on: date  # the end of the 標準処理期間
    organization: str  # the 申請先 (organization code): the KPIs by municipality and prefecture


def events_since(db: Session, after_id: int, limit: int = 5000) -> list[ApplicationEvent]:
    audit, application = ProceduresAudit, ProceduresApplication
    rows = db.execute(
        select(
            audit.id,
            application.procedure_id,
            audit.at,
            audit.from_status,
            audit.to_status,
            audit.actor_kind,
            application.applicant_id,
            application.subject_id,
            application.prefilled,
            application.submitted_at,
            application.due_on,
            application.organization_code,
        )
        .join(application, application.id == audit.application_id)
        .where(audit.id > after_id)
        .order_by(audit.id)
        .limit(limit)
    )
    return [
        ApplicationEvent(
            r.id,
            r.procedure_id,
            r.at,
            r.from_status,
            r.to_status,
            r.actor_kind == "staff",
            r.applicant_id != r.subject_id,
            bool(r.prefilled),
            r.submitted_at,
            r.due_on,
            r.organization_code,
        )
        for r in rows
    ]
