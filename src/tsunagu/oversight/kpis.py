"""KPIs of the procedure inventory, per ministry and overall, with the change from the previous
survey year — read from the per-import summary, so a page view never scans the 75,000 rows.

* online-available rate by types: procedures 1 実施済 / all procedures (the survey's own
  「オンライン率」, count_where);
* online-available rate by volume: 総手続件数 of 実施済 procedures / 総手続件数 of all with a known
  volume;
* online use rate: オンライン手続件数 / 総手続件数 among 実施済 procedures where both are known;
* attachments: procedures that ask for attachments, and those of them where a base-registry look-up
  could replace one (住民票, 戸籍, 登記事項証明書, 所得・納税証明書).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.oversight.models import OversightInventoryProcedure, OversightInventorySummary


@dataclass(frozen=True)
class Figures:
    procedures: int
    online_available: int
    partly_online: int
    total_volume: int
    available_volume: int
    available_online_volume: int
    available_measured_volume: int
    with_attachments: int
    replaceable: int

    @property
    def rate_by_types(self) -> float | None:
        return self.online_available / self.procedures if self.procedures else None

    @property
    def rate_by_volume(self) -> float | None:
        return self.available_volume / self.total_volume if self.total_volume else None

    @property
    def use_rate(self) -> float | None:
        measured = self.available_measured_volume
        return self.available_online_volume / measured if measured else None

    @property
    def replaceable_share(self) -> float | None:
        return self.replaceable / self.with_attachments if self.with_attachments else None


FIELDS = (
    "procedures",
    "online_available",
    "partly_online",
    "total_volume",
    "available_volume",
    "available_online_volume",
    "available_measured_volume",
    "with_attachments",
    "replaceable",
)
RATES = ("rate_by_types", "rate_by_volume", "use_rate", "replaceable_share")


@dataclass(frozen=True)
class YearFigures:
    year: int
    overall: Figures
    ministries: dict[str, Figures]
    by_attachment: dict[str, int]


def by_year(db: Session, ministry: str = "") -> list[YearFigures]:
    """Every survey year, oldest first (one ministry's rows only when ``ministry`` is given)."""
    table = OversightInventorySummary
    query = select(table).order_by(table.survey_year, table.ministry)
    if ministry:
        query = query.where(table.ministry == ministry)
    years: dict[int, list[OversightInventorySummary]] = {}
    for row in db.scalars(query):
        years.setdefault(row.survey_year, []).append(row)
    result: list[YearFigures] = []
    for year, rows in years.items():
        ministries = {r.ministry: Figures(**{f: getattr(r, f) for f in FIELDS}) for r in rows}
        overall = Figures(**{f: sum(getattr(r, f) for r in rows) for f in FIELDS})
        attachments: dict[str, int] = {}
        for r in rows:
            for name, count in r.by_attachment.items():
                attachments[name] = attachments.get(name, 0) + count
        result.append(YearFigures(year, overall, ministries, attachments))
    return result


def change(current: float | None, previous: float | None) -> float | None:
    """Year-on-year change in percentage points (None when either year lacks the figure)."""
    if current is None or previous is None:
        return None
    return (current - previous) * 100


@dataclass(frozen=True)
class ParetoItem:
    procedure_id: str
    name: str
    ministry: str
    volume: int
    cumulative_share: float
    online_status: str


@dataclass(frozen=True)
class Pareto:
    items: list[ParetoItem]
    total_volume: int
    procedures_with_volume: int


def pareto(db: Session, year: int, top: int = 20, ministry: str = "") -> Pareto:
    """The ``top`` procedures by 総手続件数 and the cumulative share of all volume they carry."""
    table = OversightInventoryProcedure
    where = [table.survey_year == year, table.total_count > 0]
    if ministry:
        where.append(table.ministry == ministry)
    total, counted = db.execute(
        select(func.coalesce(func.sum(table.total_count), 0), func.count()).where(*where)
    ).one()
    items: list[ParetoItem] = []
    running = 0
    for row in db.execute(
        select(table.procedure_id, table.name, table.ministry, table.total_count, table.online_status)
        .where(*where)
        .order_by(table.total_count.desc(), table.procedure_id)
        .limit(top)
    ):
        running += row.total_count
        items.append(
            ParetoItem(
                row.procedure_id,
                row.name,
                row.ministry,
                row.total_count,
                running / total if total else 0.0,
                row.online_status,
            )
        )
    return Pareto(items, int(total or 0), int(counted or 0))
