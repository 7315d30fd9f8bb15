"""The public machine-readability check page (機械可読性チェック), /catalog/check: a publisher's
staff upload a CSV or .xlsx before publishing and read every violation with its sheet, cell,
rule and fix, and the score per level. A plain form: no JavaScript, nothing is stored."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from tsunagu.catalog.readability import checker, reading
from tsunagu.catalog.readability.rules import rules
from tsunagu.core.http import csrf
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.templating import render

router = APIRouter(prefix="/catalog/check", include_in_schema=False, dependencies=[Depends(csrf.protect)])
TEMPLATE = "catalog/check.html"


@router.get("", response_class=HTMLResponse)
def check_form(request: Request) -> HTMLResponse:
    return render(request, TEMPLATE, {"report": None, "error": "", "rules": rules()})


@router.post("", response_class=HTMLResponse)
async def check_upload(request: Request) -> HTMLResponse:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _refused(request, N_("確認するファイルを選んでください。"))
    try:
        report = checker.check_file(upload.filename, await upload.read(reading.MAX_BYTES + 1))
    except reading.UnreadableFile as exc:
        return _refused(request, exc.detail, exc.status)
    return render(request, TEMPLATE, {"report": report, "error": "", "rules": rules()})


def _refused(request: Request, message: str, status: int = 422) -> HTMLResponse:
    """The form again with the problem said above it (a dynamic detail is shown as written)."""
    return render(request, TEMPLATE, {"report": None, "error": message, "rules": rules()}, status)
