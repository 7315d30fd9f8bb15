"""ライフイベントの手続 page (/lifeevents/{event}, where a push-type お知らせ leads) and the person's
choice of which push-type notices they receive, with the record of every rule that read their data
(/push-notices). No JavaScript."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_resident
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.backoffice import service as backoffice
from tsunagu.procedures.lifeevents import LIFE_EVENTS
from tsunagu.procedures.push import bundles, service
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.protect)])
NOTICES_PAGE = "/push-notices"
FIRINGS_SHOWN = 50


@router.get(NOTICES_PAGE, response_class=HTMLResponse)
def push_notices_page(
    request: Request, done: str = "", person: Principal = Depends(require_resident), db: Session = TRANSACTION
) -> HTMLResponse:
    """Which kinds of プッシュ型のお知らせ I receive, and when the rules looked at my data."""
    rules = service.shipped_rules()
    titles = {rule.id: rule.title for rule in rules}
    return render(
        request,
        "procedures/push_notices.html",
        {
            "offered": [(kind, LIFE_EVENTS[kind]) for kind in service.offered_kinds(rules)],
            "declined": service.declined_of(db, person.subject_id),
            "firings": service.firings_of(db, person.subject_id, limit=FIRINGS_SHOWN),
            "titles": titles,
            "done": done == "saved",
        },
    )


@router.post(NOTICES_PAGE, response_class=HTMLResponse)
async def save_push_notices(
    request: Request, person: Principal = Depends(require_resident), db: Session = TRANSACTION
) -> RedirectResponse:
    form = await request.form()
    service.set_declined(
        db,
        person.subject_id,
        [str(k) for k in form.getlist("receive")][:20],
        service.offered_kinds(service.shipped_rules()),
    )
    return RedirectResponse(f"{NOTICES_PAGE}?done=saved", status_code=303)


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
