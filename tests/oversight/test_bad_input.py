"""Every "bad input" of the inventory import (issue 16) through each door — the CLI, the API and the
staff console's form: a missing and a renamed column, a number with commas or full-width digits,
an unknown ministry, a duplicated 手続ID, a negative volume, a file named .xlsx that is not Excel.
Each is refused with its line and column (or what the file is), nothing is imported, never a 500
or a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tsunagu.cli.main import app
from tsunagu.core.database import Database
from tsunagu.core.settings import get_settings
from tsunagu.oversight import inventory, layouts

from .files import R7_ROWS, csv_bytes
from .test_web import HTML, _overseer


def _rows(change: Callable[[list[dict[str, Any]]], None]) -> bytes:
    rows = [dict(r) for r in R7_ROWS]
    change(rows)
    return csv_bytes(layouts.R7_COLUMNS, rows)


def _columns(columns: list[str]) -> bytes:
    return csv_bytes(columns, R7_ROWS)


#: (case, file name, bytes, what the refusal must say)
CASES: list[tuple[str, str, bytes, str]] = [
    (
        "missing column",
        "r7.csv",
        _columns([c for c in layouts.R7_COLUMNS if c != "手続名"]),
        "列「手続名」がありません（R7 様式の46列の一つ）",
    ),
    (
        "renamed column",
        "r7.csv",
        _columns([("総件数" if c == "総手続件数" else c) for c in layouts.R7_COLUMNS]),
        "列「総件数」は R7 様式にない列名です",
    ),
    (
        "number with commas",
        "r7.csv",
        _rows(lambda rows: rows[1].update({"総手続件数": "2,400,000"})),
        "総手続件数「2,400,000」に桁区切りのカンマがあります（2400000 と書いてください）",
    ),
    (
        "full-width number",
        "r7.csv",
        _rows(lambda rows: rows[0].update({"オンライン手続件数": "１５００００"})),
        "オンライン手続件数「１５００００」に全角数字があります（半角で書いてください）",
    ),
    (
        "unknown ministry",
        "r7.csv",
        _rows(lambda rows: rows[3].update({"所管府省庁": "未来省"})),
        "府省庁「未来省」は調査の府省庁の一覧にありません",
    ),
    (
        "duplicated 手続ID",
        "r7.csv",
        _rows(lambda rows: rows[2].update({"手続ID": "200001"})),
        "手続ID「200001」が3行目と重複しています",
    ),
    (
        "negative volume",
        "r7.csv",
        _rows(lambda rows: rows[3].update({"非オンライン手続件数": "-3"})),
        "非オンライン手続件数が負の数（-3）です",
    ),
    (
        "not Excel named .xlsx",
        "r7.xlsx",
        csv_bytes(layouts.R7_COLUMNS, R7_ROWS),
        "Excel ブック (.xlsx) ではありません",
    ),
]
LINES = {
    "number with commas": "4行目",
    "full-width number": "3行目",
    "unknown ministry": "6行目",
    "duplicated 手続ID": "5行目",
    "negative volume": "6行目",
}
IDS = [case[0] for case in CASES]


def _nothing_imported(database: Database) -> None:
    with database.session() as db:
        assert inventory.surveys(db) == []


@pytest.mark.parametrize(("case", "name", "data", "says"), CASES, ids=IDS)
def test_the_cli_refuses_with_line_and_column(
    case: str,
    name: str,
    data: bytes,
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database: Database,
) -> None:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", database.url)
    get_settings.cache_clear()
    try:
        path = tmp_path / name
        path.write_bytes(data)
        result = CliRunner().invoke(app, ["oversight", "import-inventory", str(path)], env={"COLUMNS": "300"})
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    output = " ".join(result.output.split())
    assert says in output and "Traceback" not in output
    if case in LINES:
        assert LINES[case] in output
    _nothing_imported(database)


@pytest.mark.parametrize(("case", "name", "data", "says"), CASES, ids=IDS)
def test_the_api_refuses_with_a_problem(
    case: str, name: str, data: bytes, says: str, client: TestClient, database: Database
) -> None:
    _overseer(client, database)
    answer = client.post("/api/v1/oversight/inventory/surveys", files={"file": (name, data)})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    said = [body["detail"]] + [e["message"] for e in body.get("errors", [])]
    assert any(says in s for s in said), said
    if case in LINES:
        line = int(LINES[case].removesuffix("行目"))
        assert line in [e.get("line") for e in body["errors"]]
    _nothing_imported(database)


@pytest.mark.parametrize(("case", "name", "data", "says"), CASES, ids=IDS)
def test_the_console_form_refuses_with_the_field_marked(
    case: str, name: str, data: bytes, says: str, client: TestClient, database: Database
) -> None:
    _overseer(client, database)
    answer = client.post(
        "/oversight/inventory", data={"survey_year": "2025"}, headers=HTML, files={"file": (name, data)}
    )
    assert answer.status_code == 422, answer.text
    page = answer.text
    assert 'role="alert"' in page and 'aria-invalid="true"' in page
    assert 'value="2025"' in page  # the year entered is kept
    assert says in page.replace("&#34;", '"')
    if case in LINES:
        assert LINES[case] in page
    _nothing_imported(database)
