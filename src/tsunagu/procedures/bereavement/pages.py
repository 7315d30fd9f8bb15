"""おくやみ pages (no JavaScript): the family member's list and one form, and the counter's view.

``/bereavement`` lists the deaths in the person's 世帯; ``/bereavement/{id}`` is the personal list
for one of them with the online procedures in one form (the registry values shown, only what no
register knows asked); ``/staff/bereavement/{id}`` shows the clerk who registered the death what
was pushed to whom and what the family was told.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from tsunagu.core.database import Database
from tsunagu.core.errors import NotFound
from tsunagu.core.http import csrf
from tsunagu.core.http.deps import AppDatabase, CurrentResident, CurrentStaff, SecretKey
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.procedures import meshlink
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.applications.api import gateway
from tsunagu.procedures.applications.pages import values_from_form
from tsunagu.procedures.backoffice import service as backoffice
from tsunagu.procedures.bereavement import counter, service
from tsunagu.procedures.definition import FormField
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.protect)])
KEY_FIELD, CHOSEN_FIELD = "idempotency_key", "procedure"


@router.get("/bereavement", response_class=HTMLResponse)
def deaths(request: Request, person: CurrentResident, database: AppDatabase) -> Response:
    """The deaths registered in the person's 世帯; with one, straight to its list."""
    with database.session() as db:
        found = service.deaths_for(db, person)
    if len(found) == 1:
        return RedirectResponse(f"/bereavement/{found[0].id}", status_code=303)
    return render(request, "procedures/bereavement/deaths.html", {"deaths": found})


@dataclass(frozen=True)
class _Acting:
    """Who fills in the form, and what the page reads registries with."""

    database: Database
    mesh: meshlink.MeshGateway
    secret: str
    person: Principal


def _form(
    acting: _Acting, listed: service.Checklist
) -> tuple[dict[str, Any], dict[str, Any], list[FormField], dict[str, FormField]]:
    """The registry values of the forms still to file (shown, not asked), their sources, the
    fields asked (each once, however many forms have it) and every field by name."""
    known: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    asked: dict[str, FormField] = {}
    fields: dict[str, FormField] = {}
    for item in listed.to_file:
        assert item.procedure is not None
        opened = applications.open_form(
            acting.database, acting.mesh, acting.secret, item.procedure, acting.person
        )
        known |= opened.prefilled.values
        sources |= opened.prefilled.sources
        for f in item.procedure.fields:
            fields.setdefault(f.name, f)
            if f.name not in opened.prefilled.values and f.name not in service.DECEASED_FIELDS:
                asked.setdefault(f.name, f)
    return known, sources, [f for name, f in asked.items() if name not in known], fields


def _page(
    request: Request,
    acting: _Acting,
    listed: service.Checklist,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, Any] | None = None,
    parts: list[service.Part] | None = None,
    key: str = "",
    nothing_chosen: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    known, sources, asked, fields = _form(acting, listed)
    with acting.database.session() as db:
        told = counter.told(db, listed.death)
    return render(
        request,
        "procedures/bereavement/checklist.html",
        {
            "c": listed,
            "known": known,
            "sources": sources,
            "deceased": service.deceased_values(listed.death, listed.successor),
            "asked": asked,
            "fields": fields,
            "values": values or {},
            "errors": errors or {},
            "parts": parts or [],
            "nothing_chosen": nothing_chosen,
            "told": told,
            "delivery_states": counter.DELIVERY_STATES,
            "key": key or applications.new_idempotency_key(),
            "status_names": backoffice.STATUS_NAMES,
        },
        status_code=status_code,
    )


@router.get("/bereavement/{deceased_id}", response_class=HTMLResponse)
def checklist_page(
    request: Request,
    deceased_id: str,
    *,
    person: CurrentResident,
    database: AppDatabase,
    secret: SecretKey,
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> HTMLResponse:
    """The personal list for one death, with the online procedures in one form."""
    listed = service.checklist_for(database, mesh, registry, person, deceased_id)
    return _page(request, _Acting(database, mesh, secret, person), listed)


@router.post("/bereavement/{deceased_id}", response_class=HTMLResponse)
async def file_page(
    request: Request,
    deceased_id: str,
    *,
    person: CurrentResident,
    database: AppDatabase,
    secret: SecretKey,
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> HTMLResponse:
    """File the chosen procedures; the list again with each one's receipt, or the fields to correct."""
    form = await request.form()
    listed = await run_in_threadpool(service.checklist_for, database, mesh, registry, person, deceased_id)
    chosen = tuple(str(v) for v in form.getlist(CHOSEN_FIELD))
    answers: dict[str, Any] = {}
    for item in listed.to_file:
        if item.procedure is not None:
            answers |= values_from_form(item.procedure, form)
    key = applications.require_key(str(form.get(KEY_FIELD, "")))
    acting = _Acting(database, mesh, secret, person)
    try:
        parts = await run_in_threadpool(
            lambda: service.file_online(
                database, mesh, secret, listed, principal=person, chosen=chosen, answers=answers, key=key
            )
        )
    except service.NothingChosen:
        return await run_in_threadpool(
            lambda: _page(
                request, acting, listed, values=answers, key=key, nothing_chosen=True, status_code=422
            )
        )
    errors = {p.field: p for part in parts for p in part.fields}
    after = await run_in_threadpool(service.checklist_for, database, mesh, registry, person, deceased_id)
    return await run_in_threadpool(
        lambda: _page(
            request,
            acting,
            after,
            values=answers,
            errors=errors,
            parts=parts,
            key=key if errors else "",
            status_code=422 if errors else 200,
        )
    )


@router.get("/staff/bereavement/{deceased_id}", response_class=HTMLResponse)
def counter_page(
    request: Request,
    deceased_id: str,
    *,
    staff: CurrentStaff,
    database: AppDatabase,
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> HTMLResponse:
    """おくやみ窓口: what the death's registration set going — who was told through the mesh, which
    family members got the お知らせ — and what the family may still have to do."""
    with database.session() as db:
        death = service.death_of(db, deceased_id)
        if staff.organization_code != death.deceased.municipality_code:
            raise NotFound(f"no death {deceased_id} registered by your municipality")
        view = counter.view(db, death)
    with database.session() as db:
        found, unconfirmed = service.situation(db, mesh, death)
    return render(
        request,
        "procedures/bereavement/counter.html",
        {
            "view": view,
            "delivery_states": counter.DELIVERY_STATES,
            "items": service.entries_for(registry, death, found, unconfirmed),
        },
    )
