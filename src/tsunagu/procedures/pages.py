"""People's pages of the catalogue: search, one procedure; the operators' definition status."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from tsunagu.core.http.auth import require_staff
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.procedures import inventory_link, service
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(include_in_schema=False)


@router.get("/procedures", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = Query("", max_length=200),
    life_event: str = "",
    registry: LiveRegistry = Depends(live_registry),
) -> HTMLResponse:
    """手続をさがす: keyword and life-event search, a plain GET form."""
    found = service.search(registry, q, life_event or None)
    return render(
        request,
        "procedures/search.html",
        {
            "q": q,
            "life_event": life_event,
            "life_events": service.life_events(),
            "results": found,
            "searched": bool(q or life_event),
            "meant": service.life_events_meant(q) if q else [],
        },
    )


@router.get("/procedures/{procedure_id}", response_class=HTMLResponse)
def procedure_page(
    request: Request, procedure_id: str, registry: LiveRegistry = Depends(live_registry)
) -> HTMLResponse:
    """手続の案内: what you need, registry data instead of attachments, time, fee, where."""
    procedure = service.get_procedure(registry, procedure_id)
    return render(
        request,
        "procedures/procedure.html",
        {
            "p": procedure,
            "life_events": service.life_events(),
            "inventory": inventory_link.of(request, procedure.id),
        },
    )


@router.get("/staff/procedures", response_class=HTMLResponse)
def definitions_status(
    request: Request,
    _staff: Principal = Depends(require_staff()),
    registry: LiveRegistry = Depends(live_registry),
) -> HTMLResponse:
    """手続定義の状態: live definitions and refused files with file:line, for operators."""
    return render(request, "procedures/status.html", {"snapshot": service.status(registry)})
