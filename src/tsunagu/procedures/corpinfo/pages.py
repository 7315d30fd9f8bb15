"""Pages of the open corporate information (法人活動情報): search and a corporation's activity for
anyone (no key needed to read in a browser), and the API-key console for the platform operator."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.deps import CurrentStaff, Transaction
from tsunagu.core.http.templating import render
from tsunagu.core.messages import N_
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.corpinfo import service
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(prefix="/corporate-info", include_in_schema=False, dependencies=[Depends(csrf.protect)])
PAGE_SIZE = 20
FIELD_MESSAGES = {  # shown translated (procedures_corpinfo.po)
    "name": N_("利用する団体・サービスの名前を入力してください。"),
    "contact": N_("連絡先のメールアドレスを入力してください。"),
    "per_minute": N_("1分あたりの上限は1以上100,000以下の数で入力してください。"),
    "per_day": N_("1日あたりの上限は、1分あたりの上限以上、100,000,000以下の数で入力してください。"),
}


@router.get("", response_class=HTMLResponse)
def search_page(
    request: Request,
    db: Transaction,
    *,
    name: str = Query("", max_length=150),
    prefecture: str = Query("", max_length=10),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> HTMLResponse:
    """法人活動情報の検索."""
    searched = bool(name.strip() or prefecture.strip())
    records, total = (
        service.search(db, name=name or None, prefecture=prefecture or None, limit=PAGE_SIZE, offset=offset)
        if searched
        else ([], 0)
    )
    return render(
        request,
        "corpinfo/search.html",
        {
            "query": {"name": name, "prefecture": prefecture},
            "searched": searched,
            "records": records,
            "total": total,
            "offset": offset,
            "page_size": PAGE_SIZE,
            "files": service.FILES,
        },
    )


@router.get("/console", response_class=HTMLResponse)
def console_page(request: Request, db: Transaction, staff: CurrentStaff) -> HTMLResponse:
    """APIキーの発行と利用状況 (管理 staff of the platform operator)."""
    return _console(request, db, staff)


def _console(
    request: Request, db: Transaction, staff: CurrentStaff, status_code: int = 200, **context: object
) -> HTMLResponse:
    return render(
        request,
        "corpinfo/console.html",
        {"clients": service.clients(db, staff), "form": {}, "errors": {}, **context},
        status_code=status_code,
    )


@router.post("/console", response_class=HTMLResponse)
def issue_key(
    request: Request,
    db: Transaction,
    staff: CurrentStaff,
    *,
    name: str = Form("", max_length=200),
    contact: str = Form("", max_length=254),
    per_minute: str = Form("", max_length=9),
    per_day: str = Form("", max_length=12),
) -> HTMLResponse:
    """Issue a key: shown once on the answer page, never again."""
    form = {"name": name, "contact": contact, "per_minute": per_minute, "per_day": per_day}
    try:
        issued = service.issue_key(
            db,
            name=name,
            contact=contact,
            issued_by=staff,
            per_minute=_limit(per_minute, service.DEFAULT_PER_MINUTE),
            per_day=_limit(per_day, service.DEFAULT_PER_DAY),
        )
    except ValidationFailed as problem:
        fields = {str(e["location"][-1]) for e in problem.errors}
        errors = {field: FIELD_MESSAGES[field] for field in FIELD_MESSAGES if field in fields}
        return _console(request, db, staff, status_code=422, form=form, errors=errors)
    return _console(request, db, staff, status_code=201, issued=issued)


def _limit(text: str, default: int) -> int:
    """A limit as typed (1,000 allowed); blank is the default, anything else not a number is 0
    (which the use case refuses next to the field)."""
    digits = text.replace(",", "").strip()
    if not digits:
        return default
    return int(digits) if digits.isascii() and digits.isdigit() else 0


@router.post("/console/{client_id}/revoke")
def revoke_key(client_id: str, db: Transaction, staff: CurrentStaff) -> RedirectResponse:
    service.revoke(db, client_id, staff)
    return RedirectResponse("/corporate-info/console?revoked=1", status_code=303)


@router.get("/{number}", response_class=HTMLResponse)
def activity_page(
    request: Request, number: str, db: Transaction, registry: LiveRegistry = Depends(live_registry)
) -> HTMLResponse:
    """法人活動情報: one corporation by 法人番号."""
    found = service.activity(db, number, dict(registry.snapshot().procedures))
    return render(request, "corpinfo/activity.html", {"found": found, "c": found.basic.corporation})
