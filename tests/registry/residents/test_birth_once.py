"""A birth is registered once: a second 出生届 of the same child (a new form, another key) is
refused at the counter next to the name, with the values kept, and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.core.database import Database
from tsunagu.registry.residents import errors, service

from .conftest import CHIYODA, person
from .test_pages import HTML, PAGES, staff
from .test_registration_pages import NEWBORN, step


def _baby(household_id: str, number: str, given: str = "陽太") -> service.NewResident:
    return person(
        number,
        name=("佐藤", given, "さとう", "ようた"),
        born=date(2026, 11, 1),
        sex="1",
        household_id=household_id,
        relationship="子",
    )


def test_the_same_child_twice_is_refused_and_twins_are_not(
    towns: Database, resident: service.ResidentRecord
) -> None:
    with towns.session() as db:
        service.register_birth(db, CHIYODA, _baby(resident.household_id, "987654321093"), actor="clerk")
    with towns.session() as db, pytest.raises(errors.BirthAlreadyRegistered) as refused:
        service.register_birth(db, CHIYODA, _baby(resident.household_id, "876543210989"), actor="clerk")
    assert refused.value.status == 409 and refused.value.errors[0]["location"] == ["given_name"]
    with towns.session() as db:  # a twin born the same day has another name
        twin = _baby(resident.household_id, "876543210989", "陽菜")
        service.register_birth(db, CHIYODA, twin, actor="clerk")
        assert len(service.household_members(db, resident.household_id)) == 3


def test_a_second_form_for_the_same_birth_is_refused_at_the_counter(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    path = f"{PAGES}/new/birth?member={resident.id}"
    first = client.get(path, headers=HTML)
    confirm = step(client, path, first.text, NEWBORN)
    assert step(client, path, confirm.text, NEWBORN, action="register").status_code == 303
    second = client.get(path, headers=HTML)  # a new form: a new key
    refused = step(client, path, second.text, NEWBORN, action="register")
    assert refused.status_code == 422
    assert "同じ氏名・生年月日の子の出生がすでに登録されています" in refused.text
    assert 'value="ようた"' in refused.text
    with database.session() as db:
        assert len(service.household_members(db, resident.household_id)) == 2
