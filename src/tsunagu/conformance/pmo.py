"""移行 PMO 支援: per municipality and 標準化対象事務, the system in use, its vendor, the planned and
actual dates of the move to the standard system on the Government Cloud, and the latest conformance
result; a national overview per business area (how many have moved, who is late) and its CSV.

The demo seeds synthetic statuses for every municipality of the address registry (no real
municipality's plans are known here); a check run on the web updates the municipality's status."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import Session

from tsunagu.conformance.models import MigrationStatus
from tsunagu.conformance.requirements import Text
from tsunagu.core.progress import ProgressReporter

#: the 20 標準化対象事務 (地方公共団体情報システムの標準化に関する法律 第2条第1項, 政令)
BUSINESS_AREAS: dict[str, Text] = {
    "jido-teate": Text("児童手当", "Child allowance"),
    "kodomo-kosodate": Text("子ども・子育て支援", "Child and childcare support"),
    "juminkiroku": Text("住民基本台帳", "Basic resident register"),
    "koseki-fuhyo": Text("戸籍の附票", "Family register annex"),
    "inkan": Text("印鑑登録", "Seal registration"),
    "senkyo": Text("選挙人名簿管理", "Electoral roll"),
    "kotei-shisanzei": Text("固定資産税", "Fixed asset tax"),
    "kojin-juminzei": Text("個人住民税", "Individual inhabitant tax"),
    "hojin-juminzei": Text("法人住民税", "Corporate inhabitant tax"),
    "kei-jidoshazei": Text("軽自動車税", "Light vehicle tax"),
    "koseki": Text("戸籍", "Family register"),
    "shugaku": Text("就学", "School enrolment"),
    "kenko-kanri": Text("健康管理", "Health management"),
    "jido-fuyo-teate": Text("児童扶養手当", "Child rearing allowance"),
    "seikatsu-hogo": Text("生活保護", "Public assistance"),
    "shogaisha-fukushi": Text("障害者福祉", "Welfare for persons with disabilities"),
    "kaigo-hoken": Text("介護保険", "Long-term care insurance"),
    "kokumin-kenko-hoken": Text("国民健康保険", "National health insurance"),
    "koki-koreisha-iryo": Text("後期高齢者医療", "Medical care for the elderly"),
    "kokumin-nenkin": Text("国民年金", "National pension"),
}
#: synthetic vendors of the demo (no real company)
DEMO_VENDORS = (
    "つなぎシステムズ",
    "みらい情報サービス",
    "さくら自治体ソリューション",
    "あおば電算",
    "ひかり公共システム",
    "やまびこデータ",
)
DEADLINE = date(2026, 3, 31)  # the target: 令和7年度末 (基本方針)


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    prefecture: str


@dataclass(frozen=True)
class AreaSummary:
    area: str
    title: Text
    municipalities: int
    migrated: int
    late: int  # planned date passed, not migrated
    passed: int  # latest conformance check passed


def seed(
    db: Session,
    municipalities: Iterable[Municipality],
    random_seed: int,
    progress: ProgressReporter,
    *,
    today: date,
) -> int:
    """Synthetic statuses for every municipality and area (deterministic); the rows added."""
    if db.scalar(select(func.count()).select_from(MigrationStatus)):
        return 0
    chosen = list(municipalities)
    progress.start("conformance: migration status of every municipality", len(chosen))
    rng = random.Random(random_seed)  # noqa: S311 — synthetic demo data, not secrets
    first = date(2023, 4, 1)
    rows = 0
    for municipality in chosen:
        vendor = rng.choice(DEMO_VENDORS)  # one vendor for most areas, as municipalities buy packages
        for area, title in BUSINESS_AREAS.items():
            planned = first + timedelta(days=rng.randrange((DEADLINE - first).days + 540))
            moved = planned <= today and rng.random() < 0.8
            actual = min(today, planned + timedelta(days=rng.randrange(-30, 60))) if moved else None
            db.add(
                MigrationStatus(
                    municipality_code=municipality.code,
                    municipality_name=municipality.name,
                    prefecture=municipality.prefecture,
                    business_area=area,
                    system_name=f"{title.ja}システム",
                    vendor_name=vendor if rng.random() < 0.85 else rng.choice(DEMO_VENDORS),
                    planned_date=planned,
                    actual_date=actual,
                    latest_check_id=None,
                    latest_result="",
                )
            )
            rows += 1
        progress.advance()
    return rows


def record_result(db: Session, municipality_code: str, area: str, check_id: str, result: str) -> None:
    """A finished check becomes the municipality's latest result for that area (if it is tracked)."""
    row = db.scalar(
        select(MigrationStatus).where(
            MigrationStatus.municipality_code == municipality_code, MigrationStatus.business_area == area
        )
    )
    if row is not None:
        row.latest_check_id, row.latest_result = check_id, result


def _in_place(query: Select[Any], prefecture: str, municipality: str) -> Select[Any]:
    if prefecture:
        query = query.where(MigrationStatus.prefecture == prefecture)
    if municipality:
        query = query.where(MigrationStatus.municipality_code == municipality)
    return query


def _counts(today: date) -> tuple[Any, ...]:
    """tracked, migrated, late (planned date passed, not migrated), latest check passed."""
    return (
        func.count(),
        func.sum(case((MigrationStatus.actual_date.is_not(None), 1), else_=0)),
        func.sum(
            case(
                ((MigrationStatus.actual_date.is_(None)) & (MigrationStatus.planned_date < today), 1), else_=0
            )
        ),
        func.sum(case((MigrationStatus.latest_result == "passed", 1), else_=0)),
    )


def overview(db: Session, today: date, prefecture: str = "", municipality: str = "") -> list[AreaSummary]:
    """Per business area: municipalities tracked, migrated, late, latest check passed (of one
    prefecture or municipality when given)."""
    query = _in_place(select(MigrationStatus.business_area, *_counts(today)), prefecture, municipality)
    found = {
        area: (int(n), int(m or 0), int(late or 0), int(ok or 0))
        for area, n, m, late, ok in db.execute(query.group_by(MigrationStatus.business_area))
    }
    return [
        AreaSummary(area, title, *found.get(area, (0, 0, 0, 0))) for area, title in BUSINESS_AREAS.items()
    ]


@dataclass(frozen=True)
class PlaceArea:
    """One place's (a prefecture's, or one municipality's of a chosen prefecture) systems of one
    標準化対象事務: tracked, migrated, late, passed."""

    prefecture: str
    municipality_code: str  # "" for a prefecture
    name: str
    area: str
    tracked: int
    migrated: int
    late: int
    passed: int


def by_place_and_area(db: Session, today: date, prefecture: str = "") -> list[PlaceArea]:
    """Per prefecture × area (every one tracked), or per municipality × area of ``prefecture``:
    one grouped pass that both the per-area and the per-place figures are summed from."""
    if prefecture:
        keys: tuple[Any, ...] = (
            MigrationStatus.municipality_code,
            MigrationStatus.municipality_name,
            MigrationStatus.business_area,
        )
        query = _in_place(select(*keys, *_counts(today)), prefecture, "")
    else:
        keys = (MigrationStatus.prefecture, MigrationStatus.business_area)
        query = select(
            literal(""), MigrationStatus.prefecture, MigrationStatus.business_area, *_counts(today)
        )
    rows = db.execute(query.group_by(*keys).order_by(*keys))
    return [
        PlaceArea(prefecture or name, code, name, area, int(n), int(m or 0), int(late or 0), int(ok or 0))
        for code, name, area, n, m, late, ok in rows
    ]


def late(db: Session, today: date, area: str | None = None, limit: int = 50) -> list[MigrationStatus]:
    """Who is late: planned date passed and not migrated, the longest overdue first."""
    query = select(MigrationStatus).where(
        MigrationStatus.actual_date.is_(None), MigrationStatus.planned_date < today
    )
    if area:
        query = query.where(MigrationStatus.business_area == area)
    return list(
        db.scalars(
            query.order_by(MigrationStatus.planned_date, MigrationStatus.municipality_code).limit(limit)
        )
    )


CSV_COLUMNS = (
    "municipality_code",
    "municipality",
    "prefecture",
    "business_area",
    "business_area_name",
    "system",
    "vendor",
    "planned_date",
    "actual_date",
    "latest_result",
)


def csv_rows(db: Session) -> Iterable[str]:
    """Every status as CSV (UTF-8 with BOM so that spreadsheet software reads the Japanese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    query = select(MigrationStatus).order_by(MigrationStatus.municipality_code, MigrationStatus.business_area)
    for row in db.scalars(query.execution_options(yield_per=2000)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(
            (
                row.municipality_code,
                row.municipality_name,
                row.prefecture,
                row.business_area,
                BUSINESS_AREAS[row.business_area].ja,
                row.system_name,
                row.vendor_name,
                row.planned_date.isoformat(),
                row.actual_date.isoformat() if row.actual_date else "",
                row.latest_result,
            )
        )
        yield buffer.getvalue()
