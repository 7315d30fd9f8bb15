"""引越しワンストップ pages: one form for the whole move, then each part's status."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tsunagu.core.http import csrf
from tsunagu.core.http.auth import require_resident
from tsunagu.core.http.templating import locale_of, render
from tsunagu.core.sessions import Principal
from tsunagu.procedures import meshlink
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.applications.api import gateway
from tsunagu.procedures.applications.validation import InvalidApplication
from tsunagu.procedures.backoffice import service as backoffice
from tsunagu.procedures.onestop import service
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(prefix="/moving", include_in_schema=False, dependencies=[Depends(csrf.protect)])


def _form(
    request: Request, values: dict[str, object], errors: dict[str, object], status_code: int = 200
) -> HTMLResponse:
    return render(
        request,
        "procedures/moving.html",
        {
            "values": values,
            "errors": errors,
            "companies": service.company_names(request.app.state.database, locale_of(request)),
        },
        status_code,
    )


@router.get("", response_class=HTMLResponse)
def moving_form(request: Request, _person: Principal = Depends(require_resident)) -> HTMLResponse:
    return _form(request, {"key": applications.new_idempotency_key(), "movers": "whole-household"}, {})


@router.post("")
def submit_move(
    request: Request,
    *,
    destination_address: str = Form("", max_length=200),
    moving_date: str = Form("", max_length=10),
    visit_date: str = Form("", max_length=10),
    phone: str = Form("", max_length=20),
    movers: str = Form("whole-household", max_length=32),
    companies: list[str] = Form(default_factory=list),
    key: str = Form("", max_length=128),
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> Response:
    """Submit every part; errors come back next to the fields with the values kept."""
    move = service.Move(destination_address, moving_date, visit_date, phone, movers, tuple(companies), key)
    try:
        bundle = service.move(
            request.app.state.database,
            mesh,
            registry,
            person,
            node_of=request.app.state.mesh_nodes.context,
            request=move,
        )
    except InvalidApplication as exc:
        return _form(
            request, {**move.__dict__, "companies": companies}, {p.field: p for p in exc.problems}, 422
        )
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
    database = request.app.state.database
    procedures = {p.id: p.name.text(locale) for p in registry.snapshot().procedures.values()}
    return render(
        request,
        "procedures/moving_status.html",
        {
            "bundle": service.status_of(database, person, bundle_id),
            "names": {**procedures, **service.company_names(database, locale)},
            "status_names": {**backoffice.STATUS_NAMES, **service.CONSENT_STATUS_NAMES},
        },
    )
