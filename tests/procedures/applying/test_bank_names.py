"""Banks by name, never as a bare code: the 全銀協 code list (zengin-code) names the 公金受取口座 on
the おくやみ page, and a typed 金融機関コード or 支店コード that does not exist is refused at its field
on any procedure form that asks for an account."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import World, register_child
from tests.procedures.applying.test_bereavement import _couple, _death

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.registry.accounts import service as accounts
from tsunagu.registry.accounts import testbank

URL = "/api/v1/procedures/applications"


def test_the_bereavement_page_names_the_bank_and_branch_of_the_account(
    client: TestClient, database: Database, world: World
) -> None:
    husband, wife = _couple(database)
    with database.session() as db:
        testbank.open_account(
            db,
            bank_code="0001",
            branch_code="001",
            account_type="futsu",
            account_number="2345678",
            holder="ﾀｶﾊｼ ｶｽﾞｺ",
        )
    with database.session() as db:
        accounts.register(
            db, testbank.TestBank(database), wife, accounts.AccountIn("0001", "001", "futsu", "2345678")
        )
    _death(database, husband, wife)
    login_as(client, database, Principal(kind="resident", subject_id=wife))
    page = client.get(f"/bereavement/{husband}").text
    known = page.split("あなたの登録されている情報")[1]
    assert "みずほ（0001）" in known and "東京営業部（001）" in known  # 全銀協 0001 / 001 by name
    # labelled by what they name, not 金融機関コード / 支店コード above a name
    assert "<dt>金融機関</dt>" in known and "<dt>支店</dt>" in known and "コード</dt>" not in known


@pytest.mark.parametrize(
    ("bank", "branch", "field", "message"),
    [
        ("9998", "001", "bank_code", "この金融機関コードの金融機関は見つかりません。"),
        ("0005", "999", "branch_code", "この金融機関にこの支店コードの支店はありません。"),
    ],
)
def test_a_bank_or_branch_code_that_does_not_exist_is_refused_at_its_field(
    resident_client: TestClient,
    database: Database,
    world: World,
    bank: str,
    branch: str,
    field: str,
    message: str,
) -> None:
    register_child(
        database, world, "陽菜", "ひな", date(2026, 11, 10), "456789012346"
    )  # no account registered
    account = {"bank_code": bank, "branch_code": branch, "account_type": "futsu", "account_number": "1234567"}
    refused = resident_client.post(
        URL,
        json={"procedure_id": "jido-teate-nintei", "data": {"lives_with_child": True, **account}},
        headers={"Idempotency-Key": f"bank-check-{field}"},
    )
    assert refused.status_code == 422, refused.text
    (problem,) = [e for e in refused.json()["errors"] if e["location"][-1] == field]
    assert problem["message_id"] == message and problem["message"].startswith(("No bank", "This bank"))
    good = {**account, "bank_code": "0005", "branch_code": "001"}
    accepted = resident_client.post(
        URL,
        json={"procedure_id": "jido-teate-nintei", "data": {"lives_with_child": True, **good}},
        headers={"Idempotency-Key": f"bank-good-{field}"},
    )
    assert accepted.status_code == 201, accepted.text
