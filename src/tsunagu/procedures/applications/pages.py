"""People's pages of applying: form (prefilled), review, submit, status; works without JavaScript.

The form carries the registry values sealed (HMAC) and an idempotency key in hidden fields: a
changed seal is refused (403) and a double submit returns the first receipt.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from tsunagu.core.http import csrf
from tsunagu.core.http.deps import CurrentPrincipal, CurrentResident, Transaction, database_of, secret_of
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.procedures import meshlink
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications import attachments, funnel, household, service, uploads
from tsunagu.procedures.applications import view as applications_view
from tsunagu.procedures.applications.api import gateway
from tsunagu.procedures.applications.validation import NAME_PARTS, FieldError, InvalidApplication
from tsunagu.procedures.appointments import view as appointments_view
from tsunagu.procedures.backoffice import service as backoffice
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.notices import pdf as notice_pdf
from tsunagu.procedures.notices import service as notices
from tsunagu.procedures.payments import view as payments_view
from tsunagu.procedures.registry import LiveRegistry
from tsunagu.registry.residents import service as residents

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.protect)])
KEY_FIELD, SEAL_FIELD, FOR_FIELD = "idempotency_key", "prefill_seal", "on_behalf_of"


def values_from_form(procedure: Procedure, form: FormData) -> dict[str, Any]:
    """Form fields → application values (names as ``field.part``, addresses as one line)."""
    values: dict[str, Any] = {}
    for field in procedure.fields:
        if field.type == "person_name":
            parts = {part: str(form.get(f"{field.name}.{part}", "")) for part in NAME_PARTS}
            if any(parts.values()):
                values[field.name] = parts
        elif field.type == "address":
            if form.get(field.name):
                values[field.name] = {"text": str(form.get(field.name))}
        elif field.type == "boolean":
            values[field.name] = field.name in form
        elif field.type == "household_members":
            values[field.name] = [str(v) for v in form.getlist(field.name) if v]
        elif field.type != "file" and form.get(field.name) not in (None, ""):
            values[field.name] = str(form.get(field.name))
    return values


def _household(request: Request, procedure: Procedure) -> list[household.Member]:
    """The members of the applicant's 世帯 a household field offers (none for other forms)."""
    principal = getattr(request.state, "principal", None)
    if not household.uses_household(procedure) or principal is None:
        return []
    with database_of(request).session() as db:
        return household.members_of(db, service.applicant_of(db, principal))


def _person(request: Request, resident_id: str) -> residents.ResidentRecord | None:
    """The person a proxy's form is for (代理申請), once the grant or the seal vouched for it."""
    if not resident_id:
        return None
    with database_of(request).session() as db:
        return residents.get_resident(db, resident_id)


def _form_page(
    request: Request,
    procedure: Procedure,
    *,
    prefilled: service.Prefilled,
    values: dict[str, Any],
    key: str,
    seal: str,
    errors: dict[str, Any] | None = None,
    status_code: int = 200,
    acting_for: str = "",
) -> HTMLResponse:
    return render(
        request,
        "procedures/apply.html",
        {
            "acting_for": _person(request, acting_for),
            "household": _household(request, procedure),
            "p": procedure,
            "prefilled": prefilled,
            "values": values,
            "key": key,
            "seal": seal,
            "errors": errors or {},
            "later": procedure.responsible.rule == "municipality_of_destination",
        },
        status_code=status_code,
    )


@router.get("/procedures/{procedure_id}/apply", response_class=HTMLResponse)
def apply_form(
    request: Request,
    procedure_id: str,
    *,
    person: CurrentResident,
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
    for_person: str = Query("", alias="for", max_length=64),
) -> HTMLResponse:
    """申請する: only what the registries cannot tell is asked; the rest is shown with its source.
    ``?for=`` opens the form of the person a registered proxy acts for (代理申請)."""
    procedure = catalogue.get_procedure(registry, procedure_id)
    state = request.app.state
    opened = service.open_form(
        state.database, mesh, state.secret_key, procedure, person, on_behalf_of=for_person or None
    )
    if not opened.start.eligibility.eligible:
        verdict = opened.start.eligibility
        return render(request, "procedures/not_eligible.html", {"p": procedure, "verdict": verdict}, 403)
    funnel.reached(request, procedure.id, "started", opened.start.organization)
    return _form_page(
        request,
        procedure,
        prefilled=opened.prefilled,
        values={},
        key=service.new_idempotency_key(),
        seal=opened.seal,
        acting_for=for_person,
    )


def _prepared(
    request: Request, procedure: Procedure, person: Principal, form: FormData, mesh: meshlink.MeshGateway
) -> tuple[service.Prefilled, dict[str, Any], str, str]:
    secret: str = secret_of(request)
    on_behalf_of = str(form.get(FOR_FIELD, "")) or None
    subject = on_behalf_of or person.subject_id
    sealed = service.unseal(secret, str(form.get(SEAL_FIELD, "")), subject, procedure)
    with database_of(request).session() as db:
        # a seal without values (made before the destination was known) is fetched now
        return service.prepare(
            db,
            mesh,
            procedure,
            person,
            values_from_form(procedure, form),
            sealed=sealed,
            on_behalf_of=on_behalf_of,
            key=str(form.get(KEY_FIELD, "")),
        )


async def _submitted_form(request: Request) -> FormData:
    return await request.form()


async def _received(
    request: Request, procedure: Procedure, person: Principal, form: FormData, key: str
) -> tuple[dict[str, FieldError], dict[str, Any]]:
    """Hold the form's files; (their problems, the files held so far as values to show)."""
    if not procedure.has_files:
        return {}, {}
    with database_of(request).session() as db:
        owner, key = person.subject_id, service.require_key(key)
        problems = await uploads.receive(db, procedure, form, owner=owner, key=key)
        return problems, {name: held.__dict__ for name, held in attachments.pending(db, owner, key).items()}


@router.post("/procedures/{procedure_id}/apply", response_class=HTMLResponse)
async def review(
    request: Request,
    procedure_id: str,
    person: CurrentResident,
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> Response:
    """確認: every value, where the registry ones came from, and the organization it goes to."""
    procedure = catalogue.get_procedure(registry, procedure_id)
    form = await _submitted_form(request)
    key, seal = str(form.get(KEY_FIELD, "")), str(form.get(SEAL_FIELD, ""))
    on_behalf_of = str(form.get(FOR_FIELD, ""))  # 代理申請: the person the seal is bound to
    subject = on_behalf_of or person.subject_id
    submit_now = form.get("step") == "submit"
    file_problems, held = await _received(request, procedure, person, form, key)
    if form.get("step") == "edit":
        sealed = service.unseal(secret_of(request), seal, subject, procedure)
        return _form_page(
            request,
            procedure,
            prefilled=sealed,
            values=values_from_form(procedure, form) | held,
            key=key,
            seal=seal,
            acting_for=on_behalf_of,
        )
    try:
        if file_problems:
            raise InvalidApplication(list(file_problems.values()))
        if submit_now:
            values = values_from_form(procedure, form)
            draft = service.Draft(
                procedure,
                person,
                values,
                service.require_key(key),
                values,
                seal=seal,
                on_behalf_of=on_behalf_of or None,
            )
            app, created = await run_in_threadpool(
                service.apply, database_of(request), mesh, secret_of(request), draft
            )
            if created:  # a repeated submit (same idempotency key) is not a second application
                funnel.reached(request, procedure.id, "submitted", app.organization_code)
            return RedirectResponse(f"/applications/{app.id}?submitted=1", status_code=303)
        prefilled, data, organization, _subject = await run_in_threadpool(
            _prepared, request, procedure, person, form, mesh
        )
    except InvalidApplication as exc:
        sealed = service.unseal(secret_of(request), seal, subject, procedure)
        errors = {p.field: p for p in exc.problems} | file_problems
        return _form_page(
            request,
            procedure,
            prefilled=sealed,
            values=values_from_form(procedure, form) | held,
            key=key,
            seal=seal,
            errors=errors,
            status_code=422,
            acting_for=on_behalf_of,
        )
    fresh_seal = service.seal(secret_of(request), subject, procedure, prefilled)
    funnel.reached(request, procedure.id, "review", organization)
    return render(
        request,
        "procedures/review.html",
        {
            "p": procedure,
            "data": data,
            "member_names": {m.id: f"{m.name}（{m.relationship}）" for m in _household(request, procedure)},
            "prefilled": prefilled,
            "organization": organization,
            "acting_for": _person(request, on_behalf_of),
            "key": key,
            "seal": fresh_seal,
            "form": [
                (k, v) for k, v in form.multi_items() if k not in (KEY_FIELD, SEAL_FIELD, "step", csrf.FIELD)
            ],
        },
    )


@router.get("/applications", response_class=HTMLResponse)
def my_applications(
    *,
    request: Request,
    person: CurrentResident,
    registry: LiveRegistry = Depends(live_registry),
    db: Transaction,
) -> HTMLResponse:
    """申請状況: each application by its procedure's name, its state in words and where it went."""
    found, total = service.list_mine(db, person.subject_id, limit=100, offset=0)
    return render(
        request,
        "procedures/applications.html",
        {
            "applications": found,
            "total": total,
            "today": backoffice.today(),
            "procedures": registry.snapshot().procedures,
            "status_names": backoffice.STATUS_NAMES,
        },
    )


@router.get("/applications/{application_id}", response_class=HTMLResponse)
def status_page(
    request: Request,
    application_id: str,
    *,
    submitted: bool = Query(False),
    principal: CurrentPrincipal,
    registry: LiveRegistry = Depends(live_registry),
    db: Transaction,
) -> HTMLResponse:
    """申請の状況: receipt, state, evidence with provenance, notices, history."""
    app = service.get_for(db, principal, application_id)
    procedure = registry.snapshot().procedures.get(app.procedure_id)
    return render(
        request,
        "procedures/application.html",
        {
            "app": app,
            "p": procedure,
            "submitted": submitted,
            "today": backoffice.today(),
            "notices": notices.notices_of(db, app.id),
            "notice_title": notice_pdf.title_of,
            "status_names": backoffice.STATUS_NAMES,
            **payments_view.context(db, principal, procedure, app),
            **appointments_view.context(db, principal, procedure, app),
            **applications_view.context(db, principal, procedure, app),
        },
    )


@router.post("/applications/{application_id}/retry")
def retry(
    request: Request,
    application_id: str,
    person: CurrentResident,
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> RedirectResponse:
    """Ask the registries again for the evidence that could not be fetched."""
    service.retry_evidence(database_of(request), mesh, registry, person, application_id)
    return RedirectResponse(f"/applications/{application_id}", status_code=303)
