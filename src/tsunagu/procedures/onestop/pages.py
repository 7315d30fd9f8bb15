"""引越しワンストップ pages: one form for the whole move, then each part's status."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from tsunagu.core.http import csrf
from tsunagu.core.http.auth import require_resident
from tsunagu.core.http.deps import AppDatabase, database_of
from tsunagu.core.http.templating import locale_of, render
from tsunagu.core.sessions import Principal
from tsunagu.mesh.deps import MeshNodes
from tsunagu.procedures import meshlink
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.applications.api import gateway
from tsunagu.procedures.applications.inprogress import ApplicationInProgress
from tsunagu.procedures.applications.validation import InvalidApplication
from tsunagu.procedures.backoffice import service as backoffice
from tsunagu.procedures.onestop import service
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(prefix="/moving", include_in_schema=False, dependencies=[Depends(csrf.protect)])


def _form(
    request: Request,
    person: Principal,
    values: dict[str, object],
    errors: dict[str, object],
    *,
    status_code: int = 200,
    in_progress: str | None = None,
) -> HTMLResponse:
    database = database_of(request)
    return render(
        request,
        "procedures/moving.html",
        {
            "values": values,
            "errors": errors,
            "companies": service.company_names(database, locale_of(request)),
            "members": service.household_of(database, person),
            "in_progress": in_progress,
        },
        status_code,
    )


@router.get("", response_class=HTMLResponse)
def moving_form(request: Request, person: Principal = Depends(require_resident)) -> HTMLResponse:
    fresh: dict[str, object] = {"key": applications.new_idempotency_key(), "movers": "whole-household"}
    return _form(request, person, fresh, {})


def _move(form: FormData) -> service.Move:
    """The move as the form states it (every step posts the same fields)."""
    text = {name: str(form.get(name, ""))[:limit] for name, limit in FIELDS.items()}
    return service.Move(
        text["destination_address"],
        text["moving_date"],
        text["visit_date"],
        text["phone"],
        text["movers"] or "whole-household",
        tuple(str(c)[:32] for c in form.getlist("companies"))[:10],
        text["key"],
        tuple(str(m)[:32] for m in form.getlist("members"))[:30],
        text["remaining_head"],
    )


FIELDS = {
    "destination_address": 200,
    "moving_date": 10,
    "visit_date": 10,
    "phone": 20,
    "movers": 32,
    "key": 128,
    "remaining_head": 32,
}


def _back_to_form(
    request: Request, person: Principal, move: service.Move, exc: InvalidApplication | ApplicationInProgress
) -> HTMLResponse:
    """The form again with the values kept: each problem at its field, or the move in progress."""
    if isinstance(exc, ApplicationInProgress):
        progress = exc.application_id or ""
        return _form(request, person, _values(move), {}, status_code=409, in_progress=progress)
    return _form(request, person, _values(move), {p.field: p for p in exc.problems}, status_code=422)


def _values(move: service.Move) -> dict[str, object]:
    return {**move.__dict__, "companies": list(move.companies), "members": list(move.members)}


@router.post("", response_class=HTMLResponse)
async def review_move(
    request: Request,
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> HTMLResponse:
    """申請内容の確認: the whole move checked and shown as it will be filed; nothing filed yet."""
    move = _move(await request.form())
    database = database_of(request)
    try:
        checked = await run_in_threadpool(service.review, database, mesh, registry, person, move)
    except (InvalidApplication, ApplicationInProgress) as exc:
        return _back_to_form(request, person, move, exc)
    return render(
        request,
        "procedures/moving_review.html",
        {
            "values": _values(move),
            "review": checked,
            "movers": checked.movers,
            "remaining_head": checked.remaining_head,
            "companies": service.company_names(database, locale_of(request)),
        },
    )


@router.post("/edit", response_class=HTMLResponse)
async def edit_move(request: Request, person: Principal = Depends(require_resident)) -> HTMLResponse:
    """修正する: back to the form with everything entered kept."""
    return _form(request, person, _values(_move(await request.form())), {})


@router.post("/confirm")
async def submit_move(
    request: Request,
    *,
    nodes: MeshNodes,
    database: AppDatabase,
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> Response:
    """File every part; a problem found now (the register changed meanwhile) returns to the form."""
    move = _move(await request.form())
    try:
        bundle = await run_in_threadpool(
            service.move,
            database,
            mesh,
            registry,
            person,
            node_of=nodes.context,
            request=move,
        )
    except (InvalidApplication, ApplicationInProgress) as exc:
        return _back_to_form(request, person, move, exc)
    return RedirectResponse(f"/moving/{bundle.id}", status_code=303)


@router.get("/{bundle_id}", response_class=HTMLResponse)
def moving_status(
    request: Request,
    bundle_id: str,
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
) -> HTMLResponse:
    """Each part of the move with its own status, by the names people know."""
    locale = locale_of(request)
    database = database_of(request)
    procedures = {p.id: p.name.text(locale) for p in registry.snapshot().procedures.values()}
    return render(
        request,
        "procedures/moving_status.html",
        {
            "bundle": service.status_of(database, person, bundle_id),
            "names": {**procedures, **service.company_names(database, locale)},
            "status_names": {**backoffice.STATUS_NAMES, **service.CONSENT_STATUS_NAMES},
            "evidence_pending": service.EVIDENCE_PENDING,
        },
    )
