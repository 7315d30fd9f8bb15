"""Open corporate information API (法人活動情報, Gビズインフォ-style): /api/v1/corporate-info.

Every call carries the client's key in ``X-API-Key``; it is checked and counted in its own
transaction, so a refused call (429, ``Retry-After``) is counted too, and so that the counter's
row lock is held only for that short write, not while the answer is read. The answer is then
read in a second transaction on the same connection: one pool checkout per call.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from tsunagu.core.http.deps import AppDatabase
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.corpinfo import service
from tsunagu.procedures.corpinfo.schemas import ActivityOut, CorporationSummaryOut, FilingOut, RecordOut
from tsunagu.procedures.registry import LiveRegistry

API_KEY = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The client's API key (tsunagu corpinfo issue-key)"
)
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "corpinfo-api-key-missing, corpinfo-api-key-invalid"},
    429: {
        "description": "corpinfo-rate-limited: the client's limit a minute or a day is reached; "
        "wait `Retry-After` seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}},
    },
}


def admitted(database: AppDatabase, key: Annotated[str | None, Depends(API_KEY)]) -> Iterator[Session]:
    """The request's read transaction, opened once the calling client is admitted against its
    limits (the count is committed first, refused or not)."""
    with database.engine.connect() as connection:
        with connection.begin(), database.session_on(connection) as counting:
            admission = service.admit(counting, key)
        admission.raise_if_refused()
        with connection.begin(), database.session_on(connection) as db:
            yield db


def require_api_key(database: AppDatabase, key: Annotated[str | None, Depends(API_KEY)]) -> None:
    """Admit the calling client (for the bulk files, which read in their own sessions)."""
    with database.session() as db:
        admission = service.admit(db, key)
    admission.raise_if_refused()


#: a request of an admitted client, with its read transaction
Transaction = Annotated[Session, Depends(admitted, scope="function")]
router = APIRouter(prefix="/api/v1/corporate-info", tags=["open corporate information"], responses=ERRORS)
NUMBER_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "corporation-not-found"},
    422: {"description": "corporate-number-check-digit, invalid-corporate-number"},
}


def _procedures(registry: LiveRegistry) -> dict[str, Any]:
    return dict(registry.snapshot().procedures)


@router.get("/corporations", response_model=Page[CorporationSummaryOut])
def search_corporations(
    db: Transaction,
    *,
    name: str | None = Query(None, max_length=150, description="Part of the name (商号又は名称)."),
    prefecture: str | None = Query(None, max_length=10, description="Prefecture code (13) or name."),
    page: PageParams = Depends(page_params),
) -> Page[CorporationSummaryOut]:
    """法人検索: corporations by name and prefecture, paged."""
    records, total = service.search(
        db, name=name, prefecture=prefecture, limit=page.limit, offset=page.offset
    )
    return Page[CorporationSummaryOut](
        items=[CorporationSummaryOut.of(r) for r in records],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/corporations/{number}", response_model=ActivityOut, responses=NUMBER_ERRORS)
def corporate_activity(
    number: str,
    db: Transaction,
    registry: LiveRegistry = Depends(live_registry),
) -> Response:
    """法人活動情報 by 法人番号: basic information, public filings, subsidies and procurement."""
    found = ActivityOut.of(service.activity(db, number, _procedures(registry)))
    # serialized once here: a model returned by a sync route is validated again, in another
    # thread-pool hop, on the API's most-called path
    return Response(found.model_dump_json(), media_type="application/json")


@router.get("/corporations/{number}/filings", response_model=list[FilingOut], responses=NUMBER_ERRORS)
def corporate_filings(
    number: str, db: Transaction, registry: LiveRegistry = Depends(live_registry)
) -> list[FilingOut]:
    """届出・認定情報: approved applications of this corporation whose result is public."""
    service.basic_information(db, number)
    return [FilingOut.of(f) for f in service.filings(db, number, _procedures(registry))]


@router.get("/corporations/{number}/{kind}", response_model=Page[RecordOut], responses=NUMBER_ERRORS)
def corporate_awards(
    number: str,
    kind: Literal["subsidies", "procurements"],
    db: Transaction,
    page: PageParams = Depends(page_params),
) -> Page[RecordOut]:
    """補助金情報 (subsidies) or 調達情報 (procurements) of one corporation, newest first, paged."""
    service.basic_information(db, number)
    records, total = service.awards(db, kind, number, limit=page.limit, offset=page.offset)
    return Page[RecordOut](
        items=[RecordOut.of(r) for r in records], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/files/datapackage.json", dependencies=[Depends(require_api_key)])
def bulk_datapackage(registry: LiveRegistry = Depends(live_registry)) -> JSONResponse:
    """The Frictionless Data Package of the bulk files (一括ダウンロード)."""
    return JSONResponse(service.datapackage(_procedures(registry)))


@router.get(
    "/files/{filename}",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, 404: {"description": "corpinfo-file-not-found"}},
    dependencies=[Depends(require_api_key)],
)
def bulk_file(
    filename: str, database: AppDatabase, registry: LiveRegistry = Depends(live_registry)
) -> StreamingResponse:
    """One bulk file as UTF-8 CSV: corporations.csv, subsidies.csv, procurements.csv, filings.csv."""
    body = service.stream(database, filename, _procedures(registry))
    return StreamingResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
