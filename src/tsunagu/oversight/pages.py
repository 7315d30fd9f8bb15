"""Public pages: the policy dashboard (/dashboard) with its charts, tables and CSV downloads, and the
procedure inventory (/inventory) — searchable, one procedure's history across survey years. No
JavaScript; names instead of codes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core.errors import NotFound, ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.templating import locale_of, render, translate
from tsunagu.oversight import charts, dashboard, feedback, inventory, layouts, links, maps, places, service
from tsunagu.oversight.api import inventory_query, procedure_links
from tsunagu.oversight.deps import sources_of
from tsunagu.registry.addresses import service as addresses

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 30


def scope_of(
    ministry: str = Query("", max_length=32),
    prefecture: str = Query("", max_length=8),
    municipality: str = Query("", max_length=6),
    db: Session = TRANSACTION,
) -> dashboard.Scope:
    """The filters as asked, each kept only when it names a known ministry, prefecture (of the
    address registry) or municipality code; anything else shows everything."""
    prefectures = {p.name for p in addresses.prefecture_points(db)}
    chosen = prefecture if prefecture in prefectures else ""
    return dashboard.Scope(
        ministry if ministry in layouts.MINISTRIES else "",
        chosen,
        municipality if chosen and municipality.isdigit() and len(municipality) == 6 else "",
    )


def _board(request: Request, db: Session, scope: dashboard.Scope) -> dashboard.Dashboard:
    """The dashboard with the platform's own procedures by name (the web layer hands in the feed of
    their applications, their names and the conformance part's migration overview)."""
    sources = sources_of(request)
    locale = locale_of(request)
    codes = {p.name: p.code for p in addresses.prefecture_points(db)}
    return dashboard.build(
        db,
        scope,
        place=places.Place(codes.get(scope.prefecture, ""), scope.municipality),
        feed=sources.feed,
        service_names=sources.procedure_names(locale),
        migration=sources.migration,
        keystrokes=sources.keystrokes,
        locale=locale,
    )


def _figures(request: Request, db: Session, board: dashboard.Dashboard) -> dict[str, Any]:
    """Every chart of the dashboard, its words in the reader's language."""

    locale = locale_of(request)
    scope = translate(request, board.ministry or "全府省庁")
    figures: dict[str, Any] = {}
    if board.years:
        figures["trend"] = charts.trend(
            "chart-trend",
            translate(request, "オンライン化の推移（%(scope)s）") % {"scope": scope},
            labels=[dashboard.year_cell(y.year, locale) for y in board.years],
            series=[
                charts.Series(
                    translate(request, "オンライン化率（手続数）"),
                    [y.overall.rate_by_types for y in board.years],
                ),
                charts.Series(
                    translate(request, "オンライン化率（件数）"),
                    [y.overall.rate_by_volume for y in board.years],
                ),
                charts.Series(
                    translate(request, "オンライン利用率"), [y.overall.use_rate for y in board.years]
                ),
            ],
            description=translate(
                request,
                "調査年度ごとのオンライン化率（手続数・件数）とオンライン利用率。数値は下の表にあります。",
            ),
        )
        figures["ministries"] = charts.bars(
            "chart-ministries",
            translate(request, "府省庁別のオンライン化率（手続数）"),
            [(translate(request, m), f.rate_by_types) for m, f in board.ministries_ranked()],
            translate(request, "最新の調査年度の府省庁別オンライン化率。数値は下の表にあります。"),
        )
    if board.pareto and board.pareto.items:
        figures["pareto"] = charts.pareto(
            "chart-pareto",
            translate(request, "件数の多い手続と累積構成比"),
            labels=[p.name for p in board.pareto.items],
            volumes=[p.volume for p in board.pareto.items],
            cumulative=[p.cumulative_share for p in board.pareto.items],
            axis=translate(request, "件数の多い順（順位）"),
            locale=locale,
            description=translate(
                request,
                "総手続件数の多い順の手続（棒）と全件数に占める累積の割合（線）。数値は下の表にあります。",
            ),
        )
    if board.services:
        figures["services"] = charts.bars(
            "chart-services",
            translate(request, "手続ごとのオンライン申請の割合"),
            [
                (board.service_names.get(f.procedure_id, f.procedure_id), f.digital_take_up)
                for f in board.services
            ],
            translate(
                request,
                "つなぐの手続ごとの、窓口ではなくオンラインで申請された割合。数値は下の表にあります。",
            ),
        )
    progress = [p for p in board.costs.organizations if p.reduction is not None]
    if progress:
        figures["costs"] = charts.bars(
            "chart-costs",
            translate(request, "組織別の経費削減率（基準年度比）"),
            [(p.name, p.reduction) for p in progress],
            translate(
                request,
                "運用等経費と改修経費の合計の、基準年度からの削減率。目標は30%。数値は下の表にあります。",
            ),
        )
    if any(u.funnel.reached[0] for u in board.usability):
        figures["funnel"] = charts.bars(
            "chart-funnel",
            translate(request, "手続ごとの完了率（入力を始めた人のうち申請した割合）"),
            [
                (board.service_names.get(u.procedure_id, u.procedure_id), u.funnel.completion_rate)
                for u in board.usability
                if u.funnel.reached[0]
            ],
            translate(
                request,
                "申請の入力を始めた回数のうち、申請まで進んだ割合（手続・日ごとの匿名の回数から）。数値は下の表にあります。",
            ),
        )
    if any(u.satisfaction.total for u in board.usability):
        figures["satisfaction"] = charts.bars(
            "chart-satisfaction",
            translate(request, "手続ごとの満足の割合（とても満足＋満足）"),
            [
                (board.service_names.get(u.procedure_id, u.procedure_id), u.satisfaction.satisfied_share)
                for u in board.usability
                if u.satisfaction.total
            ],
            translate(
                request,
                "申請後の1問アンケートで「とても満足」か「満足」と答えた割合。数値は下の表にあります。",
            ),
        )
    if board.migration and board.migration.areas:
        figures["migration"] = charts.bars(
            "chart-migration",
            translate(request, "標準化対象事務ごとの移行率"),
            [
                (a.name, a.migrated / a.municipalities if a.municipalities else None)
                for a in board.migration.areas
            ],
            translate(
                request, "標準準拠システムへ移行した市区町村の割合（事務ごと）。数値は下の表にあります。"
            ),
        )
    grid = maps.tiles(addresses.prefecture_points(db))
    if grid and board.migration and not board.prefecture:
        figures["map"] = maps.choropleth(
            "chart-map",
            translate(request, "都道府県別の移行率（地図）"),
            translate(
                request,
                "都道府県ごとに、標準準拠システムへ移行した市区町村×事務の割合を色の濃さで示します。"
                "県を選ぶとその県の市区町村を表示します。数値は下の表にあります。",
            ),
            grid,
            {p.key: p.share for p in board.migration.places},
            link="/dashboard?prefecture={}",
            no_data=translate(request, "データなし"),
        )
    return figures


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request, scope: dashboard.Scope = Depends(scope_of), db: Session = TRANSACTION
) -> Response:
    board = _board(request, db, scope)
    locale = locale_of(request)
    tables = {
        name: dashboard.table(board, name, locale, lambda m: translate(request, m))
        for name in dashboard.TABLES
    }
    query = {k: v for k, v in vars(scope).items() if v}
    return render(
        request,
        "oversight/dashboard.html",
        {
            "board": board,
            "tables": tables,
            "figures": _figures(request, db, board),
            "ministries": layouts.MINISTRIES,
            "prefectures": [p.name for p in addresses.prefecture_points(db)],
            "ministry": scope.ministry,
            "query": urlencode(query),
            "percent": charts.percent,
            "fy": lambda year: dashboard.fiscal_year(year, locale),
            "synthetic": any(s.imported_by == service.SEED_ACTOR for s in inventory.surveys(db)),
            "attribution": addresses.ATTRIBUTION,
        },
    )


@router.get("/dashboard/{name}.csv")
def dashboard_csv(
    request: Request, name: str, scope: dashboard.Scope = Depends(scope_of), db: Session = TRANSACTION
) -> Response:
    table = dashboard.table(
        _board(request, db, scope), name, locale_of(request), lambda m: translate(request, m)
    )
    return Response(
        "\ufeff" + table.csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="dashboard-{name}.csv"'},
    )


@router.get("/inventory", response_class=HTMLResponse)
def inventory_page(
    request: Request,
    where: inventory.Query = Depends(inventory_query),
    offset: int = Query(0, ge=0),
    db: Session = TRANSACTION,
) -> Response:
    found_links = procedure_links(request, db, where.year)
    linked = links.linked_ids(found_links)
    found = inventory.search(db, where, limit=PAGE_SIZE, offset=offset, served_ids=frozenset(linked))
    names = sources_of(request).procedure_names(locale_of(request))
    params = {
        k: v
        for k, v in {
            "year": where.year or "",
            "q": where.q,
            "ministry": where.ministry,
            "type": where.type_code,
            "online_status": where.online_status,
            "life_event": where.life_event,
            "attachment": where.attachment,
            "min_volume": "" if where.min_volume is None else where.min_volume,
            "served_only": "true" if where.served else "",
        }.items()
        if v not in ("", None)
    }
    return render(
        request,
        "oversight/inventory.html",
        {
            "found": found,
            "where": where,
            "offset": offset,
            "page_size": PAGE_SIZE,
            "params": params,
            "surveys": inventory.surveys(db),
            "linked": linked,
            "candidates": links.served_by(found_links),
            "procedure_links": sorted(
                found_links.values(), key=lambda link: (link.method == "none", names.get(link.procedure, ""))
            ),
            "procedure_names": names,
            "method_names": links.METHOD_NAMES,
            "layouts": layouts,
            "fy": lambda year: dashboard.fiscal_year(year, locale_of(request)),
            "life_events": sorted(
                set(layouts.LIFE_EVENTS_PERSON + layouts.LIFE_EVENTS_CORPORATE),
                key=(layouts.LIFE_EVENTS_PERSON + layouts.LIFE_EVENTS_CORPORATE).index,
            ),
        },
    )


@router.get("/inventory/{procedure_id}", response_class=HTMLResponse)
def inventory_entry_page(request: Request, procedure_id: str, db: Session = TRANSACTION) -> Response:
    years = inventory.history(db, procedure_id)
    latest = years[-1]
    layout_of = {s.survey_year: s.layout for s in inventory.surveys(db)}
    names = sources_of(request).procedure_names(locale_of(request))
    found_links = procedure_links(request, db, latest.survey_year)
    served_by = [
        (link.procedure, names.get(link.procedure, ""), link.method, entry.cited)
        for link in links.served_by(found_links).get(procedure_id, [])
        for entry in link.entries
        if entry.procedure_id == procedure_id
    ]
    candidate_of = [s for s in served_by if s[2] == "ambiguous"]
    served_by = [s for s in served_by if s[2] != "ambiguous"]
    return render(
        request,
        "oversight/entry.html",
        {
            "years": years,
            "latest": latest,
            "layouts": layouts,
            "served_by": served_by,
            "candidate_of": candidate_of,
            "method_names": links.METHOD_NAMES,
            "fy": lambda year: dashboard.fiscal_year(year, locale_of(request)),
            "columns": layouts.columns_of(layout_of.get(latest.survey_year, "R7")),
        },
    )


feedback_router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.protect)])


def _procedure_name(request: Request, procedure_id: str) -> str:
    """The name of one of this platform's procedures; NotFound for anything else."""
    names = sources_of(request).procedure_names(locale_of(request))
    if procedure_id not in names:
        raise NotFound(f"no procedure {procedure_id!r}")
    return names[procedure_id]


@feedback_router.get("/feedback/{procedure_id}", response_class=HTMLResponse)
def survey_page(request: Request, procedure_id: str) -> Response:
    """満足度のアンケート on its own page (the same form is under a submission's receipt)."""
    name = _procedure_name(request, procedure_id)
    return render(
        request, "oversight/survey.html", {"procedure_name": name, "survey_procedure": procedure_id}
    )


@feedback_router.post("/feedback/{procedure_id}", response_class=HTMLResponse)
def survey_answer(  # noqa: PLR0917 — FastAPI reads each form field from the signature
    request: Request,
    procedure_id: str,
    level: str = Form(""),
    comment: str = Form(""),
    organization: str = Form(""),  # the 申請先 under a receipt; kept only when it looks like one
    db: Session = TRANSACTION,
) -> Response:
    """One answer counted (and the comment kept without identity), or the form again with the
    problem marked and the answer kept."""
    name = _procedure_name(request, procedure_id)
    try:
        with db.begin_nested():
            feedback.answer(db, procedure_id, level, comment, organization=organization)
    except ValidationFailed as refused:
        problems = {str(e["location"][0]): translate(request, refused.detail) for e in refused.errors}
        return render(
            request,
            "oversight/survey.html",
            {
                "procedure_name": name,
                "survey_procedure": procedure_id,
                "survey_errors": problems,
                "survey_level": level,
                "survey_comment": comment,
                "survey_organization": feedback.known_organization(organization),
            },
            status_code=422,
        )
    return render(request, "oversight/survey.html", {"thanks": True})
