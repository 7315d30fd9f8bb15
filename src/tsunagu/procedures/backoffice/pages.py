"""Back-office pages (職員): the organization's inbox with SLA highlighting, detail, decisions."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_staff
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.procedures import service as catalogue
from tsunagu.procedures import statemachine
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.applications import view as applications_view
from tsunagu.procedures.backoffice import service
from tsunagu.procedures.notices import service as notices
from tsunagu.procedures.payments import service as payments
from tsunagu.procedures.payments import view as payments_view
from tsunagu.procedures.payments.provider import PaymentProvider
from tsunagu.procedures.payments.wiring import payment_provider
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(
    prefix="/staff/applications", include_in_schema=False, dependencies=[Depends(csrf.protect)]
)
PAGE_SIZE = 50


@router.get("", response_class=HTMLResponse)
def inbox(
    request: Request,
    *,
    procedure_id: str = Query("", max_length=64),
    status: str = Query("", max_length=24),
    offset: int = Query(0, ge=0),
    staff: Principal = Depends(require_staff()),
    registry: LiveRegistry = Depends(live_registry),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """受付一覧: filter by procedure and status; past the 標準処理期間 is highlighted."""
    found, total = service.organization_inbox(
        db,
        staff.organization_code or "",
        service.InboxFilter(procedure_id or None, status or None),
        limit=PAGE_SIZE,
        offset=offset,
    )
    return render(
        request,
        "procedures/staff_inbox.html",
        {
            "applications": found,
            "total": total,
            "procedure_id": procedure_id,
            "status": status,
            "procedures": registry.snapshot().procedures,
            "statuses": statemachine.STATUSES,
            "status_names": service.STATUS_NAMES,
            "today": service.today(),
            "offset": offset,
            "page_size": PAGE_SIZE,
        },
    )


def _detail(
    request: Request,
    db: Session,
    staff: Principal,
    registry: LiveRegistry,
    *,
    application_id: str,
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    app = applications.get_for(db, staff, application_id)
    procedure = catalogue.get_procedure(registry, app.procedure_id)
    return render(
        request,
        "procedures/staff_application.html",
        {
            "app": app,
            "p": procedure,
            "actions": statemachine.actions_from(app.status),
            "status_names": service.STATUS_NAMES,
            "today": service.today(),
            "error": error,
            "notices": notices.notices_of(db, app.id),
            **payments_view.context(db, staff, procedure, app),
            **applications_view.context(db, staff, procedure, app),
        },
        status_code,
    )


@router.get("/{application_id}", response_class=HTMLResponse)
def detail(
    request: Request,
    application_id: str,
    staff: Principal = Depends(require_staff()),
    registry: LiveRegistry = Depends(live_registry),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """申請の詳細: the data, the evidence fetched through the mesh with provenance, the history."""
    return _detail(request, db, staff, registry, application_id=application_id)


@router.post("/{application_id}/decide")
def decide(
    request: Request,
    application_id: str,
    *,
    action: str = Form(..., max_length=24),
    reason: str = Form("", max_length=2000),
    fields: list[str] = Form([], max_length=64),
    staff: Principal = Depends(require_staff()),
    registry: LiveRegistry = Depends(live_registry),
    provider: PaymentProvider = Depends(payment_provider),
    db: Session = TRANSACTION,
) -> Response:
    app = applications.get_for(db, staff, application_id)
    procedure = catalogue.get_procedure(registry, app.procedure_id)
    try:
        service.decide(
            db,
            request.app.state.secret_key,
            procedure,
            staff,
            application_id,
            action=action,
            reason=reason,
            fields=fields,
        )
    except service.ReasonRequired:
        return _detail(
            request,
            db,
            staff,
            registry,
            application_id=application_id,
            error="理由を入力してください。",
            status_code=422,
        )
    db.commit()  # the refund below must see the decision, whenever the dependency's exit runs
    refunds = BackgroundTask(payments.process_refunds, request.app.state.database, provider)
    return RedirectResponse(f"/staff/applications/{application_id}", status_code=303, background=refunds)
