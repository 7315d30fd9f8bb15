"""児童手当 no longer asks for an account: the 公金受取口座 comes through the mesh from the Digital
Agency's register (a prefill source of the definition, not code of this procedure)."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from tests.procedures.applying.conftest import CHIYODA, World, register_child

from tsunagu.core.database import Database
from tsunagu.registry.accounts import service as accounts

PREFILL = "/api/v1/procedures/jido-teate-nintei/prefill"
ACCOUNT_FIELDS = {"bank_code", "branch_code", "account_type", "account_number"}


def _baby(database: Database, world: World) -> None:
    register_child(database, world, "陽菜", "ひな", date(2026, 11, 10), "345678901226")


def test_the_registered_account_is_prefilled_from_the_digital_agency(
    resident_client: TestClient, database: Database, world: World, public_money_account: object
) -> None:
    _baby(database, world)
    form = resident_client.get(PREFILL).json()
    assert {name: form["values"][name] for name in ACCOUNT_FIELDS} == {
        "bank_code": "0005",
        "branch_code": "001",
        "account_type": "futsu",
        "account_number": "0007654",
    }
    source = form["sources"]["account_number"]
    assert source["provider"] == "digital-agency" and source["legal_basis_id"] == f"koukin-uketori-{CHIYODA}"
    assert not ACCOUNT_FIELDS & set(form["unavailable"])


def test_without_an_account_the_form_asks_for_one(
    resident_client: TestClient, database: Database, world: World
) -> None:
    _baby(database, world)
    form = resident_client.get(PREFILL).json()
    assert not ACCOUNT_FIELDS & set(form["values"])
    assert set(form["unavailable"]) >= ACCOUNT_FIELDS


def test_a_deleted_account_is_asked_for_again(
    resident_client: TestClient, database: Database, world: World, public_money_account: object
) -> None:
    _baby(database, world)
    with database.session() as db:
        accounts.delete(db, world.resident_id)
    form = resident_client.get(PREFILL).json()
    assert not ACCOUNT_FIELDS & set(form["values"])
