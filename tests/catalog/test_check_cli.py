"""``tsunagu catalog check FILE`` and ``tsunagu catalog validate-dcat`` as an operator runs them:
the report on the terminal, exit code 1 on a violation or a file that cannot be read (with the
reason, never a traceback), 0 when the file or the catalog conforms."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.catalog.test_readability import municipal, workbook
from typer.testing import CliRunner

from tsunagu.cli import console
from tsunagu.cli.main import app

WIDE = {"COLUMNS": "240"}


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich reads COLUMNS when the CLI's console is made (at import, often by an earlier test),
    so a report's cells would wrap at 80 columns off a terminal; these tests read whole lines."""
    monkeypatch.setattr(console.out, "_width", 240)


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=WIDE)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_a_municipal_workbook_is_reported_and_the_command_fails(tmp_path: Path) -> None:
    path = tmp_path / "第1表.xlsx"
    path.write_bytes(workbook(municipal, notes=False))
    code, output = _run("catalog", "check", str(path))
    assert code == 1
    assert "53" in output  # level 1 score
    assert "L1-12" in output and "A3:A4 が結合されています" in output
    assert "セルの結合を解除" in output  # the fix
    assert "L2-06" in output and "E9" in output


def test_a_tidy_csv_passes(tmp_path: Path) -> None:
    path = tmp_path / "tidy.csv"
    path.write_text("団体コード,市区町村名,年度,人口（人）\n131016,千代田区,2024,68835\n", encoding="utf-8")
    code, output = _run("catalog", "check", str(path))
    assert code == 0, output
    assert "判定したルールにすべて適合しています" in output


def test_bad_files_end_with_a_message_not_a_traceback(tmp_path: Path) -> None:
    fake = tmp_path / "名簿.xlsx"
    fake.write_text("a,b\n1,2\n", encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:  # 200 MB, sparse: refused by its size before it is read
        handle.truncate(200 * 1024 * 1024)
    for path, words in (
        (fake, "Excel ブック (.xlsx) ではありません"),
        (empty, "空のファイル"),
        (huge, "上限の 100 MB を超えています"),
        (tmp_path / "missing.csv", "というファイルはありません"),
    ):
        code, output = _run("catalog", "check", str(path))
        assert code == 1, path
        assert words in output, output
        assert "Traceback" not in output


def test_validate_dcat_passes_the_catalog_and_fails_a_broken_copy(client: TestClient, tmp_path: Path) -> None:
    document = client.get("/api/v1/catalog/dcat.jsonld").json()
    good = tmp_path / "catalog.jsonld"
    good.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    code, output = _run("catalog", "validate-dcat", str(good))
    assert code == 0, output
    assert "適合しています" in output
    broken = copy.deepcopy(document)
    del broken["dct:title"]
    bad = tmp_path / "broken.jsonld"
    bad.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    code, output = _run("catalog", "validate-dcat", str(bad))
    assert code == 1
    assert "title" in output and "違反" in output
    code, output = _run("catalog", "validate-dcat", str(tmp_path / "nothing.ttl"))
    assert code == 1 and "DCAT として読めませんでした" in output
