"""Pages of the corporate registry: search and a corporation with its history (public), and the
法務局 staff page that registers a change (変更の登記) through ``service.record_change``."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import Conflict, NotFound, ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.deps import CurrentStaff
from tsunagu.core.http.templating import render
from tsunagu.core.messages import N_
from tsunagu.registry.corporations import service

router = APIRouter(prefix="/registry/corporations", include_in_schema=False)
PAGE_SIZE = 20


@router.get("", response_class=HTMLResponse)
def search_page(
    request: Request,
    *,
    name: str = Query("", max_length=150),
    kana: str = Query("", max_length=150),
    prefecture: str = Query("", max_length=10),
    municipality: str = Query("", max_length=6),
    closed: str = Query(""),
    offset: int = Query(0, ge=0),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """法人番号の検索."""
    searched = any((name, kana, prefecture, municipality, closed))
    records: list[service.CorporationRecord] = []
    total = 0
    if searched:
        records, total = service.search(
            db,
            name=name or None,
            kana=kana or None,
            prefecture=prefecture or None,
            municipality=municipality or None,
            closed={"yes": True, "no": False}.get(closed),
            limit=PAGE_SIZE,
            offset=offset,
        )
    return render(
        request,
        "registry_corporations/search.html",
        {
            "query": {
                "name": name,
                "kana": kana,
                "prefecture": prefecture,
                "municipality": municipality,
                "closed": closed,
            },
            "searched": searched,
            "records": records,
            "total": total,
            "offset": offset,
            "page_size": PAGE_SIZE,
        },
    )


@router.get("/{number}", response_class=HTMLResponse)
def detail_page(request: Request, number: str, db: Session = TRANSACTION) -> HTMLResponse:
    """法人の詳細と異動履歴."""
    record = service.require_corporation(db, number)
    return render(
        request,
        "registry_corporations/detail.html",
        {
            "corporation": record,
            "municipality": service.municipality_of(db, record),
            "history": service.history(db, number),
            "entries": service.change_entries(db, record.number),
            "changed": service.CHANGE_KINDS.get(request.query_params.get("changed", "")),
        },
    )


#: what staff read next to a field, by the field the use case names
CHANGE_FIELD_MESSAGES = {
    "kind": N_("登記する変更の種類を選んでください。"),
    "effective_on": N_("変更年月日を、変更が効力を生じた日（今日以前）で入力してください。"),
    "name": N_("新しい商号を入力してください。"),
    "municipality_code": N_("新しい本店の市区町村を、全国地方公共団体コード（6桁）で入力してください。"),
    "street_number": N_("新しい本店の町名・番地を入力してください。"),
    "title": N_("新しい代表者の役職を入力してください。"),
    "person_name": N_("新しい代表者の氏名を入力してください。"),
    "address": N_("新しい代表者の住所を入力してください。"),
    "liquidator_address": N_("代表清算人の住所を入力してください。"),
    "resigning": N_("退任する代表者を選び直してください。"),
}
CHANGE_MESSAGES = {
    "corporations-dissolved": N_("この法人は解散または閉鎖されているため、この変更は登記できません。"),
    "corporations-registration-not-found": N_("この法人の登記記録はありません。"),
    "corporations-officer-not-found": N_("選んだ代表者は、現在の代表者ではありません。"),
}


def _change_page(
    request: Request,
    db: Session,
    number: str,
    *,
    form: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    record = service.require_corporation(db, number)
    return render(
        request,
        "registry_corporations/change.html",
        {
            "corporation": record,
            "matters": service.registered_matters(db, record.number),
            "kinds": service.CHANGE_KINDS,
            "form": form,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.get("/{number}/changes", response_class=HTMLResponse)
def change_page(
    request: Request, number: str, staff: CurrentStaff, db: Session = TRANSACTION
) -> HTMLResponse:
    """変更の登記 (法務局 staff): the form, with today's date and the current representatives."""
    service.require_change_staff(staff)
    return _change_page(
        request, db, number, form={"effective_on": clock.today_jst().date().isoformat()}, errors={}
    )


@router.post("/{number}/changes", response_class=HTMLResponse, dependencies=[Depends(csrf.protect)])
def record_change(
    request: Request,
    number: str,
    staff: CurrentStaff,
    *,
    kind: str = Form("", max_length=20),
    effective_on: str = Form("", max_length=10),
    name: str = Form("", max_length=300),
    furigana: str = Form("", max_length=500),
    municipality_code: str = Form("", max_length=6),
    street_number: str = Form("", max_length=300),
    post_code: str = Form("", max_length=8),
    resigning: str = Form("", max_length=10),
    title: str = Form("", max_length=30),
    person_name: str = Form("", max_length=200),
    address: str = Form("", max_length=300),
    liquidator_name: str = Form("", max_length=200),
    liquidator_address: str = Form("", max_length=300),
    db: Session = TRANSACTION,
) -> Response:
    """Register the change; on a problem the form again, the fields marked and the values kept."""
    form = {key: value for key, value in locals().items() if isinstance(value, str) and key != "number"}
    errors: dict[str, str] = {}
    if kind not in service.CHANGE_KINDS:
        errors["kind"] = CHANGE_FIELD_MESSAGES["kind"]
    try:
        on = date.fromisoformat(effective_on)
    except ValueError:
        errors["effective_on"] = CHANGE_FIELD_MESSAGES["effective_on"]
    officer = int(resigning) if resigning.isdigit() and 0 < int(resigning) < 2**31 else None
    if resigning and officer is None:
        errors["resigning"] = CHANGE_FIELD_MESSAGES["resigning"]
    if errors:
        return _change_page(request, db, number, form=form, errors=errors, status_code=422)
    change = service.ChangeRequest(
        kind=kind,  # type: ignore[arg-type]  # checked against CHANGE_KINDS above
        effective_on=on,
        name=name,
        furigana=furigana,
        municipality_code=municipality_code,
        street_number=street_number,
        post_code=post_code,
        resigning=officer,
        title=title,
        person_name=person_name,
        address=address,
        liquidator_name=liquidator_name,
        liquidator_address=liquidator_address,
    )
    try:
        matters = service.record_change(db, staff, number, change)
    except ValidationFailed as problem:
        named = {str(e["location"][-1]) for e in problem.errors}
        errors = {field: CHANGE_FIELD_MESSAGES[field] for field in CHANGE_FIELD_MESSAGES if field in named}
        return _change_page(request, db, number, form=form, errors=errors, status_code=422)
    except (Conflict, NotFound) as problem:
        if problem.code not in CHANGE_MESSAGES:
            raise
        errors = {"kind": CHANGE_MESSAGES[problem.code]}
        if problem.code == "corporations-officer-not-found":
            errors = {"resigning": CHANGE_FIELD_MESSAGES["resigning"]}
        return _change_page(request, db, number, form=form, errors=errors, status_code=problem.status)
    return RedirectResponse(f"/registry/corporations/{matters.number}?changed={kind}", status_code=303)
