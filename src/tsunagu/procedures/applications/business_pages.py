"""Pages of a business (gBizID-style account): its home naming the company, with お知らせ, its
applications, the procedures it may file and its やりとり履歴; the form of a business procedure.

The status page of an application and the notice PDF are the residents' ones (a business account
sees its corporation's applications).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from tsunagu.core.database import Database
from tsunagu.core.errors import NotAuthenticated
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import current_principal
from tsunagu.core.http.deps import AppDatabase, AppSettings, SecretKey, Transaction, database_of
from tsunagu.core.http.templating import render
from tsunagu.core.messages import N_
from tsunagu.core.sessions import Principal
from tsunagu.identity.business import service as accounts
from tsunagu.mesh.history import service as mesh_history
from tsunagu.notify import service as inbox
from tsunagu.procedures import meshlink
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications import attachments, service, uploads
from tsunagu.procedures.applications.api import gateway
from tsunagu.procedures.applications.pages import KEY_FIELD, SEAL_FIELD, values_from_form
from tsunagu.procedures.applications.service import business
from tsunagu.procedures.applications.service import company_setup as setup
from tsunagu.procedures.applications.service.acting import business_subject
from tsunagu.procedures.applications.validation import FieldError, InvalidApplication
from tsunagu.procedures.backoffice import service as backoffice
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.registry import LiveRegistry
from tsunagu.registry.corporations import service as corporations

router = APIRouter(prefix="/business", include_in_schema=False, dependencies=[Depends(csrf.protect)])
PAGE_SIZE = 20


def _business(request: Request) -> Principal:
    principal = current_principal(request)
    if principal is None:
        raise NotAuthenticated("log in with a business account")
    if principal.kind != "business":
        raise business.NotABusiness("log in with a business account (gBizID) to use the business pages")
    return principal


def _may_file(principal: Principal, procedure: Procedure) -> bool:
    if accounts.is_sole_proprietor(principal):
        return "sole_proprietor" in procedure.applicants
    return "business" in procedure.applicants and (
        business.PRIME_ROLE in principal.roles or procedure.id in principal.roles
    )


@router.get("/office", response_class=HTMLResponse)
def office(
    request: Request, db: Transaction, registry: LiveRegistry = Depends(live_registry)
) -> HTMLResponse:
    """事業者のホーム: the company, its お知らせ, its applications and what it may file."""
    principal = _business(request)
    number = principal.organization_code or ""
    subject = business_subject(principal)
    sole = accounts.is_sole_proprietor(principal)
    messages, _messages_total = inbox.inbox(db, subject, limit=PAGE_SIZE)
    applications, total = service.list_mine(db, subject, limit=PAGE_SIZE, offset=0)
    procedures = registry.snapshot().procedures
    return render(
        request,
        "procedures/business/office.html",
        {
            "corporation": None if sole else corporations.get_corporation(db, number),
            "sole_proprietorship": accounts.get_sole_proprietorship(db, number) if sole else None,
            "messages": messages,
            "unread": inbox.unread_count(db, subject),
            "applications": applications,
            "total": total,
            "procedures": procedures,
            "status_names": backoffice.STATUS_NAMES,
            "today": backoffice.today(),
            "fileable": [p for p in procedures.values() if _may_file(principal, p)],
            "prime": business.PRIME_ROLE in principal.roles,
        },
    )


@router.get("/history", response_class=HTMLResponse)
def history(
    request: Request, db: Transaction, settings: AppSettings, offset: int = Query(0, ge=0)
) -> HTMLResponse:
    """やりとり履歴 of the corporation: who read its registry data, when, under which 事務."""
    principal = _business(request)
    # a sole proprietor's registry data are the person's own: their look-ups are about the person
    exchanges, total = mesh_history.exchanges_for(
        db,
        principal.subject_id if accounts.is_sole_proprietor(principal) else business_subject(principal),
        limit=PAGE_SIZE,
        offset=offset,
        operator=settings.mesh.operator,
    )
    return render(
        request,
        "mesh/history.html",
        {
            "exchanges": exchanges,
            "total": total,
            "offset": offset,
            "page_size": PAGE_SIZE,
            "corporation_view": not accounts.is_sole_proprietor(principal),
            "sole_proprietor_view": accounts.is_sole_proprietor(principal),
        },
    )


def _form(
    request: Request,
    procedure: Procedure,
    form: business.BusinessForm,
    *,
    values: dict[str, Any],
    key: str,
    errors: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "procedures/business/apply.html",
        {
            "p": procedure,
            "applicant": form.applicant,
            "organization": form.organization,
            "prefilled": form.prefilled,
            "seal": form.seal,
            "values": values,
            "key": key,
            "errors": errors or {},
            "household": [],
        },
        status_code=status_code,
    )


@router.get("/procedures/{procedure_id}", response_class=HTMLResponse)
def apply_form(
    request: Request,
    procedure_id: str,
    *,
    database: AppDatabase,
    secret: SecretKey,
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> HTMLResponse:
    """申請する as a business: the corporation's registry values shown with their source, the rest asked."""
    procedure = catalogue.get_procedure(registry, procedure_id)
    principal = _business(request)
    form = business.open_form(database, mesh, secret, procedure, principal)
    return _form(
        request, procedure, form, values=_known(database, principal), key=service.new_idempotency_key()
    )


def _known(database: AppDatabase, principal: Principal) -> dict[str, Any]:
    """What a sole proprietor declared when opening the account, as the form's starting values
    (屋号, 事業所, 職業), which they may change on the form; a corporation's come from the registry."""
    if not accounts.is_sole_proprietor(principal):
        return {}
    with database.session() as db:
        record = accounts.get_sole_proprietorship(db, principal.organization_code or "")
    if record is None:
        return {}
    return {
        "trade_name": record.trade_name,
        "office_address": {"text": record.office_address},
        "occupation": record.industry,
    }


async def _received(
    database: Database, procedure: Procedure, principal: Principal, posted: FormData, key: str
) -> tuple[dict[str, FieldError], dict[str, Any]]:
    """Hold the form's files under its key for the acting account, as the residents' form does;
    (their problems, the files held so far as values to show again)."""
    if not procedure.has_files:
        return {}, {}
    with database.session() as db:
        problems = await uploads.receive(db, procedure, posted, owner=principal.subject_id, key=key)
        held = attachments.pending(db, principal.subject_id, key)
        return problems, {name: upload.__dict__ for name, upload in held.items()}


@router.post("/procedures/{procedure_id}", response_model=None)
async def submit(
    request: Request,
    procedure_id: str,
    *,
    database: AppDatabase,
    secret: SecretKey,
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> Response:
    """申請: stored before it is acknowledged; then the status page (the same key: the same receipt)."""
    principal = _business(request)
    procedure = catalogue.get_procedure(registry, procedure_id)
    posted = await request.form()
    key, seal = str(posted.get(KEY_FIELD, "")), str(posted.get(SEAL_FIELD, ""))
    values = values_from_form(procedure, posted)
    draft = business.BusinessDraft(procedure, principal, values, service.require_key(key), values, seal=seal)
    file_problems, held = await _received(database, procedure, principal, posted, draft.idempotency_key)
    try:
        if file_problems:
            raise InvalidApplication(list(file_problems.values()))
        app, _created = await run_in_threadpool(business.apply, database, mesh, secret, draft)
    except InvalidApplication as exc:
        form = await run_in_threadpool(business.open_form, database, mesh, secret, procedure, principal)
        return _form(
            request,
            procedure,
            form,
            values=values | held,
            key=key,
            errors={p.field: p for p in exc.problems} | file_problems,
            status_code=422,
        )
    return RedirectResponse(f"/applications/{app.id}?submitted=1", status_code=303)


# ---- 法人設立ワンストップ: the same use case as POST /api/v1/procedures/business/company-setup ----------

#: why a part was not filed, in words (the other parts are filed all the same)
PART_PROBLEMS = {
    "procedures-not-granted": N_(
        "この届出の権限がこのアカウントにありません。プライムアカウントの管理者に付与を依頼してください。"
    ),
    "procedures-corporation-closed": N_("法人の登記記録が閉鎖されているため、届け出られません。"),
    "application-no-responsible-organization": N_("本店所在地から提出先が決まりませんでした。"),
    "application-invalid": N_("入力内容に不足があるため、届け出られませんでした。"),
}
PART_PROBLEM = N_("この届出は提出できませんでした。時間をおいて、もう一度お試しください。")


def _setup_procedures(registry: LiveRegistry) -> list[Procedure]:
    return [catalogue.get_procedure(registry, code) for code in setup.PROCEDURES]


def _setup_form(
    request: Request,
    procedures: list[Procedure],
    *,
    values: dict[str, Any],
    key: str,
    errors: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    principal = _business(request)
    with database_of(request).session() as db:
        corporation = corporations.get_corporation(db, principal.organization_code or "")
    return render(
        request,
        "procedures/business/company_setup.html",
        {
            "corporation": corporation,
            "procedures": procedures,
            "questions": setup.questions(procedures),
            "may_file": {p.id: _may_file(principal, p) for p in procedures},
            "values": values,
            "key": key,
            "errors": errors or {},
            "household": [],
        },
        status_code=status_code,
    )


@router.get("/company-setup", response_class=HTMLResponse)
def company_setup_form(request: Request, registry: LiveRegistry = Depends(live_registry)) -> HTMLResponse:
    """法人設立ワンストップ: every post-registration filing on one form, each asked once."""
    return _setup_form(request, _setup_procedures(registry), values={}, key=service.new_idempotency_key())


@router.post("/company-setup", response_model=None)
async def company_setup_submit(
    request: Request,
    *,
    database: AppDatabase,
    secret: SecretKey,
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> Response:
    """File every part at once; the answer lists each organization's part with its own status."""
    principal = _business(request)
    procedures = _setup_procedures(registry)
    posted = await request.form()
    key = str(posted.get(KEY_FIELD, ""))
    answers: dict[str, Any] = {}
    for procedure in procedures:
        answers |= values_from_form(procedure, posted)
    problems = setup.check_answers(procedures, answers)
    if problems:
        return _setup_form(request, procedures, values=answers, key=key, errors=problems, status_code=422)
    bundle, parts = await run_in_threadpool(
        lambda: setup.file_all(
            database,
            mesh,
            secret,
            procedures,
            principal=principal,
            answers=answers,
            key=service.require_key(key),
        )
    )
    return _setup_result(request, procedures, bundle, parts, status_code=201)


def _setup_result(
    request: Request,
    procedures: list[Procedure],
    bundle: str,
    parts: list[setup.Part],
    status_code: int = 200,
) -> HTMLResponse:
    names = {p.id: p for p in procedures}
    return render(
        request,
        "procedures/business/company_setup_result.html",
        {
            "bundle": bundle,
            "parts": [(names[part.procedure_id], part) for part in parts if part.procedure_id in names],
            "status_names": backoffice.STATUS_NAMES,
            "problems": PART_PROBLEMS,
            "problem_default": PART_PROBLEM,
        },
        status_code=status_code,
    )


@router.get("/company-setup/{bundle_id}", response_class=HTMLResponse)
def company_setup_status(
    request: Request, bundle_id: str, db: Transaction, registry: LiveRegistry = Depends(live_registry)
) -> HTMLResponse:
    """Where each organization's part of a set-up filing stands now."""
    filed = setup.status(db, _business(request), bundle_id)
    parts = [setup.Part(a.procedure_id, a) for a in filed]
    return _setup_result(request, _setup_procedures(registry), bundle_id, parts)
