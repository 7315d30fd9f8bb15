"""The `tsunagu` command: help, version, database commands and configuration errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tsunagu import __version__
from tsunagu.cli.main import app
from tsunagu.core.database import Database
from tsunagu.core.settings import get_settings

runner = CliRunner()


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Each CLI test reads its own environment in an empty working directory."""
    monkeypatch.chdir(tmp_path)
    for name in ("TSUNAGU_DATABASE_URL", "TSUNAGU_ENVIRONMENT", "TSUNAGU_PORT"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_help_explains_each_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "demo", "db", "seed", "version"):
        assert command in result.output


def test_version() -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_unknown_option_is_a_usage_error_without_traceback() -> None:
    result = runner.invoke(app, ["version", "--frobnicate"])
    assert result.exit_code == 2
    assert "No such option" in result.output
    assert "Traceback" not in result.output


def test_db_upgrade_then_check_on_default_sqlite(isolated_settings: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert (isolated_settings / "var" / "tsunagu.db").exists()
    result = runner.invoke(app, ["db", "check"])
    assert result.exit_code == 0, result.output
    assert "agree" in result.output


def test_db_check_fails_on_an_older_migration(monkeypatch: pytest.MonkeyPatch, database: Database) -> None:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", database.url)
    with database.engine.begin() as connection:
        versions = [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]
        connection.execute(text("DELETE FROM alembic_version"))
    try:
        result = runner.invoke(app, ["db", "check"])
        assert result.exit_code == 1
        assert "tsunagu db upgrade" in result.output
    finally:
        with database.engine.begin() as connection:
            for version in versions:
                connection.execute(text("INSERT INTO alembic_version VALUES (:v)"), {"v": version})


def test_broken_env_file_names_the_variable(isolated_settings: Path) -> None:
    (isolated_settings / ".env").write_text("TSUNAGU_PORT=not-a-port\n", encoding="utf-8")
    result = runner.invoke(app, ["db", "check"])
    assert result.exit_code == 1
    assert "TSUNAGU_PORT" in result.output
    assert "Traceback" not in result.output


def test_unknown_setting_in_env_file_is_refused(isolated_settings: Path) -> None:
    (isolated_settings / ".env").write_text("TSUNAGU_DATABSE_URL=sqlite:///x.db\n", encoding="utf-8")
    result = runner.invoke(app, ["db", "check"])
    assert result.exit_code == 1
    assert "TSUNAGU_DATABSE_URL" in result.output


def test_unsupported_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", "mysql://localhost/x")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "TSUNAGU_DATABASE_URL" in result.output


def test_unreachable_database_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", "postgresql+psycopg://nobody:pw@127.0.0.1:1/none")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "TSUNAGU_DATABASE_URL" in result.output
    assert "pw" not in result.output.replace("psycopg", "")


def test_serve_refuses_a_database_behind_its_migrations(isolated_settings: Path) -> None:
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "tsunagu db upgrade" in result.output


def test_db_check_fails_when_models_and_database_disagree(
    monkeypatch: pytest.MonkeyPatch, database: Database
) -> None:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", database.url)
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE core_unmodelled (id INTEGER PRIMARY KEY)"))
    try:
        result = runner.invoke(app, ["db", "check"])
        assert result.exit_code == 1
        assert "disagree" in result.output
        assert "core_unmodelled" in result.output
    finally:
        with database.engine.begin() as connection:
            connection.execute(text("DROP TABLE core_unmodelled"))
