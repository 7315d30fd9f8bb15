"""Public pages: the policy dashboard (/dashboard) with its charts, tables and CSV downloads, and the
procedure inventory (/inventory) — searchable, one procedure's history across survey years. No
JavaScript; names instead of codes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.templating import locale_of, render
from tsunagu.oversight import charts, dashboard, inventory, layouts, service
from tsunagu.oversight.api import inventory_query, served

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 30


def _ministry_names(ministry: str) -> str:
    return ministry if ministry in layouts.MINISTRIES else ""


def _board(request: Request, db: Session, ministry: str) -> dashboard.Dashboard:
    """The dashboard with the platform's own procedures by name (the web layer hands in the feed of
    their applications and their names)."""
    names_of = getattr(request.app.state, "procedure_names", None)
    return dashboard.build(
        db,
        ministry,
        getattr(request.app.state, "oversight_feed", None),
        names_of(locale_of(request)) if names_of else {},
    )


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request, ministry: str = Query("", max_length=32), db: Session = TRANSACTION
) -> Response:
    chosen = _ministry_names(ministry)
    board = _board(request, db, chosen)
    tables = {name: dashboard.table(board, name) for name in dashboard.TABLES}
    scope = chosen or "全府省庁"
    locale = locale_of(request)
    suffix = "" if locale == "en" else "年度"
    figures: dict[str, Any] = {}
    if board.years:
        figures["trend"] = charts.trend(
            "chart-trend",
            f"オンライン化の推移（{scope}）",
            labels=[dashboard.fiscal_year(y.year, locale) + suffix for y in board.years],
            series=[
                charts.Series("手続数", [y.overall.rate_by_types for y in board.years]),
                charts.Series("件数", [y.overall.rate_by_volume for y in board.years]),
                charts.Series("利用率", [y.overall.use_rate for y in board.years]),
            ],
            description="調査年度ごとのオンライン化率（手続数・件数）とオンライン利用率。数値は下の表にあります。",
        )
        figures["ministries"] = charts.bars(
            "chart-ministries",
            "府省庁別のオンライン化率（手続数）",
            [(m, f.rate_by_types) for m, f in board.ministries_ranked()],
            "最新の調査年度の府省庁別オンライン化率。数値は下の表にあります。",
        )
    if board.pareto and board.pareto.items:
        figures["pareto"] = charts.pareto(
            "chart-pareto",
            "件数の多い手続と累積構成比",
            labels=[p.name for p in board.pareto.items],
            volumes=[p.volume for p in board.pareto.items],
            cumulative=[p.cumulative_share for p in board.pareto.items],
            description="総手続件数の多い順の手続（棒）と全件数に占める累積の割合（線）。数値は下の表にあります。",
        )
    if board.services:
        figures["services"] = charts.bars(
            "chart-services",
            "手続ごとのオンライン申請の割合",
            [
                (board.service_names.get(f.procedure_id, f.procedure_id), f.digital_take_up)
                for f in board.services
            ],
            "つなぐの手続ごとの、窓口ではなくオンラインで申請された割合。数値は下の表にあります。",
        )
    progress = [p for p in board.costs.organizations if p.reduction is not None]
    if progress:
        figures["costs"] = charts.bars(
            "chart-costs",
            "組織別の経費削減率（基準年度比）",
            [(p.name, p.reduction) for p in progress],
            "運用等経費と改修経費の合計の、基準年度からの削減率。目標は30%。数値は下の表にあります。",
        )
    return render(
        request,
        "oversight/dashboard.html",
        {
            "board": board,
            "tables": tables,
            "figures": figures,
            "ministries": layouts.MINISTRIES,
            "ministry": chosen,
            "query": urlencode({"ministry": chosen}) if chosen else "",
            "percent": charts.percent,
            "fy": lambda year: dashboard.fiscal_year(year, locale),
            "synthetic": any(s.imported_by == service.SEED_ACTOR for s in inventory.surveys(db)),
        },
    )


@router.get("/dashboard/{name}.csv")
def dashboard_csv(
    request: Request, name: str, ministry: str = Query("", max_length=32), db: Session = TRANSACTION
) -> Response:
    table = dashboard.table(_board(request, db, _ministry_names(ministry)), name)
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
    linked = served(request)
    found = inventory.search(db, where, limit=PAGE_SIZE, offset=offset, served_ids=frozenset(linked))
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
    names_of = getattr(request.app.state, "procedure_names", None)
    names: dict[str, str] = names_of(locale_of(request)) if names_of else {}
    served_by = [(pid, names.get(pid, "")) for pid in served(request).get(procedure_id, [])]
    return render(
        request,
        "oversight/entry.html",
        {
            "years": years,
            "latest": latest,
            "layouts": layouts,
            "served_by": served_by,
            "fy": lambda year: dashboard.fiscal_year(year, locale_of(request)),
            "columns": layouts.columns_of(layout_of.get(latest.survey_year, "R7")),
        },
    )
