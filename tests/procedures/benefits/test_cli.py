"""``tsunagu benefits``: run → 全銀 file, run again → nobody twice, returns, missing list, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tsunagu.cli.main import app
from tsunagu.core.database import Database
from tsunagu.core.settings import get_settings
from tsunagu.identity.organizations import service as organizations
from tsunagu.identity.staff import service as staff
from tsunagu.procedures.benefits import zengin

from .conftest import CHIYODA, RUN_YAML

runner = CliRunner()


@pytest.fixture
def cli(
    database: Database, people: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Path]:
    """The CLI on the test database, an administrator and a reviewer of 千代田区, the run file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", database.url)
    get_settings.cache_clear()
    with database.session() as db:
        organizations.seed_demo_organizations(db)
        staff.create_staff(
            db,
            CHIYODA,
            "chiyoda.admin",
            display_name="千代田 管理",
            roles={"管理"},
            password="correct horse battery",
        )
        staff.create_staff(
            db,
            CHIYODA,
            "chiyoda.reviewer",
            display_name="千代田 審査",
            roles={"審査"},
            password="correct horse battery",
        )
    (tmp_path / "run.yaml").write_text(RUN_YAML, encoding="utf-8")
    yield tmp_path
    get_settings.cache_clear()


def _run(*extra: str, staff_login: str = "chiyoda.admin") -> tuple[int, str]:
    result = runner.invoke(
        app,
        [
            "benefits",
            "run",
            "run.yaml",
            "--reference-date",
            "2026-09-01",
            "--transfer-date",
            "2026-12-10",
            "--staff",
            staff_login,
            *extra,
        ],
    )
    return result.exit_code, result.output


def test_run_writes_the_file_and_a_second_run_pays_nobody_again(cli: Path) -> None:
    code, output = _run("--out", "zengin.txt")
    assert code == 0, output
    assert "振込 2件 60,000円" in output and "口座未登録 1人" in output
    trailer = next(r for r in zengin.read((cli / "zengin.txt").read_bytes()) if r["record_type"] == "8")
    assert (trailer["count"], trailer["total"]) == ("000002", "000000060000")
    code, output = _run("--out", "again.txt")
    assert code == 0 and "振込 0件 0円" in output and "支給済 2人" in output
    (cli / "returns.csv").write_text("record_number,reason\n2,holder-mismatch\n", encoding="utf-8")
    result = runner.invoke(
        app, ["benefits", "returns", "run.yaml", "returns.csv", "--staff", "chiyoda.admin"]
    )
    assert result.exit_code == 0 and "支給済 1件 30,000円, 返却 1件 30,000円" in result.output
    result = runner.invoke(
        app, ["benefits", "missing", "run.yaml", "--out", "missing.csv", "--staff", "chiyoda.admin"]
    )
    assert result.exit_code == 0
    rows = (cli / "missing.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 2 and "田中 次郎" in rows[1]


def test_a_reviewer_cannot_run_it_and_no_file_is_left(cli: Path) -> None:
    code, output = _run("--out", "zengin.txt", staff_login="chiyoda.reviewer")
    assert code == 1 and "管理" in output and "Traceback" not in output
    assert not list(cli.glob("zengin.txt*"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (RUN_YAML.replace("amount_yen: 30000", "amount_yen: 0"), "run.yaml:4: amount_yen"),
        (RUN_YAML.replace("attribute: age", "attribute: income"), "unknown applicant attribute"),
        ("id: [unclosed\n", "not valid YAML"),
    ],
)
def test_a_bad_run_file_is_one_line_and_exit_1(cli: Path, text: str, message: str) -> None:
    (cli / "run.yaml").write_text(text, encoding="utf-8")
    code, output = _run("--out", "zengin.txt")
    assert code == 1 and message in output.replace("\n", "") and "Traceback" not in output


def test_a_bad_return_list_names_its_lines(cli: Path) -> None:
    assert _run("--out", "zengin.txt")[0] == 0
    (cli / "returns.csv").write_text("record_number,reason\n1,lost\nx,closed\n", encoding="utf-8")
    result = runner.invoke(
        app, ["benefits", "returns", "run.yaml", "returns.csv", "--staff", "chiyoda.admin"]
    )
    assert result.exit_code == 1 and "line 2" in result.output and "line 3" in result.output
