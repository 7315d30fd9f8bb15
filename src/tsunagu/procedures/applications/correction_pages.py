"""The applicant's pages of 補正 and 取下げ (no JavaScript): correct → review → resubmit, and
withdraw after a confirmation; the files of an application, for its applicant and the office."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_principal, require_resident
from tsunagu.core.http.deps import AppDatabase
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications import attachments, correction, service, uploads
from tsunagu.procedures.applications.api import attachment_response
from tsunagu.procedures.applications.pages import KEY_FIELD, values_from_form
from tsunagu.procedures.applications.validation import FieldError, InvalidApplication
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.protect)])


def _form(
    request: Request,
    db: Session,
    procedure: Procedure,
    app: service.Application,
    *,
    owner: str,
    values: dict[str, Any],
    key: str,
    errors: dict[str, FieldError] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    wanted = correction.open_request(db, app.id)
    editable = correction.editable_fields(procedure, app, wanted)
    held = attachments.pending(db, owner, key)
    return render(
        request,
        "procedures/correct.html",
        {
            "p": procedure,
            "app": app,
            "correction": wanted,
            "editable": editable,
            "fixed": [f.name for f in procedure.fields if f.name not in editable],
            "values": values | {name: held[name].__dict__ for name in held},
            "key": key,
            "errors": errors or {},
        },
        status_code,
    )


def _corrected_values(procedure: Procedure, editable: set[str], form: FormData) -> dict[str, Any]:
    return {k: v for k, v in values_from_form(procedure, form).items() if k in editable}


@router.get("/applications/{application_id}/correct", response_class=HTMLResponse)
def correct_form(
    request: Request,
    application_id: str,
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """修正して再提出: the current values, only the flagged fields open for change."""
    app = service.get_for(db, person, application_id)
    procedure = catalogue.get_procedure(registry, app.procedure_id)
    return _form(
        request,
        db,
        procedure,
        app,
        owner=person.subject_id,
        values=app.data,
        key=service.new_idempotency_key(),
    )


@router.post("/applications/{application_id}/correct", response_class=HTMLResponse)
async def correct(
    request: Request,
    database: AppDatabase,
    application_id: str,
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
) -> Response:
    form = await request.form()
    key = service.require_key(str(form.get(KEY_FIELD, "")))
    with database.session() as db:
        app = service.get_for(db, person, application_id)
        procedure = catalogue.get_procedure(registry, app.procedure_id)
        editable = set(correction.editable_fields(procedure, app, correction.open_request(db, app.id)))
        values = _corrected_values(procedure, editable, form)
        file_problems = await uploads.receive(db, procedure, form, owner=person.subject_id, key=key)
        if form.get("step") == "edit":
            return _form(
                request, db, procedure, app, owner=person.subject_id, values=app.data | values, key=key
            )
        try:
            if form.get("step") == "submit" and not file_problems:
                correction.resubmit(db, registry, person, app.id, values, key=key)
                return RedirectResponse(f"/applications/{application_id}", status_code=303)
            data = correction.check(db, registry, person, app.id, values, key=key)
            if file_problems:
                raise InvalidApplication(list(file_problems.values()))
        except InvalidApplication as exc:
            errors = {p.field: p for p in exc.problems} | file_problems
            return _form(
                request,
                db,
                procedure,
                app,
                owner=person.subject_id,
                values=app.data | values,
                key=key,
                errors=errors,
                status_code=422,
            )
        return render(
            request,
            "procedures/correct_review.html",
            {
                "p": procedure,
                "app": app,
                "data": data,
                "changed": [name for name, value in data.items() if app.data.get(name) != value],
                "key": key,
                "form": [
                    (k, v)
                    for k, v in form.multi_items()
                    if isinstance(v, str) and k.split(".")[0] in editable
                ],
            },
        )


@router.get("/applications/{application_id}/withdraw", response_class=HTMLResponse)
def withdraw_form(
    request: Request,
    application_id: str,
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """取下げの確認: nothing changes until the applicant confirms."""
    app = service.get_for(db, person, application_id)
    procedure = registry.snapshot().procedures.get(app.procedure_id)
    return render(request, "procedures/withdraw.html", {"app": app, "p": procedure})


@router.post("/applications/{application_id}/withdraw")
def withdraw(
    application_id: str,
    reason: str = Form("", max_length=2000),
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
    db: Session = TRANSACTION,
) -> RedirectResponse:
    correction.withdraw(db, registry, person, application_id, reason=reason)
    return RedirectResponse(f"/applications/{application_id}", status_code=303)


@router.get("/applications/{application_id}/attachments/{attachment_id}")
def attachment(
    application_id: str,
    attachment_id: str,
    principal: Principal = Depends(require_principal),
    db: Session = TRANSACTION,
) -> Response:
    """An uploaded file: its applicant, or the staff of the organization it was sent to."""
    return attachment_response(db, principal, application_id, attachment_id)
