"""The conformance pages: staff upload a system's export and follow its check (the page refreshes
itself while it runs, no JavaScript needed), read the result (summary first, then the chart and the
findings), verify a conformance statement, and see the national migration overview (移行状況)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from tsunagu.conformance import pmo, published, reports, service
from tsunagu.conformance.requirements import RequirementSet
from tsunagu.core import clock
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_staff
from tsunagu.core.http.deps import AppDatabase, AppSettings, SecretKey
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.templating import locale_of, render
from tsunagu.core.sessions import Principal

router = APIRouter(prefix="/conformance", include_in_schema=False, dependencies=[Depends(csrf.protect)])
STAFF = Depends(require_staff())
STATUS = {
    "queued": N_("待機中"),
    "running": N_("確認中"),
    "passed": N_("適合"),
    "failed": N_("不適合"),
    "error": N_("確認できませんでした"),
}
VERIFY_REASONS = {
    "not a JWS compact document": N_(
        "文書の形式が正しくありません。3つの部分がドットでつながった文書全体を貼り付けてください。"
    ),
    "the document is damaged": N_("文書が壊れています（読み取れない部分があります）。"),
    "not issued by an organization known here": N_(
        "この基盤で適合性確認をした機関が発行した確認書ではありません。"
    ),
    "the signature does not match: the document was changed": N_(
        "署名が一致しません。確認書が書き換えられています。"
    ),
    "the issuer inside differs from the signer": N_("確認書に書かれた発行元と、署名した機関が異なります。"),
    "": N_("この確認書の署名を確認できませんでした。"),
}


def _list(
    request: Request, db: Session, principal: Principal, *, status_code: int = 200, **values: Any
) -> HTMLResponse:
    return render(
        request,
        "conformance/checks.html",
        {"checks": service.checks_of(db, principal), "statuses": STATUS, **values},
        status_code,
    )


@router.get("", response_class=HTMLResponse)
def checks_page(request: Request, principal: Principal = STAFF, db: Session = TRANSACTION) -> HTMLResponse:
    return _list(request, db, principal, form={})


@router.post("", response_class=HTMLResponse)
async def submit_page(
    request: Request,
    *,
    settings: AppSettings,
    database: AppDatabase,
    secret_key: SecretKey,
    principal: Principal = STAFF,
    db: Session = TRANSACTION,
) -> Response:
    form = await request.form()
    upload = form.get("file")
    values = {name: str(form.get(name, "")) for name in ("system_name", "system_version", "vendor_name")}
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _list(
            request,
            db,
            principal,
            form=values,
            errors={"file": N_("確認するファイルを選んでください。")},
            status_code=422,
        )
    try:
        check_id = service.submit(
            db,
            principal,
            data_dir=settings.data_dir,
            file_name=upload.filename,
            upload=upload.file,
            **values,
        )
    except ValidationFailed as error:
        fields = {str(e["location"][-1]): e.get("type", "") for e in error.errors or []}
        messages = {
            "missing": N_("入力してください。"),
            "format": N_("CSV・TSV・JSON Lines・Excel(xlsx)・ZIP のいずれかを選んでください。"),
            "too-large": N_(
                "ファイルが大きすぎます。コマンド tsunagu conformance check で確認してください。"
            ),
        }
        return _list(
            request,
            db,
            principal,
            form=values,
            status_code=422,
            errors={name: messages.get(kind, messages["missing"]) for name, kind in fields.items()},
        )
    db.commit()
    service.start(database, secret_key, settings.data_dir, check_id)
    return RedirectResponse(f"/conformance/checks/{check_id}", status_code=303)


@router.get("/checks/{check_id}", response_class=HTMLResponse)
def check_page(
    request: Request, check_id: str, principal: Principal = STAFF, db: Session = TRANSACTION
) -> HTMLResponse:
    record = service.get_check(db, principal, check_id)
    locale = locale_of(request)
    totals = record.report.findings.sorted_totals() if record.report else []
    running = record.status in ("queued", "running")
    page = render(
        request,
        "conformance/check.html",
        {
            "check": record,
            "statuses": STATUS,
            "totals": totals,
            "chart": reports.chart(totals, locale) if totals else "",
            # in the order a clerk reads the files: by file, then row (file-wide findings first)
            "findings": sorted(
                record.report.findings.kept if record.report else [], key=lambda f: (f.file, f.row or 0)
            )[:200],
            "running": running,
        },
    )
    if running:
        page.headers["Refresh"] = "2"  # the browser reloads the page while the check runs (no script)
    return page


@router.get("/checks/{check_id}/report.html", response_class=HTMLResponse)
def report_html(check_id: str, principal: Principal = STAFF, db: Session = TRANSACTION) -> Response:
    record = service.get_check(db, principal, check_id)
    if record.report is None:
        return RedirectResponse(f"/conformance/checks/{check_id}", status_code=303)
    subject = f"{record.system_name} {record.system_version}（{record.vendor_name}）"
    set_id, _, version = record.requirement_set.partition("/")
    try:
        found: RequirementSet | None = published.requirement_set(set_id, version)
    except published.RequirementSetNotFound:
        found = None  # a set no longer shipped: the report names the columns as the file does
    html = reports.to_html(record.report, checked_at=record.finished_at, subject=subject, found=found)
    # a file to keep (a download), named by the check so that several can sit side by side
    disposition = f'attachment; filename="conformance-report-{record.id}.html"'
    return HTMLResponse(html, headers={"Content-Disposition": disposition})


@router.get("/checks/{check_id}/junit.xml")
def report_junit(check_id: str, principal: Principal = STAFF, db: Session = TRANSACTION) -> Response:
    record = service.get_check(db, principal, check_id)
    if record.report is None:
        return RedirectResponse(f"/conformance/checks/{check_id}", status_code=303)
    return Response(reports.to_junit(record.report), media_type="application/xml")


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request) -> HTMLResponse:
    return render(
        request, "conformance/verify.html", {"result": None, "document": "", "reasons": VERIFY_REASONS}
    )


@router.post("/verify", response_class=HTMLResponse)
async def verify_page(request: Request, secret_key: SecretKey, db: Session = TRANSACTION) -> HTMLResponse:
    form = await request.form()
    document = str(form.get("document", ""))[:20_000]
    result = service.verify(secret_key, document, service.statement_issuers(db)) if document.strip() else None
    return render(
        request,
        "conformance/verify.html",
        {"result": result, "document": document, "reasons": VERIFY_REASONS, "areas": pmo.BUSINESS_AREAS},
        200 if result is None or result.valid else 422,
    )


@router.get("/migration", response_class=HTMLResponse)
def migration_page(request: Request, area: str = "", db: Session = TRANSACTION) -> HTMLResponse:
    today = clock.today_jst().date()
    summaries = pmo.overview(db, today)
    return render(
        request,
        "conformance/migration.html",
        {
            "summaries": summaries,
            "chart": reports.migration_chart(summaries, locale_of(request)),
            "late": pmo.late(db, today, area if area in pmo.BUSINESS_AREAS else None),
            "area": area,
            "areas": pmo.BUSINESS_AREAS,
            "today": today,
        },
    )


@router.get("/migration.csv")
def migration_csv(db: Session = TRANSACTION) -> Response:
    """Every municipality and area (about 35,000 rows, 3 MB): made whole inside the request's session."""
    return Response(
        "".join(pmo.csv_rows(db)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="migration-status.csv"'},
    )
