"""The oversight console (/oversight) for staff with the oversight role: import a survey year of the
inventory, register systems and costs, the cost report and the audit trail."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tsunagu.core import sessions
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.deps import AppDatabase
from tsunagu.core.http.templating import locale_of, render
from tsunagu.core.messages import N_
from tsunagu.oversight import charts, dashboard, inventory, links, service
from tsunagu.oversight.api import CALLER, import_file, read_upload
from tsunagu.oversight.deps import sources_of
from tsunagu.oversight.models import OversightAudit

router = APIRouter(prefix="/oversight", include_in_schema=False, dependencies=[Depends(csrf.protect)])
AUDIT_SHOWN = 30


def _console(
    request: Request, db: Session, principal: sessions.Principal, status_code: int = 200, **extra: object
) -> Response:
    locale = locale_of(request)
    audit = list(db.scalars(select(OversightAudit).order_by(OversightAudit.id.desc()).limit(AUDIT_SHOWN)))
    return render(
        request,
        "oversight/console.html",
        {
            "surveys": inventory.surveys(db),
            "report": service.cost_report(db, principal),
            "audit": audit,
            "percent": charts.percent,
            "fy": lambda year: dashboard.fiscal_year(year, locale),
            "layout_name": lambda layout: dashboard.layout_name(layout, locale),
            **extra,
        },
        status_code=status_code,
    )


@router.get("", response_class=HTMLResponse)
def console_page(
    request: Request, principal: sessions.Principal = CALLER, db: Session = TRANSACTION
) -> Response:
    return _console(request, db, principal)


@router.post("/inventory", response_class=HTMLResponse)
async def upload_inventory(
    request: Request,
    database: AppDatabase,
    file: UploadFile = File(...),
    survey_year: str = Form(""),
    principal: sessions.Principal = CALLER,
) -> Response:
    """The import form: a report of what was imported and normalized, or every problem by line."""
    try:
        year = int(survey_year) if survey_year.strip() else None
    except ValueError:
        year = -1
    try:
        if year == -1:
            raise ValidationFailed(
                N_("調査年度は西暦4桁の数字で入力してください。"),
                errors=[{"location": ["survey_year"], "message": "not a year"}],
            )
        data = await read_upload(file)
        report = await run_in_threadpool(
            import_file,
            database,
            principal,
            file.filename or "upload",
            data,
            year,
            served=sources_of(request).served,
        )
    except ValidationFailed as refused:
        with database.session() as db:
            return _console(request, db, principal, 422, refused=refused, survey_year=survey_year)
    names = sources_of(request).procedure_names(locale_of(request))
    with database.session() as db:
        return _console(
            request,
            db,
            principal,
            imported=report,
            imported_links=sorted(
                report.links.values(), key=lambda link: (link.method == "none", names.get(link.procedure, ""))
            ),
            procedure_names=names,
            method_names=links.METHOD_NAMES,
        )


@router.post("/systems", response_class=HTMLResponse)
async def upload_systems(
    request: Request,
    database: AppDatabase,
    file: UploadFile = File(...),
    principal: sessions.Principal = CALLER,
) -> Response:
    try:
        data = await read_upload(file)
        with database.session() as db:
            count = service.register_systems(db, principal, data)
    except ValidationFailed as refused:
        with database.session() as db:
            return _console(request, db, principal, 422, systems_refused=refused)
    with database.session() as db:
        return _console(request, db, principal, systems_imported=count)
