"""The URIs the DCAT-AP profile names beside a dataset's — its dataset series
(``/catalog/{id}/series``) and, for a base registry, its registry catalogue
(``/catalog/{id}/registry``) — answer their own DCAT (JSON-LD, Turtle or RDF/XML by the Accept
header); a browser asking for HTML is sent to the dataset's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.catalog import dcat_ap, rdfxml, service, turtle
from tsunagu.catalog.api import base_url, jsonld, rdfxml_response, turtle_response
from tsunagu.core.errors import NotFound
from tsunagu.core.http.auth import TRANSACTION

router = APIRouter(prefix="/catalog", include_in_schema=False)
Part = Callable[[dict[str, Any]], dict[str, Any] | None]


def _answer(request: Request, db: Session, dataset_id: str, part: Part, what: str) -> Response:
    dataset = service.require_dataset(db, dataset_id)
    document = part(service.dcat_dataset(base_url(request), dataset))
    if document is None:
        raise NotFound(f"「{dataset.title.ja}」には{what}がありません。")
    accept = request.headers.get("accept", "")
    if "text/html" in accept:
        return RedirectResponse(f"/catalog/{dataset_id}", status_code=303)
    if turtle.MEDIA_TYPE in accept:
        return turtle_response(document)
    if rdfxml.MEDIA_TYPE in accept:
        return rdfxml_response(document)
    return jsonld(document)


@router.get("/{dataset_id}/series")
def dataset_series(request: Request, dataset_id: str, db: Session = TRANSACTION) -> Response:
    """A scheduled dataset's series (dcat:DatasetSeries)."""
    return _answer(request, db, dataset_id, dcat_ap.series_document, "定期公開の系列")


@router.get("/{dataset_id}/registry")
def base_registry(request: Request, dataset_id: str, db: Session = TRANSACTION) -> Response:
    """A base registry's catalogue as BRegDCAT-AP describes it."""
    return _answer(request, db, dataset_id, dcat_ap.registry_document, "ベース・レジストリの記述")
