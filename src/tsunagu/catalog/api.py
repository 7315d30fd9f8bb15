"""The catalog's HTTP API: our own ``/api/v1/catalog`` (problem+json errors, limit/offset pages),
the open-data files (CSV streamed, ``datapackage.json``), DCAT as JSON-LD, and a read-only
CKAN-compatible Action API at ``/api/3/action/…`` and ``/api/action/…``."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from tsunagu.catalog import apis, ckan, codelists, dictionary, rdfxml, service, turtle
from tsunagu.catalog.schemas import (
    ApiCatalogOut,
    CodeListOut,
    CodeListPage,
    CodeListSummary,
    DatasetOut,
    DatasetPage,
    DictionaryEntryOut,
    DictionaryPage,
    FacetOut,
    RestApiOut,
    mesh_service_out,
)
from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.deps import database_of, settings_of
from tsunagu.core.http.pagination import PageParams, page_params

router = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])
JSON_LD = "application/ld+json"


def base_url(request: Request) -> str:
    return str(settings_of(request).base_url)


def procedures(request: Request) -> service.ProcedureSource:
    """The procedure list the web layer hands in (none when the app was built without it)."""
    source: service.ProcedureSource | None = getattr(request.app.state, "catalog_procedures", None)
    return source or (lambda: [])


def filters(
    q: str = Query("", max_length=200, description="Words to find (kana and width folded)."),
    publisher: list[str] = Query([], description="Publisher ids (any of)."),
    theme: list[str] = Query([], description="Theme ids (EU data themes, any of)."),
    format: list[str] = Query([], description="CSV, JSON, JSON-LD or API (any of)."),
    license: list[str] = Query([], description="Licence ids (any of)."),
) -> service.Filters:
    return service.Filters(
        q=q, publisher=tuple(publisher), theme=tuple(theme), format=tuple(format), license=tuple(license)
    )


@router.get("/datasets", response_model=DatasetPage)
def list_datasets(
    request: Request,
    where: service.Filters = Depends(filters),
    page: PageParams = Depends(page_params),
    sort: service.Sort = Query(
        "title", description="title (open data first, then by title) or modified (newest first)."
    ),
    db: Session = TRANSACTION,
) -> DatasetPage:
    """Search the catalog; the facets count the matching datasets."""
    found = service.search(db, where, limit=page.limit, offset=page.offset, sort=sort)
    return DatasetPage(
        items=[DatasetOut.of(d, base_url(request)) for d in found.datasets],
        total=found.total,
        limit=page.limit,
        offset=page.offset,
        facets={
            name: [FacetOut(value=f.value, name=f.label, count=f.count, selected=f.selected) for f in items]
            for name, items in found.facets.items()
        },
    )


@router.get("/datasets/{dataset_id}", response_model=DatasetOut)
def get_dataset(request: Request, dataset_id: str, db: Session = TRANSACTION) -> DatasetOut:
    """One dataset, with how many records its tables hold now and its metadata quality score."""
    dataset = service.require_dataset(db, dataset_id)
    counts = service.counts(db, dataset, procedures(request))
    return DatasetOut.of(dataset, base_url(request), counts, service.quality_of(db, dataset))


@router.get("/dcat.jsonld", response_class=Response, responses={200: {"content": {JSON_LD: {}}}})
def dcat_catalog(request: Request, db: Session = TRANSACTION) -> Response:
    """The whole catalog as DCAT (``dcat:Catalog``) in JSON-LD."""
    return jsonld(service.dcat_catalog(db, base_url(request)))


@router.get(
    "/datasets/{dataset_id}/dcat.jsonld", response_class=Response, responses={200: {"content": {JSON_LD: {}}}}
)
def dcat_dataset(request: Request, dataset_id: str, db: Session = TRANSACTION) -> Response:
    """One dataset as DCAT (``dcat:Dataset``) in JSON-LD."""
    return jsonld(service.dcat_dataset(base_url(request), service.require_dataset(db, dataset_id)))


@router.get("/dcat.ttl", response_class=Response, responses={200: {"content": {turtle.MEDIA_TYPE: {}}}})
def dcat_catalog_turtle(request: Request, db: Session = TRANSACTION) -> Response:
    """The whole catalog as DCAT in Turtle (the same graph as the JSON-LD)."""
    return turtle_response(service.dcat_catalog(db, base_url(request)))


@router.get("/dcat.rdf", response_class=Response, responses={200: {"content": {rdfxml.MEDIA_TYPE: {}}}})
def dcat_catalog_rdfxml(request: Request, db: Session = TRANSACTION) -> Response:
    """The whole catalog as DCAT in RDF/XML (the same graph as the JSON-LD)."""
    return rdfxml_response(service.dcat_catalog(db, base_url(request)))


@router.get(
    "/datasets/{dataset_id}/dcat.rdf",
    response_class=Response,
    responses={200: {"content": {rdfxml.MEDIA_TYPE: {}}}},
)
def dcat_dataset_rdfxml(request: Request, dataset_id: str, db: Session = TRANSACTION) -> Response:
    """One dataset as DCAT in RDF/XML."""
    return rdfxml_response(service.dcat_dataset(base_url(request), service.require_dataset(db, dataset_id)))


@router.get(
    "/datasets/{dataset_id}/dcat.ttl",
    response_class=Response,
    responses={200: {"content": {turtle.MEDIA_TYPE: {}}}},
)
def dcat_dataset_turtle(request: Request, dataset_id: str, db: Session = TRANSACTION) -> Response:
    """One dataset as DCAT in Turtle."""
    return turtle_response(service.dcat_dataset(base_url(request), service.require_dataset(db, dataset_id)))


@router.get(
    "/datasets/{dataset_id}/files/{filename}",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def get_file(request: Request, dataset_id: str, filename: str, db: Session = TRANSACTION) -> Response:
    """An open-data file: a table as UTF-8 CSV with a header row (streamed), or the dataset's
    Frictionless ``datapackage.json`` describing its tables."""
    dataset = service.require_dataset(db, dataset_id)
    if filename == "datapackage.json" and any(d.datapackage for d in dataset.distributions):
        return JSONResponse(service.datapackage(dataset), media_type="application/json")
    table, distribution = service.table_of(dataset, filename)
    database = database_of(request)
    disposition = {"Content-Disposition": f'attachment; filename="{dataset.id}-{filename}"'}
    if distribution.format == "JSON-LD":
        return StreamingResponse(
            service.jsonld_stream(database, table, base_url(request)), media_type=JSON_LD, headers=disposition
        )
    return StreamingResponse(
        service.csv_stream(database, table, procedures(request)),
        media_type="text/csv; charset=utf-8",
        headers=disposition,
    )


# ---------------------------------------------------------------- data dictionary and code lists


def usage_sources(request: Request) -> tuple[dictionary.UsageSource, ...]:
    """Where the parts above the catalog use data items (handed in by the web layer)."""
    found: tuple[dictionary.UsageSource, ...] = getattr(request.app.state, "catalog_usages", ())
    return found


def extra_code_lists(request: Request) -> codelists.ExtraLists | None:
    found: codelists.ExtraLists | None = getattr(request.app.state, "catalog_code_lists", None)
    return found


def csv_download(text: str, filename: str) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/dictionary", response_model=DictionaryPage)
def list_items(
    request: Request,
    q: str = Query("", max_length=200, description="Words to find."),
    kind: dictionary.UsageKind | None = Query(None, description="Only items used as this."),
    page: PageParams = Depends(page_params),
) -> DictionaryPage:
    """The data dictionary: every data item the platform uses, with where it is used."""
    found = dictionary.search(dictionary.dictionary(usage_sources(request)), q, kind, service.fold)
    shown = found[page.offset : page.offset + page.limit]
    return DictionaryPage(
        items=[DictionaryEntryOut.of(e) for e in shown],
        total=len(found),
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/dictionary.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def dictionary_csv(request: Request) -> Response:
    """The whole data dictionary as one UTF-8 CSV table."""
    return csv_download(dictionary.csv_text(dictionary.dictionary(usage_sources(request))), "dictionary.csv")


@router.get("/dictionary/{item_id}", response_model=DictionaryEntryOut)
def get_item(request: Request, item_id: str) -> DictionaryEntryOut:
    """One data item."""
    return DictionaryEntryOut.of(dictionary.dictionary(usage_sources(request)).require(item_id))


@router.get("/codelists", response_model=CodeListPage)
def list_code_lists(
    request: Request,
    q: str = Query("", max_length=200, description="Words or a code to find."),
    page: PageParams = Depends(page_params),
    db: Session = TRANSACTION,
) -> CodeListPage:
    """The code lists (without their codes); a list's codes are at ``/codelists/{id}``."""
    found = codelists.search(codelists.code_lists(db, extra_code_lists(request)), q, service.fold)
    return CodeListPage(
        items=[CodeListSummary.of(c) for c in found[page.offset : page.offset + page.limit]],
        total=len(found),
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/codelists/{list_id}", response_model=CodeListOut)
def get_code_list(request: Request, list_id: str, db: Session = TRANSACTION) -> CodeListOut:
    """One code list with every code and its validity period."""
    return CodeListOut.of(codelists.code_list(list_id, db, extra_code_lists(request)))


@router.get(
    "/codelists/{list_id}/codes.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}}
)
def code_list_csv(request: Request, list_id: str, db: Session = TRANSACTION) -> Response:
    """One code list as UTF-8 CSV."""
    found = codelists.code_list(list_id, db, extra_code_lists(request))
    return csv_download(codelists.csv_text(found), f"{found.id}.csv")


@router.get(
    "/codelists/{list_id}/skos.jsonld", response_class=Response, responses={200: {"content": {JSON_LD: {}}}}
)
def code_list_skos(request: Request, list_id: str, db: Session = TRANSACTION) -> Response:
    """One code list as a SKOS concept scheme in JSON-LD."""
    found = codelists.code_list(list_id, db, extra_code_lists(request))
    return jsonld(codelists.skos(found, base_url(request)))


@router.get(
    "/codelists/{list_id}/skos.ttl",
    response_class=Response,
    responses={200: {"content": {turtle.MEDIA_TYPE: {}}}},
)
def code_list_turtle(request: Request, list_id: str, db: Session = TRANSACTION) -> Response:
    """One code list as a SKOS concept scheme in Turtle."""
    found = codelists.code_list(list_id, db, extra_code_lists(request))
    return turtle_response(codelists.skos(found, base_url(request)))


# ---------------------------------------------------------------- API catalog


def mesh_directory(request: Request) -> apis.MeshDirectoryReader | None:
    found: apis.MeshDirectoryReader | None = getattr(request.app.state, "catalog_mesh_directory", None)
    return found


def dictionary_items(request: Request) -> dict[str, str]:
    """Each use (``where.name``) → the data dictionary entry it maps to."""
    found = dictionary.dictionary(usage_sources(request))
    return {u.key: e.id for e in found.entries for u in e.uses}


@router.get("/apis", response_model=ApiCatalogOut)
def api_catalog(request: Request, db: Session = TRANSACTION) -> ApiCatalogOut:
    """Every mesh service (provider, items, response schema, the 事務 that allow each caller) and
    the platform's public REST API by group, with the OpenAPI document's address."""
    items = dictionary_items(request)
    return ApiCatalogOut(
        mesh_services=[mesh_service_out(s, items) for s in apis.mesh_services(db, mesh_directory(request))],
        rest_apis=[RestApiOut.model_validate(a) for a in apis.rest_apis(request.app.openapi())],
        openapi=f"{base_url(request).rstrip('/')}{request.app.openapi_url}",
    )


def jsonld(document: dict[str, Any]) -> Response:
    return Response(json.dumps(document, ensure_ascii=False), media_type=JSON_LD)


def rdfxml_response(document: dict[str, Any]) -> Response:
    return Response(rdfxml.to_rdfxml(document), media_type=f"{rdfxml.MEDIA_TYPE}; charset=utf-8")


def turtle_response(document: dict[str, Any]) -> Response:
    return Response(turtle.to_turtle(document), media_type=f"{turtle.MEDIA_TYPE}; charset=utf-8")


# ---------------------------------------------------------------- CKAN Action API (read-only)

ckan_router = APIRouter(tags=["CKAN-compatible Action API"])
ACTIONS = (
    "package_list",
    "package_search",
    "package_show",
    "organization_list",
    "organization_show",
    "group_list",
    "tag_list",
    "resource_show",
    "status_show",
)
MAX_ROWS = 1000


class CkanError(Exception):
    def __init__(self, status: int, kind: str, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.status, self.kind, self.message, self.fields = status, kind, message, fields


def _help(request: Request, action: str) -> str:
    return f"{base_url(request).rstrip('/')}/api/3/action/help_show?name={action}"


def _int(params: dict[str, Any], name: str, default: int, maximum: int | None = None) -> int:
    raw = params.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise CkanError(
            409, "Validation Error", f"{name} must be a whole number", **{name: ["Invalid integer"]}
        ) from None
    if value < 0:
        raise CkanError(
            409, "Validation Error", f"{name} must not be negative", **{name: ["Must be a natural number"]}
        )
    return min(value, maximum) if maximum is not None else value


def _id(params: dict[str, Any]) -> str:
    value = params.get("id")
    if not isinstance(value, str) or not value:
        raise CkanError(409, "Validation Error", "id is missing", id=["Missing value"])
    return value


def _bool(params: dict[str, Any], name: str) -> bool:
    return str(params.get(name, "false")).lower() in {"true", "1", "yes"}


def _facet_fields(params: dict[str, Any]) -> list[str]:
    raw = params.get("facet.field")
    if raw is None:
        return []
    try:
        fields = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise CkanError(
            409, "Validation Error", "facet.field must be a JSON list", **{"facet.field": ["Not a JSON list"]}
        ) from None
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise CkanError(
            409,
            "Validation Error",
            "facet.field must be a JSON list of field names",
            **{"facet.field": ["Not a list of strings"]},
        )
    return fields


SORTS: dict[str, service.Sort] = {
    "metadata_modified desc": "modified",
    "title_string asc": "title",
    "name asc": "title",
}


def _package_search(request: Request, db: Session, params: dict[str, Any]) -> dict[str, Any]:
    try:
        facets, tags = ckan.parse_fq(str(params.get("fq", "")))
    except ckan.BadQuery as error:
        raise CkanError(409, "Search Query Error", str(error), fq=[str(error)]) from None
    q = str(params.get("q", "")).strip()
    if q in {"*:*", "*"}:
        q = ""
    rows, start = _int(params, "rows", 10, MAX_ROWS), _int(params, "start", 0)
    where = service.Filters(q=q, tags=tuple(tags), **{name: tuple(v) for name, v in facets.items()})
    sort = str(params.get("sort", "") or "title_string asc").strip()
    if sort not in SORTS:
        raise CkanError(
            409, "Search Query Error", f"cannot sort by {sort!r}", sort=[f"one of {', '.join(SORTS)}"]
        )
    fields = _facet_fields(params)
    found = service.search(
        db, where, limit=rows, offset=start, strict=False, sort=SORTS[sort], count_keywords="tags" in fields
    )
    facet_counts: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for field in fields:
        ours = ckan.FACET_FIELDS.get(field)
        if ours is None:
            continue
        if ours == "tags":
            items = [(t, t, n) for t, n in sorted(found.keywords.items(), key=lambda kv: (-kv[1], kv[0]))]
        else:
            items = [(f.value, f.label.ja, f.count) for f in found.facets[ours] if f.count]
        facet_counts[field] = {name: n for name, _, n in items}
        search_facets[field] = {
            "title": field,
            "items": [{"name": name, "display_name": label, "count": n} for name, label, n in items],
        }
    return {
        "count": found.total,
        "sort": sort,
        "results": [ckan.package(d, base_url(request)) for d in found.datasets],
        "facets": facet_counts,
        "search_facets": search_facets,
    }


def _organization_list(db: Session, params: dict[str, Any]) -> list[Any]:
    published = service.published_by_publisher(db)
    counted = {key: published.get(key, 0) for key in service.catalog().vocabularies.publishers}
    names = sorted(counted)
    if _bool(params, "all_fields"):
        return [ckan.organization(key, counted[key]) for key in names]
    return names


def _published(db: Session, dataset_id: str) -> service.Dataset | None:
    try:
        return service.require_dataset(db, dataset_id)
    except service.DatasetNotFound:
        return None


def _resource_show(request: Request, db: Session, params: dict[str, Any]) -> dict[str, Any]:
    wanted = _id(params)
    dataset_id, _, distribution_id = wanted.partition("--")
    dataset = _published(db, dataset_id)
    if dataset is not None and dataset.distribution(distribution_id):
        for resource in ckan.package(dataset, base_url(request))["resources"]:
            if resource["id"] == wanted:
                return dict(resource)
    raise CkanError(404, "Not Found Error", "Resource was not found.")


def _run(request: Request, db: Session, action: str, params: dict[str, Any]) -> Any:
    vocabularies = service.catalog().vocabularies
    if action == "package_list":
        names = service.published_ids(db)
        offset = _int(params, "offset", 0)
        limit = _int(params, "limit", len(names)) if "limit" in params else len(names)
        return names[offset : offset + limit]
    if action == "package_search":
        return _package_search(request, db, params)
    if action == "package_show":
        dataset = _published(db, _id(params))
        if dataset is None:
            raise CkanError(404, "Not Found Error", "Dataset not found")
        return ckan.package(dataset, base_url(request))
    if action == "organization_list":
        return _organization_list(db, params)
    if action == "organization_show":
        key = _id(params)
        if key not in vocabularies.publishers:
            raise CkanError(404, "Not Found Error", "Organization not found")
        found = ckan.organization(key, service.published_by_publisher(db).get(key, 0))
        if _bool(params, "include_datasets"):
            found["packages"] = [
                ckan.package(d, base_url(request)) for d in service.published_datasets(db, key)
            ]
        return found
    if action == "group_list":
        return sorted(vocabularies.themes)
    if action == "tag_list":
        return service.keywords(db)
    if action == "resource_show":
        return _resource_show(request, db, params)
    return {
        "ckan_version": "2.10.0",
        "site_title": "つなぐ データカタログ",
        "site_url": base_url(request),
        "site_description": "",
        "locale_default": "ja",
        "extensions": [],
    }  # status_show


async def _params(request: Request) -> dict[str, Any] | CkanError:
    """The action's parameters (query string, then a JSON or form body), or why they cannot be read."""
    params: dict[str, Any] = dict(request.query_params)
    if request.method == "POST":
        body = await request.body()
        if body:
            if "json" in request.headers.get("content-type", "") or body.lstrip()[:1] == b"{":
                try:
                    parsed = json.loads(body)
                except ValueError:
                    return CkanError(400, "Validation Error", "the request body is not JSON")
                if not isinstance(parsed, dict):
                    return CkanError(400, "Validation Error", "the request body is not a JSON object")
                params.update(parsed)
            else:
                params.update(dict(await request.form()))
    return params


@ckan_router.get("/api/3/action/{action}", operation_id="ckan_action_get")
@ckan_router.post("/api/3/action/{action}", operation_id="ckan_action_post")
@ckan_router.get("/api/action/{action}", include_in_schema=False)  # CKAN serves both paths
@ckan_router.post("/api/action/{action}", include_in_schema=False)
def ckan_action(
    request: Request,
    action: str,
    params: dict[str, Any] | CkanError = Depends(_params),
    db: Session = TRANSACTION,
) -> JSONResponse:
    """CKAN 2.10's read actions, in CKAN's envelope (``help``, ``success``, ``result``/``error``)."""
    help_url = _help(request, action)
    try:
        if action not in ACTIONS:
            raise CkanError(400, "Bad request - Action name not known", f"Action name not known: {action}")
        if isinstance(params, CkanError):
            raise params
        result = _run(request, db, action, params)
    except CkanError as error:
        return JSONResponse(
            {
                "help": help_url,
                "success": False,
                "error": {"__type": error.kind, "message": error.message, **error.fields},
            },
            status_code=error.status,
        )
    return JSONResponse({"help": help_url, "success": True, "result": result})
