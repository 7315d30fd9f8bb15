"""Public read API of the address base registry: /api/v1/registry/addresses/…"""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.pagination import PageParams, page_params
from tsunagu.core.types.postcode import Postcode
from tsunagu.registry.addresses import service
from tsunagu.registry.addresses.normalizer.index import AddressIndex
from tsunagu.registry.addresses.schemas import (
    MunicipalityOut,
    NormalizeBatchIn,
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
        db,
        service.TownFilter(
            prefecture_code=prefecture_code, municipality_code=municipality_code, name=name, postcode=postcode
        ),
        limit=page.limit,
        offset=page.offset,
    )
    return TownPage(items=[TownOut.of(r) for r in records], total=total, limit=page.limit, offset=page.offset)


@router.get("/towns/{town_id}", response_model=TownOut)
def get_town(town_id: int, db: Session = TRANSACTION) -> TownOut:
    return TownOut.of(service.require_town(db, town_id))


@router.get("/municipalities/{code}", response_model=MunicipalityOut)
def get_municipality(code: str, db: Session = TRANSACTION) -> MunicipalityOut:
    """市区町村 by 全国地方公共団体コード (wrong check digit → 422, unknown → 404)."""
    record = service.require_municipality(db, code)
    return MunicipalityOut(
        code=record.code,
        name=record.name,
        prefecture_code=record.prefecture_code,
        prefecture=record.prefecture,
        designated_city_code=record.designated_city_code,
    )


@router.get("/normalize", response_model=NormalizedOut)
def normalize_get(
    address: str = Query(..., min_length=1, max_length=500), db: Session = TRANSACTION
) -> NormalizedOut:
    """住所の正規化 (GET): free text → structured address, match level and codes."""
    return NormalizedOut.of(service.normalize(db, address))


@router.post("/normalize", response_model=NormalizedOut)
def normalize_post(body: NormalizeIn, db: Session = TRANSACTION) -> NormalizedOut:
    """住所の正規化 (POST, JSON body)."""
    return NormalizedOut.of(service.normalize(db, body.address))


BATCH_LIMIT = 10_000


def _stream(index: AddressIndex, lines: list[str]) -> Iterator[bytes]:
    for line in lines:
        yield NormalizedOut.of(index.normalize(line)).model_dump_json().encode() + b"\n"


@router.post(
    "/normalize/batch",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"application/x-ndjson": {}},
            "description": "One NormalizedOut JSON object per line, in the order of the input, as each is "
            "normalized.",
        }
    },
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": NormalizeBatchIn.model_json_schema()},
                "text/plain": {"schema": {"type": "string"}, "example": "千代田区霞が関2-1-1\n南区\n"},
            }
        }
    },
)
async def normalize_batch(request: Request, db: Session = TRANSACTION) -> StreamingResponse:
    """住所の一括正規化: a JSON body ``{"addresses": [...]}`` or a text/plain body with one address
    per line (a file); results stream back as NDJSON (at most 10,000 addresses, 500 characters
    each, blank lines skipped)."""
    body = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            lines = NormalizeBatchIn.model_validate(json.loads(body or b"null")).addresses
        except ValueError as exc:
            raise ValidationFailed('the body must be {"addresses": [1 to 10,000 strings]}') from exc
    else:
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationFailed("the body must be UTF-8 text, one address per line") from exc
        lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or len(lines) > BATCH_LIMIT:
        raise ValidationFailed(f"give 1 to {BATCH_LIMIT:,} addresses", count=len(lines))
    if any(len(line) > 500 for line in lines):
        raise ValidationFailed("an address is at most 500 characters")
    index = await run_in_threadpool(service.normalizer, db)  # the first call may build the index
    return StreamingResponse(_stream(index, lines), media_type="application/x-ndjson")


@router.get("/postcodes/{postcode}", response_model=PostcodeOut)
def postcode_lookup(postcode: str, db: Session = TRANSACTION) -> PostcodeOut:
    """郵便番号 → candidate towns (malformed → 422 invalid-postcode, none → 404 unknown-postcode)."""
    towns = service.towns_by_postcode(db, postcode)
    if not towns:
        raise service.UnknownPostcode(f"no town has the postcode {postcode}", postcode=postcode)
    return PostcodeOut(postcode=Postcode(postcode), towns=[TownOut.of(t) for t in towns])
