"""給付金の支給 on the staff page: the rule in words, 対象者の確認, 口座確認 with the bank (an account
closed since its registration stays out of every file), 振込データ and its download, 返却の消込 —
the same use cases as the CLI; nobody paid twice however often the button is pressed."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import login_as
from tests.registry.accounts.conftest import HONTEN, MUFG
from tests.registry.residents.conftest import CHIYODA

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import Forbidden
from tsunagu.core.sessions import Principal
from tsunagu.notify import service as notify
from tsunagu.procedures.benefits import batches, definition, zengin
from tsunagu.procedures.benefits.models import BenefitsExecution
from tsunagu.registry.accounts import service as accounts
from tsunagu.registry.accounts import testbank

from .conftest import ADMIN, RUN_YAML

RUN = "/staff/benefits/chiyoda-test-2026"
DATES = {"reference_date": "2026-09-01", "transfer_date": "令和8年12月10日"}


@pytest.fixture
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "chiyoda.yaml").write_text(RUN_YAML, encoding="utf-8")
    monkeypatch.setattr(definition, "RUNS_DIR", tmp_path / "runs")


@pytest.fixture
def clerk(app: FastAPI, database: Database, people: dict[str, str], runs: None) -> Iterator[TestClient]:
    with TestClient(app) as client:
        login_as(client, database, ADMIN)
        yield client


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _paid_in_files(database: Database) -> int:
    with database.session() as db:
        return sum(db.scalars(select(BenefitsExecution.transfers)))


def test_the_run_from_rule_to_file_to_returns_pays_nobody_twice(
    clerk: TestClient, database: Database, people: dict[str, str], fixed_clock: clock.FixedClock
) -> None:
    listing = _text(clerk.get("/staff/benefits").text)
    assert "テスト給付金" in listing and "30,000円" in listing
    page = _text(clerk.get(RUN).text)
    assert "基準日の年齢が次以上: 18" in page and "住民登録の状態が次である: 住民" in page

    # 対象者の確認: 花子, 一郎 with accounts, 次郎 without; 三郎 moved in later, the child is 9
    checked = _text(clerk.get(RUN, params={"reference_date": "令和8年9月1日"}).text)
    assert "対象 3人: 今回お振込みできる方 2人、口座未登録 1人" in checked

    # 一郎's account was closed at the bank since he registered it
    with database.session() as db:
        testbank.close_account(
            db, bank_code=MUFG, branch_code=HONTEN, account_type="futsu", account_number="0007654"
        )
    confirmed = _text(clerk.post(f"{RUN}/accounts", data={"reference_date": "2026-09-01"}).text)
    assert "2件を確認しました: 確認できた口座 1件、確認できなかった口座 1件" in confirmed

    first = clerk.post(f"{RUN}/execute", data=DATES)
    assert first.status_code == 200
    assert "振込 1件 30,000円" in _text(first.text) and "口座確認できず 1人" in _text(first.text)
    download = clerk.get(f"{RUN}/batches/1.txt")
    assert download.status_code == 200
    records = list(zengin.read(download.content))
    assert [r["record_type"] for r in records] == ["1", "2", "8", "9"]
    assert records[1]["account_number"] == "1234567"  # 花子's; 一郎's closed account is not in it
    with database.session() as db:
        recorded = db.scalars(select(BenefitsExecution.file_sha256)).one()
    assert hashlib.sha256(download.content).hexdigest() == recorded
    with database.session() as db:
        (paid,) = [m for m in notify.inbox(db, people["hanako"])[0] if "お振込みします" in m.title]
        (asked,) = [m for m in notify.inbox(db, people["ichiro"])[0] if "ご確認ください" in m.title]
    assert "令和8年12月10日" in paid.body and asked.link == "/accounts"

    # the button pressed again: a second batch with nobody in it
    again = _text(clerk.post(f"{RUN}/execute", data=DATES).text)
    assert "第2回の振込データを作成しました" in again and "振込 0件 0円" in again
    assert _paid_in_files(database) == 1

    # 一郎 registers an account the bank confirms (the next day): the next batch pays him, and only him
    fixed_clock.advance(timedelta(days=1))
    login_as(clerk, database, ADMIN)  # a new day, a new session
    with database.session() as db:
        testbank.open_account(
            db,
            bank_code=MUFG,
            branch_code=HONTEN,
            account_type="futsu",
            account_number="0007655",
            holder="ｽｽﾞｷ ｲﾁﾛｳ",
        )
    with database.session() as db:
        accounts.register(
            db,
            testbank.TestBank(database),
            people["ichiro"],
            accounts.AccountIn(MUFG, HONTEN, "futsu", "0007655"),
        )
    third = _text(clerk.post(f"{RUN}/execute", data=DATES).text)
    assert "第3回" in third and "振込 1件 30,000円" in third
    assert _paid_in_files(database) == 2

    # 返却の消込: the bank returned 花子's transfer (record 1); the same list twice marks it once
    returns = {"returns": ("returns.csv", b"record_number,reason\r\n1,closed\r\n", "text/csv")}
    assert "返却 1件を記録し" in _text(clerk.post(f"{RUN}/returns", files=returns).text)
    assert "返却 0件を記録し" in _text(clerk.post(f"{RUN}/returns", files=returns).text)
    totals = _text(clerk.get(RUN).text)
    assert "振込済（返却を除く） 1件 30,000円" in totals and "返却 1件 30,000円" in totals


def test_bad_input_is_named_at_its_field(clerk: TestClient, database: Database) -> None:
    wrong = clerk.post(f"{RUN}/execute", data={"reference_date": "9月1日", "transfer_date": "2026-11-01"})
    assert wrong.status_code == 422
    text = _text(wrong.text)
    assert "日付は 令和8年4月1日 または 2026-04-01 の形で" in text and "明日以降の日付" in text
    assert 'value="9月1日"' in wrong.text  # kept
    bad_list = {"returns": ("r.csv", b"record_number,reason\n1,lost\nx,closed\n", "text/csv")}
    refused = clerk.post(f"{RUN}/returns", files=bad_list)
    assert refused.status_code == 422
    problems = _text(refused.text)
    assert "2行目: 事由は下の一覧のいずれか" in problems and "3行目: 「振込の番号,事由」の形" in problems
    clerk.post(f"{RUN}/execute", data=DATES)
    moved = clerk.post(f"{RUN}/execute", data={**DATES, "reference_date": "2026-10-01"})
    assert moved.status_code == 409 and "基準日から変えられません" in moved.text
    assert 'value="2026-09-01"' in moved.text
    assert _paid_in_files(database) == 2  # only the first execution (花子 and 一郎)
    assert clerk.get(f"{RUN}/batches/9.txt").status_code == 404


def test_only_the_paying_organizations_administrators(
    app: FastAPI, database: Database, people: dict[str, str], runs: None
) -> None:
    with TestClient(app) as client:
        login_as(
            client,
            database,
            Principal(kind="staff", subject_id="s2", organization_code=CHIYODA, roles=frozenset({"審査"})),
        )
        assert client.get(RUN).status_code == 403
        login_as(
            client,
            database,
            Principal(kind="staff", subject_id="s3", organization_code="142018", roles=frozenset({"管理"})),
        )
        assert client.get(RUN).status_code == 404
        assert client.post(f"{RUN}/execute", data=DATES).status_code == 404
    assert _paid_in_files(database) == 0


def test_the_run_list_and_a_run_are_read_by_use_cases_that_ask_for_administrators(
    database: Database, runs: None
) -> None:
    """The pages only say who is calling: ``batches.runs`` and ``batches.run_of`` check core.authz."""
    for caller in (
        Principal("staff", "s2", organization_code=CHIYODA, roles=frozenset({"審査", "住基"})),
        Principal("resident", "r", roles=frozenset({"管理"})),
    ):
        with database.session() as db, pytest.raises(Forbidden):
            batches.runs(db, caller)
        with pytest.raises(Forbidden):
            batches.run_of(caller, "chiyoda-test-2026")
    with database.session() as db:
        assert [run.id for run, _ in batches.runs(db, ADMIN)] == ["chiyoda-test-2026"]
    assert batches.run_of(ADMIN, "chiyoda-test-2026").id == "chiyoda-test-2026"
    elsewhere = Principal("staff", "s3", organization_code="142018", roles=frozenset({"管理"}))
    with pytest.raises(batches.BenefitRunNotFound):  # another organization pays no such run
        batches.run_of(elsewhere, "chiyoda-test-2026")
