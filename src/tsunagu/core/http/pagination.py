"""One pagination style for every list endpoint: ``?limit=&offset=`` in, a page envelope out."""

from __future__ import annotations

from fastapi import Query
from pydantic import BaseModel

from tsunagu.core.http.params import MAX_OFFSET
from tsunagu.core.pagination import Page

__all__ = ["MAX_LIMIT", "Page", "PageParams", "page_params"]
MAX_LIMIT = 200


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(
    limit: int = Query(50, ge=1, le=MAX_LIMIT, description="Items per page (1–200)."),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="Items to skip (0–2147483647)."),
) -> PageParams:
    return PageParams(limit=limit, offset=offset)
