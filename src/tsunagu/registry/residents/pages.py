"""Staff pages of the resident registry: search, a record with its history and who read it, and
a 転居 form (the other 届出 are in ``registration_pages``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core import sessions
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_same_organization, require_staff
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.templating import render, translate
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.residents import service
from tsunagu.registry.residents.api import DEFAULT_PURPOSE, READERS, REGISTRAR, role_of
from tsunagu.registry.residents.forms import display_date

router = APIRouter(
    prefix="/staff/registry/residents", include_in_schema=False, dependencies=[Depends(csrf.protect)]
)
PAGE_SIZE = 20
KIND_LABELS = {
    "birth": N_("出生"),
    "move_in": N_("転入"),
    "address_change": N_("転居"),
    "move_out": N_("転出"),
    "death": N_("死亡"),
    "name_change": N_("氏名変更"),
    "head_change": N_("世帯主変更"),
}
DETAIL_LABELS = {
    "previous_address": N_("前住所"),
    "certificate": N_("転出証明書の番号"),
    "reason": N_("変更の理由"),
    "previous_head": N_("前の世帯主"),
}
ROLE_LABELS = {"住基": N_("住民記録の担当職員"), "閲覧": N_("閲覧権限の職員"), "": N_("職員")}
ACCESS_LOG_SIZE = 20
STATUS_LABELS = {"resident": N_("住民"), "moved_out": N_("転出"), "deceased": N_("死亡")}
FIELD_MESSAGES = {
    "unknown-town": N_("その町字は住所の台帳にありません。"),
    "town-outside-municipality": N_("この市区町村の町字を選んでください。"),
    "effective-date-in-future": N_("未来の日付は登録できません。"),
    "effective-date-before-last-change": N_("前回の異動日より前の日付は登録できません。"),
}
SEX_LABELS = {"1": N_("男"), "2": N_("女"), "9": N_("適用不能"), "0": N_("不明")}


def own_record(db: Session, principal: sessions.Principal, resident_id: str) -> service.ResidentRecord:
    record = service.require_resident(db, resident_id)
    require_same_organization(principal, record.municipality_code)
    return record


def read_record(db: Session, principal: sessions.Principal, resident_id: str) -> service.ResidentRecord:
    """``own_record``, recorded as an access that the person will see."""
    record = own_record(db, principal, resident_id)
    service.record_access(
        db,
        record.id,
        principal.subject_id,
        record.municipality_code,
        DEFAULT_PURPOSE,
        role=role_of(principal),
    )
    return record


def labels() -> dict[str, Any]:
    return {
        "kind_labels": KIND_LABELS,
        "status_labels": STATUS_LABELS,
        "sex_labels": SEX_LABELS,
        "detail_labels": DETAIL_LABELS,
        "role_labels": ROLE_LABELS,
        "display_date": display_date,
    }


@router.get("", response_class=HTMLResponse)
def search_page(
    request: Request,
    *,
    name: str = Query("", max_length=100),
    kana: str = Query("", max_length=100),
    birth_date: str = Query("", max_length=10),
    offset: int = Query(0, ge=0),
    principal: sessions.Principal = Depends(require_staff(*READERS)),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """住民検索."""
    municipality_code = principal.organization_code or ""
    errors: dict[str, str] = {}
    born: date | None = None
    if birth_date:
        try:
            born = date.fromisoformat(birth_date)
        except ValueError:
            errors["birth_date"] = translate(request, "生年月日は 2000-01-31 の形で入力してください。")
    searched = bool(name or kana or born) and not errors
    records: list[service.ResidentRecord] = []
    total = 0
    if searched:
        records, total = service.find_residents(
            db,
            municipality_code,
            service.SearchQuery(name=name, kana=kana, birth_date=born),
            limit=PAGE_SIZE,
            offset=offset,
        )
        service.record_accesses(
            db,
            [r.id for r in records],
            principal.subject_id,
            municipality_code,
            DEFAULT_PURPOSE,
            role=role_of(principal),
        )
    return render(
        request,
        "registry_residents/search.html",
        {
            "query": {"name": name, "kana": kana, "birth_date": birth_date},
            "errors": errors,
            "searched": searched,
            "records": records,
            "total": total,
            "offset": offset,
            "page_size": PAGE_SIZE,
            "can_register": principal.has_role(REGISTRAR),
            **labels(),
        },
        status_code=422 if errors else 200,
    )


@router.get("/{resident_id}", response_class=HTMLResponse)
def detail_page(
    request: Request,
    resident_id: str,
    done: str = Query(""),
    principal: sessions.Principal = Depends(require_staff(*READERS)),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """住民票と異動履歴, and who read the record (the staff of the municipality may see it too)."""
    record = read_record(db, principal, resident_id)
    return render(
        request,
        "registry_residents/detail.html",
        {
            "resident": record,
            "history": service.history_of(db, record.id),
            "household": service.household_members(db, record.household_id),
            "can_register": principal.has_role(REGISTRAR),
            "done": done == "address",
            "accesses": service.accesses_of(db, record.id, limit=ACCESS_LOG_SIZE),
            "access_total": service.count_accesses(db, record.id),
            **labels(),
        },
    )


def _move_form(
    request: Request,
    db: Session,
    record: service.ResidentRecord,
    values: dict[str, str],
    errors: dict[str, str],
) -> HTMLResponse:
    return render(
        request,
        "registry_residents/move.html",
        {
            "resident": record,
            "towns": addresses.towns_in(db, record.municipality_code),
            "values": values,
            "errors": errors,
            "credit": addresses.ATTRIBUTION,
        },
        status_code=422 if errors else 200,
    )


@router.get("/{resident_id}/move", response_class=HTMLResponse)
def move_form(
    request: Request,
    resident_id: str,
    principal: sessions.Principal = Depends(require_staff(REGISTRAR)),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """転居届の入力."""
    record = own_record(db, principal, resident_id)
    values = {
        "town_id": str(record.town_id or ""),
        "banchi": "",
        "go": "",
        "building": "",
        "effective_date": "",
    }
    return _move_form(request, db, record, values, {})


@router.post("/{resident_id}/move", response_class=HTMLResponse)
def register_move(
    request: Request,
    *,
    resident_id: str,
    town_id: str = Form(""),
    banchi: str = Form(""),
    go: str = Form(""),
    building: str = Form(""),
    effective_date: str = Form(""),
    principal: sessions.Principal = Depends(require_staff(REGISTRAR)),
    db: Session = TRANSACTION,
) -> Response:
    """転居届の登録: errors are shown next to their fields with the entered values kept."""
    record = own_record(db, principal, resident_id)
    values = {
        "town_id": town_id,
        "banchi": banchi,
        "go": go,
        "building": building,
        "effective_date": effective_date,
    }
    errors: dict[str, str] = {}
    if not town_id.isdigit():
        errors["town_id"] = translate(request, "町字を選んでください。")
    try:
        moved_on = date.fromisoformat(effective_date)
    except ValueError:
        errors["effective_date"] = translate(request, "異動日は 2026-04-01 の形で入力してください。")
    for field, value, limit in (("banchi", banchi, 20), ("go", go, 20), ("building", building, 200)):
        if len(value) > limit:
            errors[field] = translate(request, "長すぎます。")
    if errors:
        return _move_form(request, db, record, values, errors)
    try:
        service.change_address(
            db,
            record.id,
            service.Residence(int(town_id), banchi, go, building),
            effective_date=moved_on,
            actor=principal.subject_id,
        )
    except ValidationFailed as exc:
        for error in exc.errors:
            message = FIELD_MESSAGES.get(str(error["type"]))
            errors[str(error["location"][-1])] = translate(request, message) if message else exc.detail
        return _move_form(request, db, record, values, errors or {"town_id": exc.detail})
    return RedirectResponse(f"/staff/registry/residents/{record.id}?done=address", status_code=303)
