"""子育て: the 児童手当's child comes from the register (the ``residents.household`` source through the
mesh), not from the parent's typing; the application names the newborn, the parent only confirms."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from tests.procedures.applying.conftest import CHIYODA, World, register_child

from tsunagu.core.database import Database

URL = "/api/v1/procedures/applications"
PREFILL = "/api/v1/procedures/jido-teate-nintei/prefill"


def test_the_newborn_is_taken_from_the_register(
    resident_client: TestClient, database: Database, world: World, public_money_account: object
) -> None:
    register_child(database, world, "結衣", "ゆい", date(2023, 5, 1), "345678901226")
    register_child(database, world, "陽菜", "ひな", date(2026, 11, 10), "456789012346")
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
    register_child(database, world, "陽菜", "ひな", date(2026, 11, 10), "456789012346")
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
