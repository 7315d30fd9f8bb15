"""Public pages: normalize an address, look up a postcode (no JavaScript needed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.templating import render
from tsunagu.registry.addresses import service

router = APIRouter(prefix="/registry/addresses", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def address_tools(
    request: Request, address: str = "", postcode: str = "", db: Session = TRANSACTION
) -> HTMLResponse:
    """住所の正規化と郵便番号検索 (GET forms, so results can be bookmarked and shared)."""
    context: dict[str, object] = {
        "address": address[:500],
        "postcode": postcode[:20],
        "attribution": service.ATTRIBUTION,
    }
    if address.strip():
        context["normalized"] = service.normalize(db, address[:500])
    if postcode.strip():
        try:
            context["towns"] = service.towns_by_postcode(db, postcode)
        except ValidationFailed as exc:
            context["postcode_error"] = exc.detail
    return render(request, "registry_addresses/tools.html", context)
