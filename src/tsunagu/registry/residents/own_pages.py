"""The person's own pages: わたしの住民票を見た記録 — who read my record, its history, and my
record as of a past day. The 個人番号 is shown masked unless the person asks to see it."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tsunagu.core import clock, sessions
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http.auth import TRANSACTION, require_resident
from tsunagu.core.http.templating import render, translate
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.wareki import parse_date
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.residents import moving, service
from tsunagu.registry.residents.pages import labels

router = APIRouter(prefix="/registry/me", include_in_schema=False)
PAGE_SIZE = 20


def _organizations(db: Session, accesses: list[service.AccessRecord]) -> dict[str, str]:
    """Each reader's organization by name (a municipality of the address registry), else its code."""
    names: dict[str, str] = {}
    for code in {a.organization_code for a in accesses}:
        municipality = addresses.get_municipality(db, code)
        names[code] = municipality.prefecture + municipality.name if municipality else code
    return names


@router.get("/accesses", response_class=HTMLResponse)
def accesses_page(
    request: Request,
    *,
    offset: int = Query(0, ge=0),
    as_of: str = Query("", max_length=20),
    show_number: bool = Query(False),
    principal: sessions.Principal = Depends(require_resident),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """わたしの住民票を見た記録: newest first, with my history and an "as of" view."""
    record = service.require_resident(db, principal.subject_id)
    accesses = service.accesses_of(db, record.id, limit=PAGE_SIZE, offset=offset)
    number = IndividualNumber(service.individual_number_of(db, record.id))
    as_of_error = ""
    as_of_day: date | None = None
    past: service.ResidentRecord | None = None
    if as_of:
        try:
            as_of_day = parse_date(as_of)
            past = moving.as_of(db, record.id, as_of_day)
        except ValidationFailed:
            as_of_error = translate(
                request, "日付は 令和8年4月1日 または 2026-04-01 の形で入力してください。"
            )
    return render(
        request,
        "registry_residents/own_accesses.html",
        {
            "resident": record,
            "number": number.reveal() if show_number else number.masked,
            "show_number": show_number,
            "accesses": accesses,
            "organizations": _organizations(db, accesses),
            "total": service.count_accesses(db, record.id),
            "offset": offset,
            "page_size": PAGE_SIZE,
            "history": list(reversed(service.history_of(db, record.id))),
            "as_of": as_of,
            "as_of_day": as_of_day,
            "as_of_error": as_of_error,
            "past": past,
            "jst": clock.JST,
            **labels(),
        },
        status_code=422 if as_of_error else 200,
    )
