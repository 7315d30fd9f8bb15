"""Systems and costs: the CSV register (all or nothing, problems by line and column) and the 30%
target — baseline FY2020 for national systems and FY2018 for local ones, projection, risers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.oversight import costs
from tsunagu.oversight.models import OversightAudit

HEADER = ",".join(costs.COLUMNS)


def _row(
    system: str, org: str, kind: str, year: int, operation: int, modification: int, cloud: str = "未移行"
) -> str:
    return (
        f"{system},{org},{kind},{org}の申請システム,,,{cloud},,認証;決済,{year},"
        f"{operation},{modification + 10},{modification}"
    )


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


def test_the_target_projection_and_the_systems_that_rose(database: Database) -> None:
    rows = [_row("a", "厚生労働省", "国", y, 1000 - 100 * (y - 2020), 100) for y in range(2020, 2025)]
    rows += [_row("b", "厚生労働省", "国", y, 500 + 50 * (y - 2020), 0, "移行済") for y in range(2020, 2025)]
    rows += [_row("c", "横須賀市", "地方", y, 800 - 60 * (y - 2018), 0) for y in range(2018, 2025)]
    with database.session() as db:
        count = costs.import_systems(db, _csv(*rows), actor="test")
        assert (count.systems, count.cost_rows) == (3, 17)
        found = costs.report(db)
    national = found.overall["national"]
    assert national.target.baseline_year == 2020 and national.target.target_year == 2025
    assert national.baseline == 1600 and national.by_year[2024] == 700 + 700  # a: 600+100, b: 700
    assert national.reduction == pytest.approx(1 - 1400 / 1600)
    assert national.goal == 1120
    # a falls 100 a year, b rises 50 a year: 50 a year less overall, 1,350 in 2025
    assert national.projection == 1350 and national.on_track is False
    local = found.overall["local"]
    assert (local.baseline, local.target.target_year, local.projection) == (800, 2026, 320)
    assert local.on_track is True
    assert [(r.system_id, r.baseline, r.latest) for r in found.risers] == [("b", 500, 700)]
    assert [(p.name, p.cloud_systems) for p in found.organizations] == [("厚生労働省", 1), ("横須賀市", 0)]


def test_a_bad_register_imports_nothing_and_names_each_problem(database: Database) -> None:
    good = _row("a", "総務省", "国", 2020, 100, 10)
    rows = [
        good,
        _row("b", "総務省", "県", 2020, 100, 10),
        'c,総務省,国,x,,,未移行,,,2020,"1,000",10,5',
        _row("a", "総務省", "国", 2020, 100, 10),
        "d,総務省,国,x,,,未移行,,,2020,100,10,50",
    ]
    with database.session() as db, pytest.raises(ValidationFailed) as refused:
        costs.import_systems(db, _csv(*rows), actor="test")
    problems = [(e["line"], e["column"]) for e in refused.value.errors]
    assert problems == [(3, "区分"), (4, "運用等経費(千円)"), (5, "年度"), (6, "うち改修経費(千円)")]
    assert "カンマなし" in refused.value.errors[1]["message"]
    with database.session() as db:
        assert costs.report(db).systems == 0
        assert db.scalar(select(func.count()).select_from(OversightAudit)) == 0
    with database.session() as db, pytest.raises(ValidationFailed, match="列「年度」がありません"):
        costs.import_systems(db, HEADER.replace(",年度", "").encode(), actor="test")
