"""プッシュ型: a birth registered at the counter reaches the parent as an お知らせ once, leading to
the 子育て procedures prefilled (児童手当 and 子ども医療費助成 paid to the 公金受取口座); a death
reaches the family; rules are data, checked at their line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.procedures.applying.conftest import CHIYODA, World

from tsunagu.core.database import Database
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.notify import service as notify
from tsunagu.procedures.push import service as push
from tsunagu.registry.accounts import service as accounts
from tsunagu.registry.accounts import testbank
from tsunagu.registry.residents import service as residents

RULES = push.load_rules()


def _birth(database: Database, world: World) -> str:
    with database.session() as db:
        mother = residents.require_resident(db, world.resident_id)
        return residents.register_birth(
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
            actor="counter",
        ).id


def _messages(database: Database, resident_id: str) -> list[notify.Message]:
    with database.session() as db:
        return notify.inbox(db, resident_id)[0]


def test_a_birth_reaches_the_parent_once_with_the_deadline(database: Database, world: World) -> None:
    _birth(database, world)
    report = push.run_pass(database, RULES)
    assert report.notified == 1
    (message,) = _messages(database, world.resident_id)
    assert message.kind == "info" and message.link == "/lifeevents/birth" and message.sender == CHIYODA
    assert "令和8年11月10日" in message.body and "令和8年11月25日までに請求" in message.body  # 15 days
    assert push.run_pass(database, RULES).notified == 0  # read once
    with database.session() as db:  # even a reader that starts over sends nothing twice
        db.get(push.PushCursor, 1).last_sequence = 0  # type: ignore[union-attr]
    assert push.run_pass(database, RULES).notified == 0
    assert _messages(database, world.other_resident_id) == []  # another household hears nothing


def test_the_bundle_lists_the_child_procedures_prefilled_with_the_account(
    resident_client: TestClient, database: Database, world: World
) -> None:
    _birth(database, world)
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
    page = resident_client.get("/lifeevents/birth").text
    assert "児童手当 認定請求" in page and "子ども医療費助成" in page
    assert 'href="/procedures/jido-teate-nintei/apply"' in page
    assert 'href="/procedures/kodomo-iryohi-josei/apply"' in page
    form = resident_client.get("/procedures/kodomo-iryohi-josei/apply").text
    assert "0007654" in form and "三菱" not in form.split("入力していただくこと")[1]  # not asked again
    assert "佐藤 陽菜" in form  # the newborn is one tap: a choice of the household


def test_a_death_reaches_the_other_adults_of_the_household(database: Database, world: World) -> None:
    with database.session() as db:
        mother = residents.require_resident(db, world.resident_id)
        husband = residents.register_move_in(
            db,
            CHIYODA,
            residents.NewResident(
                name=PersonName("佐藤", "太郎", "さとう", "たろう"),
                birth_date=date(1988, 5, 5),
                sex="1",
                individual_number=IndividualNumber("456789012346"),
                household_id=mother.household_id,
                relationship="夫",
            ),
            residents.Residence(town_id=1001, banchi="1", go="2"),
            moved_in_on=date(2021, 4, 1),
            actor="test",
        )
        residents.register_death(db, husband.id, date_of_death=date(2026, 11, 20), actor="counter")
    report = push.run_pass(database, RULES)
    assert report.notified == 1
    (message,) = _messages(database, world.resident_id)
    assert message.title == "おくやみの手続のご案内" and message.link == "/lifeevents/bereavement"


def test_a_person_who_is_not_eligible_is_not_told(database: Database, world: World, tmp_path: Path) -> None:
    rule = (
        (push.RULES_DIR / "birth-kosodate.yaml")
        .read_text(encoding="utf-8")
        .replace("{attribute: children_in_care, op: gte, value: 1}", "{attribute: age, op: gte, value: 65}")
    )
    _birth(database, world)
    report = push.run_pass(database, [push.parse_rule(tmp_path / "r.yaml", rule)])
    assert (report.notified, report.not_eligible) == (0, 1)
    assert _messages(database, world.resident_id) == []
    with database.session() as db:
        assert [f.eligible for f in push.firings_of(db, world.resident_id)] == [False]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("children_in_care", "number_of_children"),
            "r.yaml:8: unknown applicant attribute 'number_of_children'",
        ),
        (("event: birth", "event: wedding"), "r.yaml:3: unknown registry event 'wedding'"),
        (("deadline_days: 15", "deadline_days: 15\ncolour: red"), "unknown key 'colour'"),
    ],
)
def test_a_bad_rule_is_refused_at_its_line(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    text = (push.RULES_DIR / "birth-kosodate.yaml").read_text(encoding="utf-8").replace(*change)
    with pytest.raises(push.PushRuleInvalid) as refused:
        push.parse_rule(tmp_path / "r.yaml", text)
    assert expected in str(refused.value)
