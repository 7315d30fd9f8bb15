"""児童手当 no longer asks for an account: the 公金受取口座 comes through the mesh from the Digital
Agency's register (a prefill source of the definition, not code of this procedure)."""

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

PREFILL = "/api/v1/procedures/jido-teate-nintei/prefill"
ACCOUNT_FIELDS = {"bank_code", "branch_code", "account_type", "account_number"}


def _baby(database: Database, world: World) -> None:
    with database.session() as db:
        mother = residents.require_resident(db, world.resident_id)
        residents.register_birth(
            db,
            CHIYODA,
            residents.NewResident(
                name=PersonName("佐藤", "陽菜", "さとう", "ひな"),
                birth_date=date(2026, 11, 10),
                sex="2",
                individual_number=IndividualNumber("345678901226"),
                household_id=mother.household_id,
                relationship="子",
            ),
            actor="test",
        )


def _register_account(database: Database, world: World) -> None:
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


def test_the_registered_account_is_prefilled_from_the_digital_agency(
    resident_client: TestClient, database: Database, world: World
) -> None:
    _baby(database, world)
    _register_account(database, world)
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
    resident_client: TestClient, database: Database, world: World
) -> None:
    _baby(database, world)
    _register_account(database, world)
    with database.session() as db:
        accounts.delete(db, world.resident_id)
    form = resident_client.get(PREFILL).json()
    assert not ACCOUNT_FIELDS & set(form["values"])
