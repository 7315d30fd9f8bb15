"""``tsunagu conformance``: a vendor runs one command and gets HTML, JSON and JUnit reports."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from typer.testing import CliRunner

from tsunagu.cli.main import app

from .conftest import FIXTURES

runner = CliRunner()


def test_check_writes_the_three_reports_and_exits_1_on_must_violations(tmp_path: Path) -> None:
    inputs = [str(p) for p in sorted((FIXTURES / "nonconforming").glob("*.csv"))]
    html, data, junit = tmp_path / "r.html", tmp_path / "r.json", tmp_path / "r.xml"
    result = runner.invoke(
        app,
        ["conformance", "check", *inputs, "--html", str(html), "--json", str(data), "--junit", str(junit)],
    )
    assert result.exit_code == 1, result.output
    assert "不適合 failed: 18 MUST, 3 SHOULD" in result.output
    report = json.loads(data.read_text(encoding="utf-8"))
    assert report["passed"] is False and report["must"] == 18
    assert {t["rule"]: t["count"] for t in report["totals"]}["foreign-key"] == 3
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "11" and suite.get("tests") == "13"
    page = html.read_text(encoding="utf-8")
    assert page.index("不適合") < page.index("規則ごとの指摘") < page.index("指摘の一覧")  # summary first
    assert (
        "<svg" in page and "＊＊＊＊-＊＊-＊＊" in page and "1985-02-30" not in page
    )  # personal value masked


def test_validate_names_the_file_and_line_of_a_broken_set(tmp_path: Path) -> None:
    (tmp_path / "requirement-set.yaml").write_text(
        "id: x\nversion: '1'\ntitle: {ja: x, en: x}\ntables:\n"
        "  - name: t\n    title: {ja: t, en: t}\n    schema: t.yaml\n"
    )
    (tmp_path / "t.yaml").write_text("fields:\n  - name: a\n    type: text\n")
    result = runner.invoke(app, ["conformance", "validate", str(tmp_path)])
    assert result.exit_code == 1 and "t.yaml:3: unknown type 'text'" in result.output.replace("\n", "")
