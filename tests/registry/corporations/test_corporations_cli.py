"""``tsunagu registry import-corporations``: all-or-nothing by default, --skip-invalid on request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tsunagu.cli.main import app
from tsunagu.core.database import Database
from tsunagu.core.settings import get_settings
from tsunagu.registry.corporations import service

DATA = Path(__file__).parent / "data"
runner = CliRunner()


@pytest.fixture
def cli_database(database: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", database.url)
    get_settings.cache_clear()
    yield database
    get_settings.cache_clear()


def test_import_reports_counts(cli_database: Database) -> None:
    result = runner.invoke(app, ["registry", "import-corporations", str(DATA / "full_13_tokyo.csv")])
    assert result.exit_code == 0, result.output
    assert "4 rows imported (4 new corporations" in result.output
    with cli_database.session() as db:
        assert service.get_corporation(db, "1000011000005") is not None


def test_bad_rows_fail_with_each_line_and_write_nothing(cli_database: Database) -> None:
    result = runner.invoke(app, ["registry", "import-corporations", str(DATA / "bad_rows.csv")])
    assert result.exit_code == 1
    assert "line 2:" in result.output and "line 5: expected 30 columns" in result.output
    assert "nothing was imported" in result.output
    with cli_database.session() as db:
        assert service.search(db)[1] == 0


def test_skip_invalid_keeps_good_rows(cli_database: Database) -> None:
    result = runner.invoke(
        app, ["registry", "import-corporations", "--skip-invalid", str(DATA / "bad_rows.csv")]
    )
    assert result.exit_code == 0, result.output
    assert "skipped line 3" in result.output
    assert "4 skipped" in result.output
    with cli_database.session() as db:
        assert service.search(db)[1] == 2


def test_unknown_municipalities_are_listed_and_linking_runs_again(cli_database: Database) -> None:
    result = runner.invoke(app, ["registry", "import-corporations", str(DATA / "full_13_tokyo.csv")])
    assert result.exit_code == 0, result.output
    assert "line 4: municipality 271284" in result.output  # no address registry loaded here
    summary = " ".join(result.output.split())  # the console wraps long lines
    assert "0 linked to their municipality, 4 with a code the address registry lacks" in summary
    linked = runner.invoke(app, ["registry", "link-corporations"])
    assert linked.exit_code == 0, linked.output
    assert "0 corporations linked to their municipality" in linked.output
