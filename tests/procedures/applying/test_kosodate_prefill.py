"""子育て: the 児童手当's child comes from the register (the ``residents.household`` source through the
mesh), not from the parent's typing; the application names the newborn, the parent only confirms."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from tests.procedures.applying.conftest import CHIYODA, World

from tsunagu.core.database import Database
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.registry.accounts import service as accounts
from tsunagu.registry.accounts import testbank
from tsunagu.registry.residents import service as residents

URL = "/api/v1/procedures/applications"
PREFILL = "/api/v1/procedures/jido-teate-nintei/prefill"


def _child(database: Database, world: World, given: str, kana: str, born: date, number: str) -> None:
    with database.session() as db:
        mother = residents.require_resident(db, world.resident_id)
        residents.register_birth(
            db,
            CHIYODA,
            residents.NewResident(
                name=PersonName("佐藤", given, "さとう", kana),
                birth_date=born,
                sex="2",
                individual_number=IndividualNumber(number),
                household_id=mother.household_id,
                relationship="子",
            ),
            actor="counter",
        )


def _account(database: Database, world: World) -> None:
    with database.session() as db:
        testbank.open_account(
            db,
            bank_code="0005",
            branch_code="001",
            account_type="futsu",
            account_number="0007654",
            holder="ｻﾄｳ ﾊﾅｺ",
        )
    with database.session() as db:
        accounts.register(
            db,
            testbank.TestBank(database),
            world.resident_id,
            accounts.AccountIn("0005", "001", "futsu", "0007654"),
        )


def test_the_newborn_is_taken_from_the_register(
    resident_client: TestClient, database: Database, world: World
) -> None:
    _child(database, world, "結衣", "ゆい", date(2023, 5, 1), "345678901226")
    _child(database, world, "陽菜", "ひな", date(2026, 11, 10), "456789012346")
    _account(database, world)
    form = resident_client.get(PREFILL).json()
    assert form["values"]["child_name"] == {
        "family": "佐藤",
        "given": "陽菜",
        "family_kana": "サトウ",
        "given_kana": "ヒナ",
    }  # the youngest: the baby just registered
    assert form["values"]["child_birth_date"] == "2026-11-10"
    assert form["sources"]["child_name"]["legal_basis_id"] == f"jido-teate-setai-{CHIYODA}"
    assert "child_name" not in form["unavailable"] and form["values"]["account_number"] == "0007654"
    page = resident_client.get("/procedures/jido-teate-nintei/apply").text
    asked = page.split("入力していただくこと")[1]
    assert "陽菜" in page and "令和8年11月10日" in page  # shown, in 和暦
    assert 'name="child_name.given"' not in asked and 'name="child_birth_date"' not in asked
    body = {
        "procedure_id": "jido-teate-nintei",
        "data": {"lives_with_child": True},
        "prefill_seal": form["prefill_seal"],
    }
    filed = resident_client.post(URL, json=body, headers={"Idempotency-Key": "kosodate-0001"})
    assert filed.status_code == 201, filed.text
    data = filed.json()["data"]
    assert data["child_name"]["given"] == "陽菜" and data["child_birth_date"] == "2026-11-10"
    assert data["account_number"] == "0007654"  # paid to the registered 公金受取口座


def test_a_typed_child_cannot_replace_the_registered_one(
    resident_client: TestClient, database: Database, world: World
) -> None:
    _child(database, world, "陽菜", "ひな", date(2026, 11, 10), "456789012346")
    form = resident_client.get(PREFILL).json()
    other = {"family": "佐藤", "given": "別人", "family_kana": "さとう", "given_kana": "べつじん"}
    body = {
        "procedure_id": "jido-teate-nintei",
        "data": {
            "lives_with_child": True,
            "child_name": other,
            "bank_code": "0005",
            "branch_code": "001",
            "account_type": "futsu",
            "account_number": "1234567",
        },
        "prefill_seal": form["prefill_seal"],
    }
    refused = resident_client.post(URL, json=body, headers={"Idempotency-Key": "kosodate-0002"})
    assert refused.status_code == 403 and refused.json()["code"] == "application-tampered"


def test_without_a_child_in_the_household_the_parent_is_not_eligible(resident_client: TestClient) -> None:
    assert resident_client.get(PREFILL).status_code == 403
