"""Systems and their costs (統括・監理): the register, its CSV import, and the 30% target.

The target, as the seeds set it: national systems cut 運用等経費 and the 改修 part of 整備経費 by
30% by FY2025 from FY2020 (PJ管理強化方針; 重点計画 KPI); local governments' systems cut their
running costs by at least 30% by FY2026 from FY2018 (標準化・クラウド化). Amounts are in thousand
yen (千円) as budget documents write them. The projection is a least-squares line through the
yearly totals from the baseline year on, read at the target year.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session, aliased

from tsunagu.core import clock
from tsunagu.core.errors import ValidationFailed
from tsunagu.oversight.models import OversightAudit, OversightSystem, OversightSystemCost


@dataclass(frozen=True)
class Target:
    baseline_year: int
    target_year: int
    reduction: float  # 0.30


TARGETS = {"national": Target(2020, 2025, 0.30), "local": Target(2018, 2026, 0.30)}
KINDS = {"国": "national", "地方": "local"}
COLUMNS = (
    "システムID",
    "組織",
    "区分",
    "システム名",
    "目的",
    "所管課室",
    "ガバメントクラウド",
    "移行日",
    "共通機能",
    "年度",
    "運用等経費(千円)",
    "整備経費(千円)",
    "うち改修経費(千円)",
)
SHARED_FUNCTIONS = (
    "認証",
    "公共サービスメッシュ",
    "ベース・レジストリ",
    "決済",
    "通知",
    "ガバメントクラウド",
)


@dataclass(frozen=True)
class ImportCount:
    systems: int
    cost_rows: int


def _problem(line: int, column: str, message: str) -> dict[str, object]:
    return {
        "location": ["file", f"line {line}", column],
        "type": "systems-row",
        "message": message,
        "line": line,
        "column": column,
    }


def _amount(raw: str, line: int, column: str, problems: list[dict[str, object]]) -> int:
    if not re.fullmatch(r"[0-9]+", raw):
        problems.append(
            _problem(line, column, f"{column}「{raw}」は0以上の整数（千円、カンマなし）ではありません")
        )
        return 0
    return int(raw)


Row = tuple[dict[str, object], int, tuple[int, int, int]]


def _row(line: int, cell: dict[str, str], problems: list[dict[str, object]]) -> Row | None:
    """One CSV row as the system's values, the fiscal year and its three amounts."""
    system_id = cell["システムID"]
    if not re.fullmatch(r"[0-9A-Za-z_.-]{1,64}", system_id):
        problems.append(
            _problem(line, "システムID", f"システムID「{system_id}」は英数字64字以内ではありません")
        )
        return None
    kind = KINDS.get(cell["区分"])
    if kind is None:
        problems.append(_problem(line, "区分", f"区分「{cell['区分']}」は「国」か「地方」です"))
    for required in ("組織", "システム名"):
        if not cell[required]:
            problems.append(_problem(line, required, f"{required}が空です"))
    cloud = cell["ガバメントクラウド"]
    if cloud not in ("移行済", "未移行", ""):
        problems.append(_problem(line, "ガバメントクラウド", f"「{cloud}」は「移行済」か「未移行」です"))
    migrated: date | None = None
    if cell["移行日"]:
        try:
            migrated = date.fromisoformat(cell["移行日"])
        except ValueError:
            problems.append(
                _problem(line, "移行日", f"移行日「{cell['移行日']}」は YYYY-MM-DD ではありません")
            )
    if not re.fullmatch(r"20[0-9]{2}", cell["年度"]):
        problems.append(_problem(line, "年度", f"年度「{cell['年度']}」は西暦4桁ではありません"))
        return None
    operation, development, modification = (_amount(cell[c], line, c, problems) for c in COLUMNS[10:])
    if modification > development:
        problems.append(_problem(line, "うち改修経費(千円)", "改修経費が整備経費を超えています"))
    values: dict[str, object] = {
        "id": system_id,
        "organization": cell["組織"][:64],
        "kind": kind or "national",
        "name": cell["システム名"][:255],
        "purpose": cell["目的"],
        "owner": cell["所管課室"][:128],
        "government_cloud": cloud == "移行済",
        "migrated_on": migrated,
        "shared_functions": [f for f in re.split(r"[;；、]", cell["共通機能"]) if f.strip()],
    }
    return values, int(cell["年度"]), (operation, development, modification)


def import_systems(db: Session, data: bytes, *, actor: str) -> ImportCount:
    """Systems and cost years from CSV (one row per system and fiscal year), all or nothing; a
    system's rows replace what was stored for it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("CSV は UTF-8 で保存してください。") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c and c not in COLUMNS]
    if missing or unknown:
        wrong = [_problem(1, c, f"列「{c}」がありません") for c in missing]
        wrong += [_problem(1, c, f"列「{c}」は様式にない列名です") for c in unknown]
        raise ValidationFailed(f"見出し行が様式と違います: {wrong[0]['message']}", errors=wrong)
    at = {name: header.index(name) for name in COLUMNS}
    problems: list[dict[str, object]] = []
    systems: dict[str, dict[str, object]] = {}
    costs: dict[str, dict[int, tuple[int, int, int]]] = defaultdict(dict)
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cell = {name: (row[i].strip() if i < len(row) else "") for name, i in at.items()}
        parsed = _row(line, cell, problems)
        if parsed is None:
            continue
        values, year, amounts = parsed
        system_id = str(values["id"])
        if year in costs[system_id]:
            problems.append(_problem(line, "年度", f"{system_id} の {year} 年度が重複しています"))
        costs[system_id][year] = amounts
        systems[system_id] = values
    if problems:
        first = problems[0]
        raise ValidationFailed(
            f"{first['line']}行目「{first['column']}」: {first['message']}"
            f"（問題 {len(problems)} 件。何も取り込んでいません）",
            errors=problems[:200],
        )
    now = clock.now()
    for system_id, values in systems.items():
        db.execute(delete(OversightSystemCost).where(OversightSystemCost.system_id == system_id))
        existing = db.get(OversightSystem, system_id)
        if existing is None:
            db.add(OversightSystem(**values, updated_at=now))
        else:
            for key, value in values.items():
                setattr(existing, key, value)
            existing.updated_at = now
        db.flush()
        db.add_all(
            OversightSystemCost(
                system_id=system_id, fiscal_year=year, operation=o, development=d, modification=m
            )
            for year, (o, d, m) in costs[system_id].items()
        )
    rows = sum(len(c) for c in costs.values())
    db.add(
        OversightAudit(
            at=now,
            actor=actor,
            action="systems-import",
            subject=f"{len(systems)} systems",
            detail={"systems": sorted(systems), "cost_rows": rows},
        )
    )
    return ImportCount(len(systems), rows)


@dataclass(frozen=True)
class Progress:
    """One organization's (or everyone's) way to the target, in thousand yen."""

    name: str
    kind: str
    target: Target
    by_year: dict[int, int]  # 運用等経費 + 改修経費
    systems: int
    cloud_systems: int

    @property
    def baseline(self) -> int | None:
        return self.by_year.get(self.target.baseline_year)

    @property
    def latest_year(self) -> int | None:
        return max(self.by_year, default=None)

    @property
    def reduction(self) -> float | None:
        """Achieved reduction from the baseline to the latest year (0.3 = 30% less)."""
        if not self.baseline or self.latest_year is None:
            return None
        return 1 - self.by_year[self.latest_year] / self.baseline

    @property
    def goal(self) -> int | None:
        return round(self.baseline * (1 - self.target.reduction)) if self.baseline else None

    @property
    def projection(self) -> int | None:
        """The target year's total on the least-squares line through the years since the baseline."""
        points = [(y, v) for y, v in sorted(self.by_year.items()) if y >= self.target.baseline_year]
        if len(points) < 2:
            return None
        n = len(points)
        mean_x = sum(x for x, _ in points) / n
        mean_y = sum(y for _, y in points) / n
        spread = sum((x - mean_x) ** 2 for x, _ in points)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
        return max(0, round(mean_y + slope * (self.target.target_year - mean_x)))

    @property
    def on_track(self) -> bool | None:
        goal, projected = self.goal, self.projection
        return None if goal is None or projected is None else projected <= goal


@dataclass(frozen=True)
class Riser:
    """A system whose counted cost rose since the baseline (it pushes the total up)."""

    system_id: str
    name: str
    organization: str
    baseline: int
    latest: int


@dataclass(frozen=True)
class CostReport:
    organizations: list[Progress]
    overall: dict[str, Progress]  # kind → everyone of that kind
    risers: list[Riser]
    systems: int


def report(db: Session) -> CostReport:
    """Sums by organization, kind and year, and the risers, each in one aggregate query (a page
    view never loads the systems one by one)."""
    system, cost = OversightSystem, OversightSystemCost
    counted = func.sum(cost.operation + cost.modification)
    per_org: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for organization, kind, year, total in db.execute(
        select(system.organization, system.kind, cost.fiscal_year, counted)
        .join(cost, cost.system_id == system.id)
        .group_by(system.organization, system.kind, cost.fiscal_year)
    ):
        per_org[(organization, kind)][year] = int(total)
    counts = {
        (organization, kind): (int(n), int(cloud or 0))
        for organization, kind, n, cloud in db.execute(
            select(
                system.organization,
                system.kind,
                func.count(),
                func.sum(case((system.government_cloud, 1), else_=0)),
            ).group_by(system.organization, system.kind)
        )
    }
    organizations = [
        Progress(org, kind, TARGETS[kind], years, *counts.get((org, kind), (0, 0)))
        for (org, kind), years in sorted(
            per_org.items(), key=lambda item: (item[0][1] != "national", item[0][0])
        )
    ]
    overall: dict[str, Progress] = {}
    for kind in sorted({k for _, k in per_org}, key=lambda k: k != "national"):
        years: dict[int, int] = defaultdict(int)
        for (_, k), by_year in per_org.items():
            if k == kind:
                for year, total in by_year.items():
                    years[year] += total
        n, cloud = (sum(v[i] for (_, k), v in counts.items() if k == kind) for i in (0, 1))
        overall[kind] = Progress("全体", kind, TARGETS[kind], dict(years), n, cloud)
    return CostReport(organizations, overall, _risers(db), sum(n for n, _ in counts.values()))


def _risers(db: Session, limit: int = 20) -> list[Riser]:
    """Systems whose counted cost in their latest year is above their baseline year's."""
    system, cost = OversightSystem, OversightSystemCost
    latest_year = (
        select(cost.system_id, func.max(cost.fiscal_year).label("year")).group_by(cost.system_id).subquery()
    )
    latest = aliased(cost)
    base = aliased(cost)
    baseline_year = case(*((system.kind == kind, target.baseline_year) for kind, target in TARGETS.items()))
    rise = (latest.operation + latest.modification) - (base.operation + base.modification)
    rows = db.execute(
        select(
            system.id,
            system.name,
            system.organization,
            base.operation + base.modification,
            latest.operation + latest.modification,
        )
        .join(latest_year, latest_year.c.system_id == system.id)
        .join(latest, (latest.system_id == system.id) & (latest.fiscal_year == latest_year.c.year))
        .join(base, (base.system_id == system.id) & (base.fiscal_year == baseline_year))
        .where(rise > 0)
        .order_by(rise.desc(), system.id)
        .limit(limit)
    )
    return [
        Riser(i, name, organization, int(before), int(after)) for i, name, organization, before, after in rows
    ]
