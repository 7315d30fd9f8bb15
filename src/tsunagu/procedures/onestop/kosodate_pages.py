"""子育てワンストップ pages (/kosodate): one prefilled form after a birth, one confirmation, one
submission, then each part's status. No JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from tsunagu.core.database import Database
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import require_resident
from tsunagu.core.http.deps import AppDatabase, SecretKey
from tsunagu.core.http.templating import locale_of, render
from tsunagu.core.sessions import Principal
from tsunagu.procedures import meshlink
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.applications.api import gateway
from tsunagu.procedures.applications.inprogress import ApplicationInProgress
from tsunagu.procedures.applications.pages import values_from_form
from tsunagu.procedures.applications.validation import InvalidApplication
from tsunagu.procedures.backoffice import service as backoffice
from tsunagu.procedures.onestop import kosodate
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(prefix="/kosodate", include_in_schema=False, dependencies=[Depends(csrf.protect)])
KEY_FIELD, PART_FIELD = "key", "parts"
Refusal = InvalidApplication | ApplicationInProgress | kosodate.BirthAlreadyFiled


def _request(registry: LiveRegistry, form: FormData) -> kosodate.Request:
    """The bundle as the form states it (every step posts the same fields)."""
    procedures = registry.snapshot().procedures
    answers: dict[str, Any] = {}
    for procedure_id in kosodate.PARTS:
        answers |= values_from_form(procedures[procedure_id], form)
    chosen = tuple(p for p in kosodate.OPTIONAL if p in form.getlist(PART_FIELD))
    return kosodate.Request(str(form.get(KEY_FIELD, ""))[:128], chosen, answers)


@dataclass(frozen=True)
class _Parent:
    """Who files and what with: the parent, the databases and registries every step uses."""

    database: Database
    secret: str
    person: Principal
    registry: LiveRegistry
    mesh: meshlink.MeshGateway


def _parent(
    database: AppDatabase,
    secret: SecretKey,
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> _Parent:
    return _Parent(database, secret, person, registry, mesh)


async def _form_page(
    request: Request,
    parent: _Parent,
    *,
    values: kosodate.Request | None = None,
    refusal: Refusal | None = None,
) -> HTMLResponse:
    form = await run_in_threadpool(
        kosodate.open_bundle, parent.database, parent.mesh, parent.secret, parent.registry, parent.person
    )
    kept = values or kosodate.Request(applications.new_idempotency_key(), (kosodate.MEDICAL,), {})
    errors = {p.field: p for p in refusal.problems} if isinstance(refusal, InvalidApplication) else {}
    status = 200 if refusal is None else (422 if errors else 409)
    return render(
        request,
        "procedures/kosodate.html",
        {
            "form": form,
            "key": kept.key,
            "chosen": kept.chosen,
            "values": dict(kept.answers),
            "errors": errors,
            "refusal": refusal if not errors else None,
            "optional": kosodate.OPTIONAL,
        },
        status,
    )


@router.get("", response_class=HTMLResponse)
async def kosodate_form(request: Request, parent: _Parent = Depends(_parent)) -> HTMLResponse:
    """The one form of the bundle, prefilled: the newborn, the parent, the 公金受取口座."""
    return await _form_page(request, parent)


@router.post("", response_class=HTMLResponse)
async def review_bundle(request: Request, parent: _Parent = Depends(_parent)) -> HTMLResponse:
    """申請内容の確認: every chosen part as it will be filed; nothing filed yet."""
    wanted = _request(parent.registry, await request.form())
    try:
        checked = await run_in_threadpool(
            kosodate.review, parent.database, parent.mesh, parent.registry, parent.person, wanted
        )
    except (InvalidApplication, ApplicationInProgress, kosodate.BirthAlreadyFiled) as exc:
        return await _form_page(request, parent, values=wanted, refusal=exc)
    return render(
        request,
        "procedures/kosodate_review.html",
        {"review": checked, "key": wanted.key, "chosen": wanted.chosen, "answers": wanted.answers},
    )


@router.post("/edit", response_class=HTMLResponse)
async def edit_bundle(request: Request, parent: _Parent = Depends(_parent)) -> HTMLResponse:
    """修正する: back to the form with everything entered kept."""
    return await _form_page(request, parent, values=_request(parent.registry, await request.form()))


@router.post("/confirm")
async def submit_bundle(request: Request, parent: _Parent = Depends(_parent)) -> Response:
    """File every chosen part at once; a problem found now returns to the form."""
    wanted = _request(parent.registry, await request.form())
    try:
        filed = await run_in_threadpool(
            kosodate.file, parent.database, parent.mesh, parent.registry, parent.person, wanted
        )
    except (InvalidApplication, ApplicationInProgress, kosodate.BirthAlreadyFiled) as exc:
        return await _form_page(request, parent, values=wanted, refusal=exc)
    return RedirectResponse(f"/kosodate/{filed.bundle}", status_code=303)


@router.get("/{bundle_id}", response_class=HTMLResponse)
def bundle_status(
    request: Request,
    bundle_id: str,
    database: AppDatabase,
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
) -> HTMLResponse:
    """Each part of the filing with its own status, by the names people know."""
    locale = locale_of(request)
    return render(
        request,
        "procedures/kosodate_status.html",
        {
            "status": kosodate.status_of(database, person, bundle_id),
            "names": {p: registry.snapshot().procedures[p].name.text(locale) for p in kosodate.PARTS},
            "status_names": backoffice.STATUS_NAMES,
        },
    )
