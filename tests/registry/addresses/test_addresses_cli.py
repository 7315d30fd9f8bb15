import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tsunagu.cli.main import app
from tsunagu.core.database import Database
from tsunagu.core.settings import get_settings
from tsunagu.registry.addresses.service import ATTRIBUTION


@pytest.fixture
def env(loaded: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", loaded.url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_one_address(env: None) -> None:
    result = CliRunner().invoke(app, ["registry", "normalize-address", "横須賀市小川町11番地"])
    assert result.exit_code == 0, result.output
    assert "municipality_code: 142018" in result.output and "town: 小川町" in result.output
    assert "Geolonia" in result.output


def test_batch_csv_and_json(env: None, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("千代田区霞が関2-1-1\n\nでたらめ\n横須賀市小川町11\n", encoding="utf-8")
    out_csv = tmp_path / "out.csv"
    result = CliRunner().invoke(
        app, ["registry", "normalize-address", "--file", str(source), "--output", str(out_csv)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    assert [r["level"] for r in rows] == ["block", "unmatched", "block"]
    assert rows[0]["municipality_code"] == "131016" and rows[0]["attribution"] == ATTRIBUTION
    result = CliRunner().invoke(
        app, ["registry", "normalize-address", "--file", str(source), "--format", "json"]
    )
    assert result.exit_code == 0
    body = json.loads(result.stdout[result.stdout.index("{") :])
    assert body["attribution"] == ATTRIBUTION and body["items"][2]["town"] == "小川町"


def test_bad_usage(env: None) -> None:
    neither = CliRunner().invoke(app, ["registry", "normalize-address"])
    assert neither.exit_code == 1 and "either an address or --file" in neither.output
    bad_format = CliRunner().invoke(app, ["registry", "normalize-address", "x", "--format", "xml"])
    assert bad_format.exit_code == 1


def test_explains_and_lists_candidates(env: None) -> None:
    result = CliRunner().invoke(app, ["registry", "normalize-address", "中央区"])
    assert result.exit_code == 0, result.output
    assert "candidates:" in result.output and "131024" in result.output


def test_fresh_database_normalizes_with_the_shipped_data(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", f"sqlite:///{tmp_path}/never-migrated.db")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["registry", "normalize-address", "伏見区鷹匠町39-2"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "tsunagu seed" in result.output and "municipality: 京都市伏見区" in result.output
    assert "Traceback" not in result.output
