"""``tsunagu oversight``: import a file in the published layout (what was normalized is said), a bad
file ends with each problem by line and exit code 1; the generator writes the exact layout."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tsunagu.cli.main import app
from tsunagu.core.database import Database
from tsunagu.core.settings import get_settings
from tsunagu.oversight import inventory, layouts
from tsunagu.oversight.service import demo_systems_csv

from .files import R7_ROWS, csv_bytes

runner = CliRunner()


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database: Database) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", database.url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_import_inventory_reports_and_refuses(tmp_path: Path, database: Database) -> None:
    good = tmp_path / "r7.csv"
    good.write_bytes(csv_bytes(layouts.R7_COLUMNS, R7_ROWS))
    result = runner.invoke(app, ["oversight", "import-inventory", str(good)])
    assert result.exit_code == 0, result.output
    assert "2025年度調査 (R7 様式): 4 件を取り込みました" in result.output
    assert "府省庁名を一覧の名称にそろえました" in result.output
    rows = [dict(r) for r in R7_ROWS]
    rows[3]["非オンライン手続件数"] = "-3"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(layouts.R7_COLUMNS, rows))
    refused = runner.invoke(app, ["oversight", "import-inventory", str(bad), "--year", "2024"])
    assert refused.exit_code == 1
    assert "6行目 非オンライン手続件数: 非オンライン手続件数が負の数（-3）です" in refused.output
    assert "Traceback" not in refused.output


def test_generate_inventory_writes_the_layout(tmp_path: Path, database: Database) -> None:
    out = tmp_path / "inventory.xlsx"
    result = runner.invoke(
        app, ["oversight", "generate-inventory", str(out), "--layout", "R6", "--rows", "300"]
    )
    assert result.exit_code == 0, result.output
    with database.session() as db:
        report = inventory.import_inventory(db, out.name, out.read_bytes(), actor="test")
    assert (report.layout, report.survey_year, report.rows) == ("R6", 2024, 300)
    wrong = runner.invoke(app, ["oversight", "generate-inventory", str(tmp_path / "x.txt")])
    assert wrong.exit_code == 1 and ".xlsx or .csv" in wrong.output


def test_import_systems_registers_the_demo_register(tmp_path: Path) -> None:
    register = tmp_path / "systems.csv"
    register.write_bytes(demo_systems_csv())
    result = runner.invoke(app, ["oversight", "import-systems", str(register)])
    assert result.exit_code == 0, result.output
    assert "42 systems" in result.output
