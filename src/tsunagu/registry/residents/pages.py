"""Staff pages of the resident registry: search, a record with its history and who read it, and
a 転居 form (the other 届出 are in ``registration_pages``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tsunagu.core import authz, sessions
from tsunagu.core.http import csrf
from tsunagu.core.http.deps import AppSettings, CurrentStaff, Transaction
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.templating import render, translate
from tsunagu.core.types.base import InvalidValue
from tsunagu.core.types.wareki import parse_date
from tsunagu.registry.residents import moving, service
from tsunagu.registry.residents.api import DEFAULT_PURPOSE, REGISTRAR
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
    "informant": N_("届出人"),
    "informant_address": N_("届出人の住所"),
}
ROLE_LABELS = {
    "住基": N_("住民記録の担当職員"),
    "閲覧": N_("閲覧権限の職員"),
    "push": N_("自動の判定（プッシュ型のお知らせ）"),
    "": N_("職員"),
}
ACCESS_LOG_SIZE = 20
STATUS_LABELS = {"resident": N_("住民"), "moved_out": N_("転出"), "deceased": N_("死亡")}
SEX_LABELS = {"1": N_("男"), "2": N_("女"), "9": N_("適用不能"), "0": N_("不明")}


def own_record(db: Session, principal: sessions.Principal, resident_id: str) -> service.ResidentRecord:
    record = service.require_resident(db, resident_id)
    authz.require_same_organization(principal, record.municipality_code)
    return record


def read_record(db: Session, principal: sessions.Principal, resident_id: str) -> service.ResidentRecord:
    """``own_record``, recorded as an access that the person will see."""
    return service.read_record(db, principal, resident_id, purpose=DEFAULT_PURPOSE)


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
    birth_date: str = Query("", max_length=20),
    offset: int = Query(0, ge=0),
    principal: CurrentStaff,
    db: Transaction,
) -> HTMLResponse:
    """住民検索."""
    authz.require(principal, authz.Operation.READ_RESIDENT)  # the form only for those who may search
    municipality_code = principal.organization_code or ""
    errors: dict[str, str] = {}
    born: date | None = None
    if birth_date:
        try:  # 昭和58年2月24日 as on the 住民票, or 1983-02-24 from a date picker
            born = parse_date(birth_date)
        except InvalidValue:
            errors["birth_date"] = translate(
                request, "日付は 令和8年4月1日 または 2026-04-01 の形で入力してください。"
            )
    searched = bool(name or kana or born) and not errors
    records: list[service.ResidentRecord] = []
    total = 0
    if searched:
        query = service.SearchQuery(name=name, kana=kana, birth_date=born)
        records, total = service.search_records(
            db, principal, municipality_code, query, purpose=DEFAULT_PURPOSE, limit=PAGE_SIZE, offset=offset
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
    principal: CurrentStaff,
    settings: AppSettings,
    db: Transaction,
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
            "accesses": service.accesses_of(db, record.id, limit=ACCESS_LOG_SIZE),
            "access_total": service.count_accesses(db, record.id),
            "planned": moving.planned_move_of(db, record.id),
            # a demo has no card office: the synthetic resident's virtual card is issued from here
            "demo_cards": settings.environment != "production",
            **labels(),
        },
    )
