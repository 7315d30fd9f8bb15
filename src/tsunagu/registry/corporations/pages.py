"""Public pages of the corporate registry: search and a corporation with its history."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.templating import render
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
        },
    )
