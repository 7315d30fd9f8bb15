"""Use cases of the oversight part that the CLI and the web share: the systems register's import
and the demo's first data (a synthetic inventory and a register of systems with their costs)."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core import authz
from tsunagu.core.authz import Operation
from tsunagu.core.progress import ProgressReporter
from tsunagu.core.sessions import Principal
from tsunagu.oversight import costs, generator, inventory, layouts, legal_basis, links
from tsunagu.oversight.costs import ImportCount
from tsunagu.oversight.models import OversightInventorySurvey, OversightSystem

DEMO_ROWS = 6000  # per survey year: enough for every chart, quick on the demo's first start
DEMO_SURVEYS = ((layouts.R6, 2023), (layouts.R6, 2024), (layouts.R7, 2025))
SEED_ACTOR = "seed"
#: demo organizations of the systems register: (name, 国/地方, systems)
DEMO_ORGANIZATIONS = (
    ("デジタル庁", "国", 6),
    ("厚生労働省", "国", 9),
    ("国土交通省", "国", 7),
    ("総務省", "国", 5),
    ("法務省", "国", 4),
    ("東京都千代田区", "地方", 5),
    ("神奈川県横須賀市", "地方", 6),
)
SYSTEM_KINDS = (
    "申請受付システム",
    "審査事務システム",
    "統計処理システム",
    "業務基盤システム",
    "窓口支援システム",
    "情報提供システム",
    "文書管理システム",
    "会計システム",
    "人事給与システム",
)


def import_survey(
    db: Session,
    principal: Principal,
    name: str,
    data: bytes,
    survey_year: int | None,
    *,
    served: Sequence[links.Served] = (),
) -> inventory.ImportReport:
    """棚卸データの取り込み by staff with the oversight role (one survey year, all or nothing), with
    the links of this platform's procedures (``served``) to the year's entries."""
    authz.require(principal, Operation.MANAGE_OVERSIGHT)
    return inventory.import_inventory(
        db, name, data, survey_year=survey_year, actor=_actor(principal), served=served
    )


def register_systems(db: Session, principal: Principal, data: bytes) -> ImportCount:
    """情報システムと経費の登録 by staff with the oversight role."""
    authz.require(principal, Operation.MANAGE_OVERSIGHT)
    return costs.import_systems(db, data, actor=_actor(principal))


def cost_report(db: Session, principal: Principal) -> costs.CostReport:
    """The 30% target per organization, for staff with the oversight role."""
    authz.require(principal, Operation.OVERSEE)
    return costs.report(db)


def _actor(principal: Principal) -> str:
    return f"staff:{principal.subject_id}"


def demo_systems_csv(seed: int = 1) -> bytes:
    """A deterministic register: most national systems fall toward the target after moving to the
    Government Cloud, a few rise; municipalities from their FY2018 baseline."""
    handle = io.StringIO(newline="")
    writer = csv.writer(handle)
    writer.writerow(costs.COLUMNS)
    for org_index, (organization, kind, count) in enumerate(DEMO_ORGANIZATIONS):
        target = costs.TARGETS[costs.KINDS[kind]]
        for n in range(count):
            rng = random.Random(f"{seed}:{organization}:{n}")  # noqa: S311 — synthetic demo data
            migrated = rng.random() < 0.6
            migration_year = rng.choice((2022, 2023, 2024))
            base_operation = rng.randint(20, 900) * 1000
            base_modification = rng.randint(5, 300) * 1000
            trend = rng.uniform(-0.09, 0.03)
            functions = ";".join(rng.sample(costs.SHARED_FUNCTIONS, rng.randint(0, 3)))
            for year in range(target.baseline_year, 2026):
                factor = (1 + trend) ** (year - target.baseline_year)
                if migrated and year >= migration_year:
                    factor *= 0.82
                operation = round(base_operation * factor)
                modification = round(base_modification * factor * rng.uniform(0.7, 1.2))
                writer.writerow(
                    [
                        f"demo-{org_index:02d}-{n:02d}",
                        organization,
                        kind,
                        f"{organization}{SYSTEM_KINDS[n % len(SYSTEM_KINDS)]}",
                        "（デモ用の架空のシステム）",
                        "情報システム担当",
                        "移行済" if migrated and year >= migration_year else "未移行",
                        f"{migration_year}-04-01" if migrated else "",
                        functions,
                        year,
                        operation,
                        modification + rng.randint(0, 200) * 1000,
                        modification,
                    ]
                )
    return handle.getvalue().encode("utf-8")


def seed_demo(
    db: Session,
    progress: ProgressReporter,
    *,
    only_if_empty: bool,
    rows: int = DEMO_ROWS,
    served: Sequence[links.Served] = (),
) -> str:
    """The dashboard's data on the demo's first start, loaded through the same importers as real
    files: three survey years of a synthetic inventory (R6, R6, R7) whose first rows are the
    procedures this platform serves (generator.SERVED_ROWS, linked by their legal basis), and the
    systems register."""
    if only_if_empty and db.scalar(select(func.count()).select_from(OversightInventorySurvey)):
        return ""
    loaded: list[str] = []
    cited = [c for s in served for text in s.legal_basis for c in legal_basis.citations(text)]
    for layout, year in DEMO_SURVEYS:
        data = generator.csv_bytes(layout, year, rows, reserved=cited)
        report = inventory.import_inventory(
            db,
            f"demo-inventory-{year}-{layout.id}.csv",
            data,
            actor=SEED_ACTOR,
            survey_year=year,
            progress=progress,
        )
        loaded.append(f"{year} ({report.layout}) {report.rows:,}")
    if not (only_if_empty and db.scalar(select(func.count()).select_from(OversightSystem))):
        count = costs.import_systems(db, demo_systems_csv(), actor=SEED_ACTOR)
        loaded.append(f"{count.systems} systems")
    return "synthetic inventory " + ", ".join(loaded)
