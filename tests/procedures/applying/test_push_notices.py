"""プッシュ型: a birth registered at the counter reaches the parent as an お知らせ once, leading to
the 子育て procedures prefilled (児童手当 and 子ども医療費助成 paid to the 公金受取口座); a death
reaches the family; rules are data, checked at their line."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.procedures.applying.conftest import CHIYODA, World

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.notify import service as notify
from tsunagu.procedures.push import service as push
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
    assert message.kind == "info" and message.link == "/kosodate" and message.sender == CHIYODA
    assert "令和8年11月10日" in message.body and "令和8年11月25日までに請求" in message.body  # 15 days
    assert push.run_pass(database, RULES).notified == 0  # read once
    with database.session() as db:  # even a reader that starts over sends nothing twice
        db.get(push.PushCursor, 1).last_sequence = 0  # type: ignore[union-attr]
    assert push.run_pass(database, RULES).notified == 0
    assert _messages(database, world.other_resident_id) == []  # another household hears nothing


def test_the_bundle_lists_the_child_procedures_prefilled_with_the_account(
    resident_client: TestClient, database: Database, world: World, public_money_account: object
) -> None:
    _birth(database, world)
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
        (("event: birth", "event: wedding"), "r.yaml:3: unknown event 'wedding'"),
        (("event: birth", "event: income_change"), "r.yaml:3: unknown event 'income_change'"),
        (("event: birth", "event: age_reached"), "r.yaml:3: an age (and only an age) goes with event"),
        (("deadline_days: 15", "deadline_days: 15\ncolour: red"), "unknown key 'colour'"),
        (("link: /kosodate", "link: https://example.com/"), "r.yaml:12: link is a path on this site"),
    ],
)
def test_a_bad_rule_is_refused_at_its_line(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    text = (push.RULES_DIR / "birth-kosodate.yaml").read_text(encoding="utf-8").replace(*change)
    with pytest.raises(push.PushRuleInvalid) as refused:
        push.parse_rule(tmp_path / "r.yaml", text)
    assert expected in str(refused.value)


def _child_leaves(database: Database, child_id: str) -> None:
    with database.session() as db:
        residents.register_death(db, child_id, date_of_death=date(2026, 11, 21), actor="counter")


def test_a_notice_is_withdrawn_when_the_child_it_was_about_dies(database: Database, world: World) -> None:
    child = _birth(database, world)
    push.run_pass(database, RULES)
    _child_leaves(database, child)
    report = push.run_pass(database, RULES)
    assert report.withdrawn == 1
    messages = _messages(database, world.resident_id)
    birth = next(m for m in messages if m.link == "/kosodate")
    assert birth.withdrawn_at is not None and "ご家族の状況が変わった" in birth.withdrawn_reason
    assert push.run_pass(database, RULES).withdrawn == 0  # once


def test_a_withdrawn_notice_shows_as_withdrawn_and_no_longer_links_to_the_forms(
    resident_client: TestClient, database: Database, world: World
) -> None:
    child = _birth(database, world)
    push.run_pass(database, RULES)
    _child_leaves(database, child)
    push.run_pass(database, RULES)
    message = next(m for m in _messages(database, world.resident_id) if m.link == "/kosodate")
    page = resident_client.get(f"/inbox/{message.id}").text
    assert "このお知らせは取り下げられました" in page and 'href="/kosodate"' not in page
    assert "取り下げ" in resident_client.get("/inbox").text


def test_the_person_declines_a_kind_and_hears_nothing_of_it(
    resident_client: TestClient, database: Database, world: World
) -> None:
    page = resident_client.get("/push-notices").text
    assert 'value="birth" checked' in page and 'value="bereavement" checked' in page
    saved = resident_client.post(
        "/push-notices", data={"receive": ["bereavement", "care"]}, follow_redirects=True
    )
    assert saved.status_code == 200 and 'value="birth" checked' not in saved.text
    _birth(database, world)
    report = push.run_pass(database, RULES)
    assert (report.notified, report.declined) == (0, 1)
    assert _messages(database, world.resident_id) == []
    page = resident_client.get("/push-notices").text
    assert "受け取らない設定のためお知らせしていません" in page


def test_every_firing_is_in_the_persons_access_record(
    resident_client: TestClient, database: Database, world: World
) -> None:
    _birth(database, world)
    push.run_pass(database, RULES)
    with database.session() as db:
        (access,) = [a for a in residents.accesses_of(db, world.resident_id) if "出産" in a.purpose]
    assert access.organization_code == CHIYODA and access.role == "push"
    page = resident_client.get("/registry/me/accesses").text
    assert "自動の判定（プッシュ型のお知らせ）" in page and "プッシュ型のお知らせの判定" in page
    assert "/push-notices" in resident_client.get("/mesh/history").text


def _newcomer(database: Database, born: date, *, with_child: bool) -> str:
    with database.session() as db:
        person = residents.register_move_in(
            db,
            CHIYODA,
            residents.NewResident(
                name=PersonName("田中", "一郎", "たなか", "いちろう"),
                birth_date=born,
                sex="1",
                individual_number=IndividualNumber("567890123457"),
                relationship="世帯主",
            ),
            residents.Residence(town_id=1001, banchi="3", go="4"),
            moved_in_on=date(2026, 11, 20),
            actor="counter",
        )
        if with_child:
            residents.register_move_in(
                db,
                CHIYODA,
                residents.NewResident(
                    name=PersonName("田中", "次郎", "たなか", "じろう"),
                    birth_date=date(2020, 4, 1),
                    sex="1",
                    individual_number=IndividualNumber("678901234562"),
                    household_id=person.household_id,
                    relationship="子",
                ),
                residents.Residence(town_id=1001, banchi="3", go="4"),
                moved_in_on=date(2026, 11, 20),
                actor="counter",
            )
        return person.id


def test_moving_in_with_a_child_is_told_the_child_allowance_deadline(
    database: Database, world: World
) -> None:
    parent = _newcomer(database, date(1990, 1, 1), with_child=True)
    push.run_pass(database, RULES)
    (message,) = _messages(database, parent)
    assert message.link == "/lifeevents/child_rearing" and "令和8年12月5日までに" in message.body


def test_turning_65_is_told_on_the_birthday_once(
    database: Database, world: World, fixed_clock: clock.FixedClock
) -> None:
    today = clock.today_jst().date()
    person = _newcomer(database, today.replace(year=today.year - 65), with_child=False)
    younger = _newcomer_born(database, today.replace(year=today.year - 64))
    report = push.run_pass(database, RULES)  # the move-in rule (for children) does not apply
    (message,) = _messages(database, person)
    assert report.notified == 1 and message.title.startswith("65歳になられた方へ")
    assert message.link == "/lifeevents/care" and "申請の期限はありません" in message.body
    assert _messages(database, younger) == []
    with database.session() as db:  # the same birthday read again: nothing twice
        db.get(push.PushCursor, 1).birthdays_through = today - timedelta(days=1)  # type: ignore[union-attr]
    assert push.run_pass(database, RULES).notified == 0
    fixed_clock.advance(timedelta(days=1))
    assert push.run_pass(database, RULES).notified == 0  # the next day has no 65th birthday


def _newcomer_born(database: Database, born: date) -> str:
    with database.session() as db:
        return residents.register_move_in(
            db,
            CHIYODA,
            residents.NewResident(
                name=PersonName("鈴木", "花", "すずき", "はな"),
                birth_date=born,
                sex="2",
                individual_number=IndividualNumber("789012345677"),
                relationship="世帯主",
            ),
            residents.Residence(town_id=1001, banchi="5", go="6"),
            moved_in_on=date(2026, 11, 20),
            actor="counter",
        ).id
