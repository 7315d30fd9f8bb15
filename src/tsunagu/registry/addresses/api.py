"""Public read API of the address base registry: /api/v1/registry/addresses/…"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.pagination import PageParams, page_params
from tsunagu.core.types.postcode import Postcode
from tsunagu.registry.addresses import service
from tsunagu.registry.addresses.schemas import (
    MunicipalityOut,
    NormalizedOut,
    NormalizeIn,
    PostcodeOut,
    TownOut,
    TownPage,
)

router = APIRouter(prefix="/api/v1/registry/addresses", tags=["registry: addresses"])


@router.get("/towns", response_model=TownPage)
def search_towns(
    *,
    prefecture_code: str | None = Query(None, pattern=r"^\d{2}$", description="2-digit 都道府県コード."),
    municipality_code: str | None = Query(None, description="6-digit 全国地方公共団体コード."),
    name: str | None = Query(None, max_length=80, description="Part of the 町字 name."),
    postcode: str | None = Query(None, description="7-digit postcode (100-0001 or 1000001)."),
    page: PageParams = Depends(page_params),
    db: Session = TRANSACTION,
) -> TownPage:
    """町字を検索: filter towns; every filter is optional."""
    if municipality_code:
        service.require_municipality(db, municipality_code)
    records, total = service.search_towns(
        db, service.TownFilter(prefecture_code=prefecture_code, municipality_code=municipality_code,
                               name=name, postcode=postcode), limit=page.limit, offset=page.offset)
    return TownPage(items=[TownOut.of(r) for r in records], total=total, limit=page.limit,
                    offset=page.offset)


@router.get("/towns/{town_id}", response_model=TownOut)
def get_town(town_id: int, db: Session = TRANSACTION) -> TownOut:
    return TownOut.of(service.require_town(db, town_id))


@router.get("/municipalities/{code}", response_model=MunicipalityOut)
def get_municipality(code: str, db: Session = TRANSACTION) -> MunicipalityOut:
    """市区町村 by 全国地方公共団体コード (wrong check digit → 422, unknown → 404)."""
    record = service.require_municipality(db, code)
    return MunicipalityOut(code=record.code, name=record.name, prefecture_code=record.prefecture_code,
                           prefecture=record.prefecture, designated_city_code=record.designated_city_code)


@router.get("/normalize", response_model=NormalizedOut)
def normalize_get(address: str = Query(..., min_length=1, max_length=500),
                  db: Session = TRANSACTION) -> NormalizedOut:
    """住所の正規化 (GET): free text → structured address, match level and codes."""
    return NormalizedOut.of(service.normalize(db, address))


@router.post("/normalize", response_model=NormalizedOut)
def normalize_post(body: NormalizeIn, db: Session = TRANSACTION) -> NormalizedOut:
    """住所の正規化 (POST, JSON body)."""
    return NormalizedOut.of(service.normalize(db, body.address))


@router.get("/postcodes/{postcode}", response_model=PostcodeOut)
def postcode_lookup(postcode: str, db: Session = TRANSACTION) -> PostcodeOut:
    """郵便番号 → candidate towns (malformed → 422 invalid-postcode, none → 404 unknown-postcode)."""
    towns = service.towns_by_postcode(db, postcode)
    if not towns:
        raise service.UnknownPostcode(f"no town has the postcode {postcode}", postcode=postcode)
    return PostcodeOut(postcode=Postcode(postcode), towns=[TownOut.of(t) for t in towns])
