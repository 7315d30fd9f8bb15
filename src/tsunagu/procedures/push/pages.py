"""ライフイベントの手続 page: /lifeevents/{event} — where a push-type お知らせ leads (no JavaScript)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tsunagu.core.http.auth import TRANSACTION, require_resident
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.backoffice import service as backoffice
from tsunagu.procedures.push import bundles
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(include_in_schema=False)


@router.get("/lifeevents/{event}", response_class=HTMLResponse)
def life_event_page(
    request: Request,
    event: str,
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """The person's procedures for a life event, each with whether they may apply and its status."""
    return render(
        request,
        "procedures/lifeevent.html",
        {
            "bundle": bundles.bundle_for(db, registry, person, event),
            "status_names": backoffice.STATUS_NAMES,
        },
    )
