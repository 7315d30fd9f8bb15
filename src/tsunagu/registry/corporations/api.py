"""Public read API of the corporate registry: /api/v1/registry/corporations."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.deps import CurrentStaff
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.registry.corporations import service
from tsunagu.registry.corporations.schemas import (
    ChangeIn,
    ChangeOut,
    CorporationChangeOut,
    CorporationDetailOut,
    CorporationOut,
    OfficerOut,
)

router = APIRouter(prefix="/api/v1/registry/corporations", tags=["registry: corporations"])


@router.get("", response_model=Page[CorporationOut])
def search_corporations(
    *,
    name: str | None = Query(None, max_length=150, description="Part of the name (商号又は名称)."),
    kana: str | None = Query(None, max_length=150, description="Start of the フリガナ (hiragana is fine)."),
    prefecture: str | None = Query(None, max_length=10, description="Prefecture code (13) or name (東京都)."),
    municipality: str | None = Query(None, max_length=6, description="全国地方公共団体コード (131016)."),
    closed: bool | None = Query(None, description="true: only closed; false: only active."),
    page: PageParams = Depends(page_params),
    db: Session = TRANSACTION,
) -> Page[CorporationOut]:
    """Search corporations (法人検索)."""
    records, total = service.search(
        db,
        name=name,
        kana=kana,
        prefecture=prefecture,
        municipality=municipality,
        closed=closed,
        limit=page.limit,
        offset=page.offset,
    )
    return Page[CorporationOut](
        items=[CorporationOut.of(r) for r in records], total=total, limit=page.limit, offset=page.offset
    )


@router.get(
    "/{number}",
    response_model=CorporationDetailOut,
    responses={
        404: {"description": "corporation-not-found"},
        422: {"description": "invalid-corporate-number, corporate-number-check-digit"},
    },
)
def get_corporation(number: str, db: Session = TRANSACTION) -> CorporationDetailOut:
    """One corporation by 法人番号, with its closure state and full history (異動履歴)."""
    record = service.require_corporation(db, number)
    current = CorporationOut.of(record)
    municipality = service.municipality_of(db, record)
    return CorporationDetailOut(
        **current.model_dump(),
        municipality_name=municipality.name if municipality else None,
        history=[CorporationChangeOut.of(c) for c in service.history(db, number)],
    )


@router.post(
    "/{number}/changes",
    response_model=ChangeOut,
    status_code=201,
    responses={
        404: {
            "description": "corporation-not-found, corporations-registration-not-found, "
            "corporations-officer-not-found"
        },
        409: {"description": "corporations-dissolved"},
    },
)
def record_change(number: str, body: ChangeIn, staff: CurrentStaff, db: Session = TRANSACTION) -> ChangeOut:
    """変更の登記 (商号変更, 本店移転, 代表者変更, 解散) by registry staff of the 法務局; the change event
    is pushed through the mesh to subscribers with a legal basis."""
    service.require_corporation(db, number)
    matters = service.record_change(db, staff, number, service.ChangeRequest(**body.model_dump()))
    return ChangeOut(
        number=matters.number,
        name=matters.name,
        head_office=matters.head_office,
        status=matters.status,
        dissolved_on=matters.dissolved_on,
        representatives=[
            OfficerOut(id=o.id, title=o.title, name=o.name, appointed_on=o.appointed_on)
            for o in matters.representatives
        ],
    )
