"""Back-office pages (職員): the organization's inbox with SLA highlighting, detail, decisions."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.background import BackgroundTasks

from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_staff
from tsunagu.core.http.deps import AppDatabase, SecretKey
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.mesh.deps import MeshNodes
from tsunagu.procedures import meshlink, statemachine
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.applications import view as applications_view
from tsunagu.procedures.applications.api import gateway
from tsunagu.procedures.backoffice import service
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.notices import pdf as notice_pdf
from tsunagu.procedures.notices import service as notices
from tsunagu.procedures.onestop import arrival
from tsunagu.procedures.payments import view as payments_view
from tsunagu.procedures.payments.provider import PaymentProvider
from tsunagu.procedures.payments.wiring import payment_provider
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(
    prefix="/staff/applications", include_in_schema=False, dependencies=[Depends(csrf.protect)]
)
PAGE_SIZE = 50
#: the data items the mesh answers with, by their names on paper (the evidence a clerk reads)
ITEM_NAMES = {
    "name": N_("氏名"),
    "birth_date": N_("生年月日"),
    "sex": N_("性別"),
    "address": N_("住所"),
    "income": N_("所得額"),
    "dependents": N_("扶養親族の数"),
    "destination_address": N_("転出先"),
    "moving_date": N_("転出予定日"),
    "established_on": N_("設立年月日"),
    "capital_yen": N_("資本金の額"),
    "representatives": N_("代表者"),
    "head_office_address": N_("本店所在地"),
    "no_unpaid_tax": N_("滞納の有無"),
    "household_head": N_("世帯主"),
    "relationship": N_("続柄"),
    "name_kana": N_("ふりがな"),
    "previous_address": N_("旧住所"),
    "corporate_number": N_("法人番号"),
    "members": N_("異動する人"),
    "card": N_("個人番号カード"),
    "": N_("その他の項目"),
}


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


#: what each decision is called on its button, on the confirmation and in the success message
ACTION_NAMES = {
    "start_review": N_("審査を開始する"),
    "approve": N_("承認する"),
    "reject": N_("却下する"),
    "return": N_("差し戻す"),
}
CONFIRM_NAMES = {
    "approve": N_("承認を確定する"),
    "reject": N_("却下を確定する"),
    "return": N_("差戻しを確定する"),
}
DONE_MESSAGES = {
    "start_review": N_("審査を開始しました。"),
    "approve": N_("承認しました。申請者に処分通知をお知らせで送りました。"),
    "reject": N_("却下しました。申請者に理由を添えた処分通知をお知らせで送りました。"),
    "return": N_("差し戻しました。申請者に修正のお願いをお知らせで送りました。"),
}
#: decisions that end or send back an application are confirmed on a page of their own first
CONFIRMED_ACTIONS = frozenset(CONFIRM_NAMES)
CONFLICT_MESSAGE = N_(
    "この申請は、この画面を開いた後にほかの職員が処理したため、操作を行いませんでした。"
    "下に表示しているいまの状況を確認し、必要なら改めて操作してください。"
)


def allowed_actions(staff: Principal, procedure: Procedure, status: str) -> list[str]:
    """The steps this clerk may take now: the state allows them and the clerk holds the role."""
    return [a for a in statemachine.actions_from(status) if staff.roles & service.roles_for(procedure, a)]


def _detail(
    request: Request,
    db: Session,
    staff: Principal,
    registry: LiveRegistry,
    *,
    application_id: str,
    error: str = "",
    done: str = "",
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
            "actions": allowed_actions(staff, procedure, app.status),
            "waiting_for_others": bool(statemachine.actions_from(app.status))
            and not allowed_actions(staff, procedure, app.status),
            "action_names": ACTION_NAMES,
            "status_names": service.STATUS_NAMES,
            "item_names": ITEM_NAMES,
            "today": service.today(),
            "error": error,
            "done": DONE_MESSAGES.get(done, ""),
            "notices": notices.notices_of(db, app.id),
            "notice_title": notice_pdf.title_of,
            **payments_view.context(db, staff, procedure, app),
            **applications_view.context(db, staff, procedure, app),
            **arrival.context(db, staff, app),
            "arrival_error": request.query_params.get("arrival_error", ""),
            "arrival_messages": arrival.MESSAGES,
        },
        status_code,
    )


@router.get("/{application_id}", response_class=HTMLResponse)
def detail(
    request: Request,
    application_id: str,
    *,
    done: str = Query("", max_length=24),
    staff: Principal = Depends(require_staff()),
    registry: LiveRegistry = Depends(live_registry),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """申請の詳細: the data, the evidence fetched through the mesh with provenance, the history."""
    return _detail(request, db, staff, registry, application_id=application_id, done=done)


@router.post("/{application_id}/decide")
def decide(
    request: Request,
    secret: SecretKey,
    nodes: MeshNodes,
    database: AppDatabase,
    application_id: str,
    *,
    action: str = Form(..., max_length=24),
    reason: str = Form("", max_length=2000),
    fields: list[str] = Form([], max_length=64),
    confirmed: bool = Form(False),
    staff: Principal = Depends(require_staff()),
    registry: LiveRegistry = Depends(live_registry),
    provider: PaymentProvider = Depends(payment_provider),
    mesh: meshlink.MeshGateway = Depends(gateway),
    db: Session = TRANSACTION,
) -> Response:
    """A step in the back office: a decision is shown for confirmation first, then taken; the clerk
    lands on the application with what was done (or, when someone was quicker, why nothing was)."""
    app = applications.get_for(db, staff, application_id)
    procedure = catalogue.get_procedure(registry, app.procedure_id)
    if action in statemachine.NEEDS_REASON and not reason.strip():
        return _detail(
            request,
            db,
            staff,
            registry,
            application_id=application_id,
            error="理由を入力してください。",
            status_code=422,
        )
    if action in CONFIRMED_ACTIONS and not confirmed:
        if action not in allowed_actions(staff, procedure, app.status):
            return _detail(
                request,
                db,
                staff,
                registry,
                application_id=application_id,
                error=CONFLICT_MESSAGE,
                status_code=409,
            )
        flagged = [f.label for f in procedure.fields if f.name in fields]
        return render(
            request,
            "procedures/staff_confirm.html",
            {
                "app": app,
                "p": procedure,
                "action": action,
                "reason": reason,
                "fields": fields,
                "flagged": flagged,
                "action_names": ACTION_NAMES,
                "confirm_names": CONFIRM_NAMES,
                "status_names": service.STATUS_NAMES,
                "target": statemachine.TRANSITIONS[(app.status, action)],
            },
        )
    try:
        service.decide(
            db,
            secret,
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
    except statemachine.IllegalTransition:  # refused before anything was written
        return _detail(
            request,
            db,
            staff,
            registry,
            application_id=application_id,
            error=CONFLICT_MESSAGE,
            status_code=409,
        )
    db.commit()  # the refund below must see the decision, whenever the dependency's exit runs
    tasks = BackgroundTasks()  # after the answer: refunds, and what follows a 転出届 of a move
    tasks.add_task(
        service.follow_decision,
        database,
        provider=provider,
        gateway=mesh,
        registry=registry,
        node_of=nodes.context,
        application_id=application_id,
    )
    return RedirectResponse(
        f"/staff/applications/{application_id}?done={action}", status_code=303, background=tasks
    )
