"""JSON API of the procedure catalogue: /api/v1/procedures."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from tsunagu.core.http.deps import settings_of
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.procedures import loader, service
from tsunagu.procedures.registry import LiveRegistry
from tsunagu.procedures.schemas import LifeEvent, ProcedureDetail, ProcedureSummary

router = APIRouter(prefix="/api/v1/procedures", tags=["procedures"])


async def live_registry(request: Request) -> LiveRegistry:
    """The process's live definitions of the configured directory (async: no thread-pool hop)."""
    return service.registry_for(settings_of(request).procedures_dir)


@router.get("", response_model=Page[ProcedureSummary])
def search_procedures(
    q: str = Query("", max_length=200, description="Keywords (kana- and width-insensitive)."),
    life_event: str | None = Query(None, description="Life-event tag, e.g. moving."),
    page: PageParams = Depends(page_params),
    registry: LiveRegistry = Depends(live_registry),
) -> Page[ProcedureSummary]:
    """手続検索: procedures matching every keyword, optionally for one life event."""
    found = service.search(registry, q, life_event)
    items = [ProcedureSummary.of(p) for p in found[page.offset : page.offset + page.limit]]
    return Page(items=items, total=len(found), limit=page.limit, offset=page.offset)


@router.get("/schema")
def procedure_file_schema() -> dict[str, Any]:
    """The procedure file format (JSON Schema draft 2020-12)."""
    return loader.file_schema()


@router.get("/life-events", response_model=list[LifeEvent])
def list_life_events() -> list[LifeEvent]:
    return [LifeEvent(id=key, name=name) for key, name in service.life_events().items()]


@router.get("/{procedure_id}", response_model=ProcedureDetail)
def procedure_detail(
    procedure_id: str,
    locale: str = Query("ja", pattern="^(ja|en)$"),
    registry: LiveRegistry = Depends(live_registry),
) -> ProcedureDetail:
    """One procedure and the JSON Schema of its form (titles in ``locale``)."""
    procedure = service.get_procedure(registry, procedure_id)
    return ProcedureDetail(procedure=procedure, form_schema=service.form_schema(procedure, locale))
