"""The policy dashboard (政策ダッシュボード): the figures, the tables under every chart and their CSV
downloads, made once here for the pages and the API."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from tsunagu.core.errors import NotFound
from tsunagu.core.messages import N_
from tsunagu.oversight import costs, feedback, kpis, layouts, places, service_kpis
from tsunagu.oversight.charts import percent

PARETO_TOP = 20
TABLES = (
    "trend",
    "ministries",
    "pareto",
    "costs",
    "services",
    "funnel",
    "keystrokes",
    "satisfaction",
    "migration",
    "places",
)


@dataclass(frozen=True)
class MigrationArea:
    """One 標準化対象事務 in the conformance part's migration overview (移行 PMO)."""

    name: str
    municipalities: int
    migrated: int
    late: int
    passed: int


@dataclass(frozen=True)
class MigrationPlace:
    """One prefecture (or one municipality of the chosen prefecture) in that overview."""

    key: str  # the prefecture's name, or the municipality's code
    name: str
    tracked: int
    migrated: int
    late: int

    @property
    def share(self) -> float | None:
        return self.migrated / self.tracked if self.tracked else None


@dataclass(frozen=True)
class Migration:
    areas: list[MigrationArea]
    places: list[MigrationPlace]  # prefectures, or the municipalities of the chosen prefecture


#: (db, prefecture, municipality, locale) → the overview; handed in by the web layer from conformance
MigrationSource = Callable[[Session, str, str, str], Migration]


@dataclass(frozen=True)
class Table:
    """A chart's data: column headings and rows of display-ready cells."""

    title: str
    columns: list[str]
    rows: list[list[str]]

    def csv(self) -> str:
        handle = io.StringIO(newline="")
        writer = csv.writer(handle)
        writer.writerow(self.columns)
        writer.writerows(self.rows)
        return handle.getvalue()


@dataclass(frozen=True)
class Dashboard:
    ministry: str
    years: list[kpis.YearFigures]
    latest: kpis.YearFigures | None
    previous: kpis.YearFigures | None
    pareto: kpis.Pareto | None
    costs: costs.CostReport
    services: list[service_kpis.ServiceFigures]
    service_names: dict[str, str]
    prefecture: str = ""
    municipality: str = ""
    migration: Migration | None = None
    usability: list[feedback.Usability] = field(default_factory=list)

    def change(self, rate: str) -> float | None:
        if self.latest is None or self.previous is None:
            return None
        return kpis.change(getattr(self.latest.overall, rate), getattr(self.previous.overall, rate))

    def ministries_ranked(self) -> list[tuple[str, kpis.Figures]]:
        if self.latest is None:
            return []
        return sorted(
            self.latest.ministries.items(), key=lambda item: (-(item[1].rate_by_types or 0), item[0])
        )


@dataclass(frozen=True)
class Scope:
    """The dashboard's filters: a ministry (the inventory), a prefecture and a municipality (local
    government: the migration to the standard systems)."""

    ministry: str = ""
    prefecture: str = ""
    municipality: str = ""


def build(
    db: Session,
    scope: Scope = Scope(),
    *,
    feed: service_kpis.Feed | None = None,
    service_names: dict[str, str] | None = None,
    migration: MigrationSource | None = None,
    keystrokes: feedback.KeystrokeSource | None = None,
    locale: str = "ja",
    place: places.Place = places.EVERYWHERE,
) -> Dashboard:
    """Everything the dashboard shows; the service counters first take in the feed's new events.
    ``place`` (the scope's prefecture and municipality by code) narrows the service KPIs to the
    applications its local governments received."""
    ministry = scope.ministry
    if feed is not None:
        service_kpis.catch_up(db, feed)
    years = kpis.by_year(db, ministry)
    latest = years[-1] if years else None
    previous = years[-2] if len(years) > 1 else None
    top = kpis.pareto(db, latest.year, PARETO_TOP, ministry) if latest else None
    return Dashboard(
        ministry,
        years,
        latest,
        previous,
        top,
        costs.report(db),
        service_kpis.figures(db, place=place),
        service_names or {},
        scope.prefecture,
        scope.municipality,
        migration(db, scope.prefecture, scope.municipality, locale) if migration else None,
        feedback.usability(db, keystrokes() if keystrokes else {}, place),
    )


def fiscal_year(year: int, locale: str = "ja") -> str:
    """A fiscal year as a person reads it: 令和7 (with 年度 after it in the sentence) or FY2025."""
    if locale == "en":
        return f"FY{year}"
    if year >= 2019:
        return "令和元" if year == 2019 else f"令和{year - 2018}"
    return f"平成{year - 1988}"


def layout_name(layout: str, locale: str = "ja") -> str:
    """R6 / R7 as the survey they belong to: 令和6年度（38列）."""
    found = next(lay for lay in layouts.LAYOUTS if lay.id == layout)
    columns = len(found.columns)
    if locale == "en":
        return f"FY{found.survey_year} survey layout, {columns} columns"
    return f"{fiscal_year(found.survey_year)}年度（{columns}列）"


def _yen(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def year_cell(year: int | None, locale: str) -> str:
    """A fiscal year in a table: 令和6年度 for Japanese readers (as the survey and budgets name it),
    FY2024 in English."""
    if year is None:
        return ""
    return fiscal_year(year, locale) + ("" if locale == "en" else "年度")


Gettext = Callable[[str], str]


def table(board: Dashboard, name: str, locale: str = "ja", gettext: Gettext = str) -> Table:
    """One chart's table (the same rows the page shows under the chart and the CSV holds), its
    title and headings in the reader's language (``gettext`` from the web layer)."""
    found = _table(board, name, locale, gettext)
    return Table(gettext(found.title), [gettext(c) for c in found.columns], found.rows)


def _table(board: Dashboard, name: str, locale: str, gettext: Gettext) -> Table:
    if name == "trend":
        return Table(
            N_("オンライン化の推移"),
            [
                N_("調査年度"),
                N_("手続数"),
                N_("オンライン化率（手続数）"),
                N_("オンライン化率（件数）"),
                N_("オンライン利用率"),
            ],
            [
                [
                    year_cell(y.year, locale),
                    str(y.overall.procedures),
                    percent(y.overall.rate_by_types),
                    percent(y.overall.rate_by_volume),
                    percent(y.overall.use_rate),
                ]
                for y in board.years
            ],
        )
    if name == "ministries":
        return Table(
            N_("府省庁別のオンライン化率"),
            [
                N_("府省庁"),
                N_("手続数"),
                N_("オンライン化済"),
                N_("オンライン化率（手続数）"),
                N_("オンライン化率（件数）"),
                N_("添付書類のある手続"),
                N_("照会で代替できる手続"),
            ],
            [
                [
                    gettext(m),
                    str(f.procedures),
                    str(f.online_available),
                    percent(f.rate_by_types),
                    percent(f.rate_by_volume),
                    str(f.with_attachments),
                    str(f.replaceable),
                ]
                for m, f in board.ministries_ranked()
            ],
        )
    if name == "pareto":
        items = board.pareto.items if board.pareto else []
        return Table(
            N_("件数の多い手続（パレート図）"),
            [N_("順位"), N_("手続ID"), N_("手続名"), N_("府省庁"), N_("総手続件数"), N_("累積構成比")],
            [
                [
                    str(i + 1),
                    p.procedure_id,
                    p.name,
                    gettext(p.ministry),
                    f"{p.volume:,}",
                    percent(p.cumulative_share),
                ]
                for i, p in enumerate(items)
            ],
        )
    if name == "costs":
        rows = [*board.costs.overall.values(), *board.costs.organizations]
        return Table(
            N_("システム経費（運用等経費＋改修経費、千円）"),
            [
                N_("組織"),
                N_("区分"),
                N_("基準年度"),
                N_("基準年度の経費"),
                N_("最新年度"),
                N_("最新年度の経費"),
                N_("削減率"),
                N_("目標額"),
                N_("目標年度の見込み"),
            ],
            [
                [
                    p.name,
                    gettext(N_("国")) if p.kind == "national" else gettext(N_("地方")),
                    year_cell(p.target.baseline_year, locale),
                    _yen(p.baseline),
                    year_cell(p.latest_year, locale),
                    _yen(p.by_year.get(p.latest_year) if p.latest_year else None),
                    percent(p.reduction),
                    _yen(p.goal),
                    _yen(p.projection),
                ]
                for p in rows
            ],
        )
    if name == "services":
        return Table(
            N_("つなぐの手続の利用状況"),
            [
                N_("手続"),
                N_("申請件数"),
                N_("オンライン申請の割合"),
                N_("自動入力を使った割合"),
                N_("代理申請の割合"),
                N_("処理した件数"),
                N_("標準処理期間内の割合"),
                N_("平均処理日数"),
            ],
            [
                [
                    board.service_names.get(f.procedure_id, f.procedure_id),
                    str(f.submitted),
                    percent(f.digital_take_up),
                    percent(f.prefilled_share),
                    percent(f.proxy_share),
                    str(f.decided),
                    percent(f.in_time_share),
                    "—" if f.average_days is None else f"{f.average_days:.1f}",
                ]
                for f in board.services
            ],
        )
    if name == "funnel":
        return Table(
            N_("申請の完了率と離脱（匿名の集計）"),
            [
                N_("手続"),
                N_("入力を始めた"),
                N_("確認画面に進んだ"),
                N_("申請した"),
                N_("完了率"),
                N_("確認画面までの離脱"),
                N_("申請までの離脱"),
            ],
            [
                [
                    board.service_names.get(u.procedure_id, u.procedure_id),
                    *(f"{n:,}" for n in u.funnel.reached),
                    percent(u.funnel.completion_rate),
                    *(percent(share) for _, _, share in u.funnel.drop_off()),
                ]
                for u in board.usability
                if any(u.funnel.reached)
            ],
        )
    if name == "keystrokes":
        return Table(
            N_("スマートフォンで入力にかかる推定時間"),
            [N_("手続"), N_("推定時間（秒）")],
            [
                [board.service_names.get(u.procedure_id, u.procedure_id), f"{u.seconds:.0f}"]
                for u in sorted(board.usability, key=lambda u: (u.seconds or 0, u.procedure_id))
                if u.seconds is not None
            ],
        )
    if name == "satisfaction":
        answered = [u for u in board.usability if u.satisfaction.total]
        return Table(
            N_("申請後アンケートの満足度"),
            [N_("手続"), N_("回答数"), N_("満足の割合"), *feedback.LEVELS.values()],
            [
                [
                    board.service_names.get(u.procedure_id, u.procedure_id),
                    f"{u.satisfaction.total:,}",
                    percent(u.satisfaction.satisfied_share),
                    *(f"{u.satisfaction.answers.get(level, 0):,}" for level in feedback.LEVELS),
                ]
                for u in answered
            ],
        )
    if name == "migration":
        areas = board.migration.areas if board.migration else []
        return Table(
            N_("標準化対象事務ごとの移行状況"),
            [N_("事務"), N_("市区町村"), N_("移行済"), N_("移行率"), N_("予定より遅れ"), N_("適合確認済")],
            [
                [
                    a.name,
                    f"{a.municipalities:,}",
                    f"{a.migrated:,}",
                    percent(a.migrated / a.municipalities if a.municipalities else None),
                    f"{a.late:,}",
                    f"{a.passed:,}",
                ]
                for a in areas
            ],
        )
    if name == "places":
        places = board.migration.places if board.migration else []
        return Table(
            N_("地域ごとの移行状況（市区町村×事務）")
            if board.prefecture
            else N_("都道府県ごとの移行状況（市区町村×事務）"),
            [N_("地域"), N_("対象"), N_("移行済"), N_("移行率"), N_("予定より遅れ")],
            [[p.name, f"{p.tracked:,}", f"{p.migrated:,}", percent(p.share), f"{p.late:,}"] for p in places],
        )
    raise NotFound(f"no dashboard table {name!r}")
