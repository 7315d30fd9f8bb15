"""The public catalog pages: /catalog (search with facets) and /catalog/{dataset} — no
JavaScript, names instead of codes, Japanese first (English by the language switch)."""

from __future__ import annotations

import json
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from tsunagu.catalog import apis, codelists, dictionary, rdfxml, service, turtle
from tsunagu.catalog.api import (
    JSON_LD,
    base_url,
    dictionary_items,
    extra_code_lists,
    filters,
    jsonld,
    mesh_directory,
    procedures,
    rdfxml_response,
    turtle_response,
    usage_sources,
)
from tsunagu.catalog.schemas import mesh_service_out
from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.templating import render

router = APIRouter(prefix="/catalog", include_in_schema=False)
PAGE_SIZE = 20
FACET_TITLES = {
    "publisher": N_("公開する機関"),
    "theme": N_("分野"),
    "format": N_("データ形式"),
    "license": N_("利用条件"),
}
SCHEMES = {
    "imi-core": N_("共通語彙基盤（IMI コア語彙）"),
    "gov-data-model": N_("行政基本情報データ連携モデル"),
    "jis": N_("日本産業規格"),
    "nta": N_("法人番号公表サイトの項目"),
    "none": N_("該当なし"),
}
# the Japanese names of the OpenAPI document's groups (a new group shows its own name until named here)
API_GROUPS = {
    "CKAN-compatible Action API": N_("CKAN 互換 API（データカタログ）"),
    "applications": N_("オンライン申請"),
    "applications: businesses": N_("事業者の申請"),
    "appointments": N_("窓口の予約"),
    "catalog": N_("データカタログ"),
    "conformance": N_("標準準拠の確認"),
    "identity: My Number Card": N_("マイナンバーカード"),
    "identity: OpenID Connect": N_("ログイン連携（OpenID Connect）"),
    "identity: business accounts": N_("事業者アカウント"),
    "identity: organizations": N_("機関"),
    "identity: proxies": N_("代理人"),
    "identity: sessions and history": N_("ログインと操作履歴"),
    "identity: staff": N_("職員"),
    "mesh: directory": N_("公共サービスメッシュの名簿"),
    "mesh: history": N_("やりとりの履歴"),
    "mesh: log": N_("やりとりの記録（改ざん検知）"),
    "mesh: push": N_("変更の通知"),
    "moving one-stop": N_("引越しワンストップ"),
    "notify": N_("お知らせ"),
    "operations": N_("運用"),
    "oversight": N_("政策ダッシュボード"),
    "payments": N_("手数料の支払い"),
    "procedures": N_("行政手続"),
    "registry": N_("ベース・レジストリ"),
    "registry: addresses": N_("住所（アドレス・ベース・レジストリ）"),
    "registry: corporations": N_("法人"),
    "registry: residents": N_("住民基本台帳"),
}
COUNT_LABELS = {
    "address-municipalities": N_("市区町村の数"),
    "address-towns": N_("町字の数"),
    "corporations": N_("法人の数"),
    "procedures": N_("手続の数"),
}


def _query(where: service.Filters, offset: int = 0, sort: str = "title", **toggle: str) -> str:
    """The list page's address for these filters, with one facet value switched on or off."""
    pairs: list[tuple[str, str]] = [("q", where.q)] if where.q else []
    if sort != "title":
        pairs.append(("sort", sort))
    for name in service.FACETS:
        values = list(where.of(name))
        if name in toggle:
            value = toggle[name]
            values = [v for v in values if v != value] if value in values else [*values, value]
        pairs += [(name, v) for v in values]
    if offset:
        pairs.append(("offset", str(offset)))
    return "/catalog" + ("?" + urlencode(pairs) if pairs else "")


def _rdf(request: Request, document: dict[str, Any]) -> Response | None:
    """Content negotiation: a client asking for JSON-LD or Turtle gets the DCAT at the page's URI."""
    accept = request.headers.get("accept", "")
    if JSON_LD in accept:
        return jsonld(document)
    if turtle.MEDIA_TYPE in accept:
        return turtle_response(document)
    if rdfxml.MEDIA_TYPE in accept:
        return rdfxml_response(document)
    return None


@router.get("", response_class=HTMLResponse)
def catalog_page(
    request: Request,
    where: service.Filters = Depends(filters),
    offset: int = Query(0, ge=0),
    sort: service.Sort = Query("title"),
    db: Session = TRANSACTION,
) -> Response:
    if "text/html" not in request.headers.get("accept", "") and (
        rdf := _rdf(request, service.dcat_catalog(db, base_url(request)))
    ):
        return rdf
    found = service.search(db, where, limit=PAGE_SIZE, offset=offset, strict=False, sort=sort)
    vocabularies = service.catalog().vocabularies
    return render(
        request,
        "catalog/list.html",
        {
            "found": found,
            "where": where,
            "offset": offset,
            "sort": sort,
            "page_size": PAGE_SIZE,
            "facet_titles": FACET_TITLES,
            "query": _query,
            "vocabularies": vocabularies,
            "qualities": service.qualities(db, found.datasets),
            "searched": bool(where.q or any(where.of(n) for n in service.FACETS)),
        },
    )


@router.get("/dictionary", response_class=HTMLResponse)
def dictionary_page(
    request: Request, q: str = Query("", max_length=200), kind: dictionary.UsageKind | Literal[""] = Query("")
) -> Response:
    found = dictionary.dictionary(usage_sources(request))
    return render(
        request,
        "catalog/dictionary.html",
        {  # the form's すべて sends an empty kind
            "entries": dictionary.search(found, q, kind or None, service.fold),
            "total": len(found.entries),
            "q": q,
            "kind": kind,
            "kinds": dictionary.KIND_TITLES,
        },
    )


@router.get("/dictionary/{item_id}", response_class=HTMLResponse)
def item_page(request: Request, item_id: str, db: Session = TRANSACTION) -> Response:
    entry = dictionary.dictionary(usage_sources(request)).require(item_id)
    code_list = None
    if entry.item.code_list:
        known = {c.id: c for c in codelists.code_lists(db, extra_code_lists(request))}
        code_list = known.get(entry.item.code_list)
    return render(
        request,
        "catalog/item.html",
        {"e": entry, "kinds": dictionary.KIND_TITLES, "schemes": SCHEMES, "code_list": code_list},
    )


@router.get("/codes", response_class=HTMLResponse)
def code_lists_page(
    request: Request, q: str = Query("", max_length=200), db: Session = TRANSACTION
) -> Response:
    every = codelists.code_lists(db, extra_code_lists(request))
    return render(
        request,
        "catalog/codes.html",
        {"lists": codelists.search(every, q, service.fold), "total": len(every), "q": q},
    )


@router.get("/codes/{list_id}", response_class=HTMLResponse)
def code_list_page(request: Request, list_id: str, db: Session = TRANSACTION) -> Response:
    found = codelists.code_list(list_id, db, extra_code_lists(request))
    if "text/html" not in request.headers.get("accept", "") and (
        rdf := _rdf(request, codelists.skos(found, base_url(request)))
    ):
        return rdf
    return render(request, "catalog/codelist.html", {"c": found})


@router.get("/apis", response_class=HTMLResponse)
def apis_page(request: Request, db: Session = TRANSACTION) -> Response:
    return render(
        request,
        "catalog/apis.html",
        {
            "services": apis.mesh_services(db, mesh_directory(request)),
            "rest": apis.rest_apis(request.app.openapi()),
            "openapi": request.app.openapi_url,
            "groups": API_GROUPS,
        },
    )


@router.get("/apis/{provider}/{code}/{version}", response_class=HTMLResponse)
def service_page(
    request: Request, provider: str, code: str, version: str, db: Session = TRANSACTION
) -> Response:
    found = apis.require_service(db, mesh_directory(request), provider, code, version)
    return render(
        request,
        "catalog/service.html",
        {
            "s": found,
            "items": mesh_service_out(found, dictionary_items(request)).items,
            "schema": json.dumps(found.response_schema, ensure_ascii=False, indent=2),
        },
    )


@router.get("/quality", response_class=HTMLResponse)
def quality_page(request: Request, db: Session = TRANSACTION) -> Response:
    """メタデータの品質: each publisher's datasets, their average score and ratings."""
    return render(
        request,
        "catalog/quality.html",
        {
            "publishers": service.publisher_quality(db),
            "vocabularies": service.catalog().vocabularies,
            "maximum": service.MAXIMUM,
            "ratings": [label for _, label in service.RATINGS],
        },
    )


@router.get("/{dataset_id}", response_class=HTMLResponse)
def dataset_page(request: Request, dataset_id: str, db: Session = TRANSACTION) -> Response:
    dataset = service.require_dataset(db, dataset_id)
    base = base_url(request)
    if "text/html" not in request.headers.get("accept", "") and (
        rdf := _rdf(request, service.dcat_dataset(base, dataset))
    ):
        return rdf
    return render(
        request,
        "catalog/dataset.html",
        {
            "d": dataset,
            "vocabularies": service.catalog().vocabularies,
            "counts": service.counts(db, dataset, procedures(request)),
            "count_labels": COUNT_LABELS,
            "links": {d.id: service.distribution_url(base, dataset, d) for d in dataset.distributions},
            "dcat_url": f"/api/v1/catalog/datasets/{dataset.id}/dcat.jsonld",
            "schema_org": service.schema_org(base, dataset),
            "quality": service.quality_of(db, dataset),
            "dimensions": service.DIMENSIONS,
            "maximum": service.MAXIMUM,
            "checks": service.link_checks(db, dataset.id),
        },
    )
