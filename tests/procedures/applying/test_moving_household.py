"""The register records exactly the move that was declared: who moves, on the declared date.

A 世帯 of three (佐藤花子 世帯主, 佐藤太郎 夫, 佐藤健 子) lives in 千代田区 beside an unrelated
resident. Each test files a move through the API, lets 千代田区's staff accept it and checks the
register at both municipalities (the destination records the 転入 from the 転出証明書情報).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import CHIYODA, YOKOSUKA, World

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.mesh.push import service as push
from tsunagu.migrations.schema import metadata
from tsunagu.procedures.applications.validation import NOT_SERVED
from tsunagu.procedures.onestop import service as onestop
from tsunagu.registry.residents import moving
from tsunagu.registry.residents import service as residents

URL = "/api/v1/procedures/moving"
TODAY = date(2026, 11, 22)  # the fixed clock's day (Asia/Tokyo)
MOVE_DAY = TODAY + timedelta(days=3)


def _move(**changes: Any) -> dict[str, Any]:
    return {
        "destination_address": "神奈川県横須賀市小川町1-1",
        "moving_date": MOVE_DAY.isoformat(),
        "visit_date": (MOVE_DAY + timedelta(days=2)).isoformat(),
        "phone": "090-1234-5678",
        "companies": ["tsunagu-power"],
        **changes,
    }


@pytest.fixture
def family(world: World, database: Database) -> dict[str, str]:
    """The resident's 世帯: herself as 世帯主, a husband and a child (ids by 続柄)."""
    with database.session() as db:
        head = residents.get_resident(db, world.resident_id)
        assert head is not None
        ids = {"世帯主": head.id}
        for given, kana, relationship, born, eleven in (
            ("太郎", "たろう", "夫", date(1988, 6, 1), "34567890123"),
            ("健", "けん", "子", date(2018, 9, 9), "45678901234"),
        ):
            number = eleven + residents.check_digit(eleven)
            member = (
                residents.register_birth(
                    db,
                    CHIYODA,
                    residents.NewResident(
                        PersonName("佐藤", given, "さとう", kana),
                        born,
                        "1",
                        IndividualNumber(number),
                        head.household_id,
                        relationship,
                    ),
                    actor="test",
                )
                if relationship == "子"
                else residents.register_move_in(
                    db,
                    CHIYODA,
                    residents.NewResident(
                        PersonName("佐藤", given, "さとう", kana),
                        born,
                        "1",
                        IndividualNumber(number),
                        head.household_id,
                        relationship,
                    ),
                    residents.Residence(town_id=1001, banchi="1", go="2"),
                    moved_in_on=date(2020, 4, 1),
                    actor="test",
                )
            )
            ids[relationship] = member.id
    return ids


def _file(client: TestClient, body: dict[str, Any], key: str) -> dict[str, Any]:
    response = client.post(URL, json=body, headers={"Idempotency-Key": key})
    assert response.status_code == 200, response.text
    return {p["name"]: p for p in response.json()["parts"]} | {"id": response.json()["id"]}


def _accept(client: TestClient, database: Database, world: World, parts: dict[str, Any]) -> None:
    """千代田区's staff review and accept the 転出届 (then the follow-up runs as after the page)."""
    login_as(client, database, World.staff(CHIYODA, frozenset({"審査", "住基"})))
    application = parts["tenshutsu"]["application_id"]
    for action in ("start_review", "approve"):
        response = client.post(
            f"/api/v1/procedures/backoffice/applications/{application}/decision", json={"action": action}
        )
        assert response.status_code == 200, response.text
    login_as(client, database, world.resident())


def _statuses(database: Database, ids: dict[str, str]) -> dict[str, tuple[str, date | None]]:
    with database.session() as db:
        found = {k: residents.get_resident(db, v) for k, v in ids.items()}
    return {k: (r.status, r.status_date) for k, r in found.items() if r is not None}


def test_the_whole_household_moves_on_the_declared_date_and_arrives_together(
    resident_client: TestClient,
    database: Database,
    app: FastAPI,
    world: World,
    family: dict[str, str],
    fixed_clock: clock.FixedClock,
) -> None:
    parts = _file(resident_client, _move(movers="whole-household"), "move-household-01")
    assert parts["tsunagu-power"]["status"] == "consented"  # nobody is told at submission
    assert parts["tennyu-yoyaku"]["detail"] == onestop.EVIDENCE_PENDING
    _accept(resident_client, database, world, parts)

    # accepted, but the day has not come: everyone is still a resident (a 住民票 can be issued)
    assert {s for s, _ in _statuses(database, family).values()} == {"resident"}
    with database.session() as db:
        ahead = moving.as_of(db, family["子"], MOVE_DAY)
        assert ahead is not None and (ahead.status, ahead.status_date) == ("moved_out", MOVE_DAY)
        assert moving.as_of(db, family["子"], TODAY).status == "resident"  # type: ignore[union-attr]
    login_as(resident_client, database, World.staff(CHIYODA, frozenset({"閲覧"})))
    record = resident_client.get(f"/staff/registry/residents/{family['子']}")
    assert "転出予定" in record.text and "令和8年11月25日" in record.text
    login_as(resident_client, database, world.resident())
    status = resident_client.get(f"{URL}/{parts['id']}").json()
    live = {p["name"]: p for p in status["parts"]}
    assert live["tennyu-yoyaku"]["detail"] == ""  # the 転出証明書情報 was sent ahead on acceptance
    assert live["tsunagu-power"]["status"] == "consented"  # not before the move date

    tennyu = resident_client.get(
        f"/api/v1/procedures/applications/{parts['tennyu-yoyaku']['application_id']}"
    ).json()
    certificate = tennyu["evidence"][0]["data"]["certificate"]
    assert [(m["name"]["given"], m["relationship"]) for m in certificate["movers"]] == [
        ("花子", "世帯主"),
        ("太郎", "夫"),
        ("健", "子"),
    ]
    assert certificate["whole_household"] is True and certificate["moving_date"] == MOVE_DAY.isoformat()
    assert certificate["head"]["given"] == "花子" and certificate["movers"][0]["card_holder"] is False

    fixed_clock.advance(timedelta(days=3))
    assert onestop.run_due(database, app.state.mesh_nodes.context) == 1
    assert _statuses(database, family) == dict.fromkeys(family, ("moved_out", MOVE_DAY))
    other = _statuses(database, {"other": world.other_resident_id})
    assert other == {"other": ("resident", date(2020, 4, 1))}
    assert onestop.run_due(database, app.state.mesh_nodes.context) == 0  # nothing twice
    login_as(resident_client, database, world.resident())  # three days on: a new session
    live = {p["name"]: p for p in resident_client.get(f"{URL}/{parts['id']}").json()["parts"]}
    assert live["tsunagu-power"]["status"] == "queued"  # told on the move date, after acceptance

    with database.session() as db:  # the 転入届 at 横須賀市's counter, from the certificate
        arrived = moving.register_move_in(
            db,
            YOKOSUKA,
            certificate["reference"],
            residents.Residence(town_id=2001, banchi="1", go="1"),
            moved_in_on=MOVE_DAY,
            actor="staff:yokosuka",
        )
    assert [(r.name.given, r.relationship, r.status_date) for r in arrived] == [
        ("花子", "世帯主", MOVE_DAY),
        ("太郎", "夫", MOVE_DAY),
        ("健", "子", MOVE_DAY),
    ]
    assert {r.household_id for r in arrived} == {arrived[0].household_id}
    assert {r.municipality_code for r in arrived} == {YOKOSUKA}


def test_the_acceptance_notice_gives_the_moving_date_in_wareki(
    resident_client: TestClient, database: Database, world: World, family: dict[str, str]
) -> None:
    """The 処分通知 names the declared moving date as a Japanese notice does (令和8年11月25日), not as
    the form stored it (2026-11-25)."""
    parts = _file(resident_client, _move(movers="whole-household"), "move-notice-date-01")
    _accept(resident_client, database, world, parts)
    messages = resident_client.get("/api/v1/notify/messages").json()["items"]
    notice = next(m for m in messages if m["title"] == "転出届の受理について")
    assert "転出予定日: 令和8年11月25日" in notice["body"], notice["body"]
    assert MOVE_DAY.isoformat() not in notice["body"]


def test_some_members_move_and_only_they_do(
    resident_client: TestClient,
    database: Database,
    app: FastAPI,
    world: World,
    family: dict[str, str],
    fixed_clock: clock.FixedClock,
) -> None:
    body = _move(
        movers="some-members",
        members=[family["子"]],
        moving_date=TODAY.isoformat(),
        visit_date=TODAY.isoformat(),
        companies=[],
    )
    parts = _file(resident_client, body, "move-partial-01")
    _accept(resident_client, database, world, parts)
    # declared for today: recorded at once, with today's date, for the child only
    assert _statuses(database, family) == {
        "世帯主": ("resident", date(2020, 4, 1)),
        "夫": ("resident", date(2020, 4, 1)),
        "子": ("moved_out", TODAY),
    }
    with database.session() as db:
        certificate = moving.certificate_for(db, CHIYODA, family["子"])
        assert certificate is not None and not certificate.whole_household
        assert [m.name.given for m in certificate.movers] == ["健"]
        alone = moving.register_move_in(
            db,
            YOKOSUKA,
            certificate.reference,
            residents.Residence(town_id=2001),
            moved_in_on=TODAY,
            actor="test",
        )
    assert [(r.name.given, r.relationship) for r in alone] == [("健", "世帯主")]  # a 世帯 of one


def test_the_head_leaving_others_behind_names_who_heads_them(
    resident_client: TestClient,
    database: Database,
    app: FastAPI,
    world: World,
    family: dict[str, str],
) -> None:
    body = _move(
        movers="some-members",
        members=[family["世帯主"]],
        moving_date=TODAY.isoformat(),
        visit_date=TODAY.isoformat(),
        companies=[],
    )
    refused = resident_client.post(URL, json=body, headers={"Idempotency-Key": "move-head-01"})
    assert refused.status_code == 422
    assert [e["location"][-1] for e in refused.json()["errors"]] == ["remaining_head"]
    wrong = resident_client.post(
        URL, json={**body, "remaining_head": family["世帯主"]}, headers={"Idempotency-Key": "move-head-02"}
    )
    assert wrong.status_code == 422  # the new head must be someone who stays
    parts = _file(resident_client, {**body, "remaining_head": family["夫"]}, "move-head-03")
    _accept(resident_client, database, world, parts)
    with database.session() as db:
        husband = residents.get_resident(db, family["夫"])
        assert husband is not None and husband.relationship == "世帯主"
        assert residents.latest_change(db, husband.id).kind == "head_change"
    assert _statuses(database, family)["世帯主"] == ("moved_out", TODAY)
    assert _statuses(database, family)["子"][0] == "resident"


def test_a_second_move_is_refused_with_a_link_to_the_first(
    resident_client: TestClient,
    database: Database,
    app: FastAPI,
    world: World,
    family: dict[str, str],
) -> None:
    parts = _file(resident_client, _move(), "move-twice-01")
    again = resident_client.post(
        URL,
        json=_move(destination_address="大阪府大阪市北区梅田1-1"),
        headers={"Idempotency-Key": "move-twice-02"},
    )
    assert again.status_code == 409 and again.json()["code"] == "application-in-progress"
    assert again.json()["application_id"] == parts["tenshutsu"]["application_id"]
    _accept(resident_client, database, world, parts)
    still = resident_client.post(URL, json=_move(), headers={"Idempotency-Key": "move-twice-03"})
    assert still.status_code == 409  # accepted, its date not yet come: still in progress
    token = re.search(r'name="csrf_token" value="([^"]+)"', resident_client.get("/moving").text)
    assert token is not None
    page = resident_client.post(
        "/moving",
        data={
            **_move(companies=[]),
            "movers": "whole-household",
            "key": "move-twice-04",
            "csrf_token": token[1],
        },
    )
    assert page.status_code == 409 and "手続中の引越しがあります。" in page.text
    assert f'href="/applications/{parts["tenshutsu"]["application_id"]}"' in page.text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"moving_date": (TODAY - timedelta(days=15)).isoformat(), "visit_date": TODAY.isoformat()},
            "moving_date",
        ),  # more than 14 days after the move
        (
            {
                "moving_date": (TODAY + timedelta(days=31)).isoformat(),
                "visit_date": (TODAY + timedelta(days=31)).isoformat(),
            },
            "moving_date",
        ),  # too far ahead
        ({"visit_date": (MOVE_DAY - timedelta(days=1)).isoformat()}, "visit_date"),  # before the move
        ({"visit_date": (MOVE_DAY + timedelta(days=15)).isoformat()}, "visit_date"),  # past 14 days
    ],
)
def test_dates_outside_what_the_law_allows_are_refused_and_nothing_is_filed(
    resident_client: TestClient,
    world: World,
    changes: dict[str, str],
    field: str,
) -> None:
    response = resident_client.post(URL, json=_move(**changes), headers={"Idempotency-Key": f"dates-{field}"})
    assert response.status_code == 422, response.text
    assert field in {e["location"][-1] for e in response.json()["errors"]}
    assert resident_client.get("/api/v1/procedures/applications").json()["total"] == 0


def test_a_refused_move_tells_no_company(
    resident_client: TestClient,
    database: Database,
    app: FastAPI,
    world: World,
    family: dict[str, str],
) -> None:
    parts = _file(
        resident_client, _move(moving_date=TODAY.isoformat(), visit_date=TODAY.isoformat()), "move-refused-01"
    )
    login_as(resident_client, database, World.staff(CHIYODA, frozenset({"審査", "住基"})))
    application = parts["tenshutsu"]["application_id"]
    decide = f"/api/v1/procedures/backoffice/applications/{application}/decision"
    assert resident_client.post(decide, json={"action": "start_review"}).status_code == 200
    rejected = resident_client.post(decide, json={"action": "reject", "reason": "住所が確認できません"})
    assert rejected.status_code == 200
    login_as(resident_client, database, world.resident())
    live = {p["name"]: p for p in resident_client.get(f"{URL}/{parts['id']}").json()["parts"]}
    assert live["tsunagu-power"]["status"] == "cancelled"
    onestop.run_due(database, app.state.mesh_nodes.context)
    assert push.deliver_due(app.state.mesh_nodes.context(CHIYODA)).delivered == 0
    with database.session() as db:
        assert push.received(db, "tsunagu-power") == []
    assert {s for s, _ in _statuses(database, family).values()} == {"resident"}


def test_the_destination_clerk_reads_the_certificate_and_records_the_arrival(
    resident_client: TestClient,
    database: Database,
    app: FastAPI,
    world: World,
    family: dict[str, str],
) -> None:
    parts = _file(
        resident_client,
        _move(moving_date=TODAY.isoformat(), visit_date=TODAY.isoformat(), companies=[]),
        "move-arrival-01",
    )
    _accept(resident_client, database, world, parts)
    login_as(resident_client, database, World.staff(YOKOSUKA, frozenset({"審査", "住基"})))
    page = resident_client.get(f"/staff/applications/{parts['tennyu-yoyaku']['application_id']}")
    assert page.status_code == 200
    text = re.sub(r"<[^>]+>", " ", page.text)
    for expected in (
        "転出元",
        "東京都千代田区",
        "佐藤 花子",
        "サトウ ハナコ",
        "平成2年4月1日",
        "女",
        "夫",
        "子",
        "世帯全員",
        "令和8年11月22日",
        "転入を記録する",
    ):
        assert expected in text, expected
    assert "family_kana" not in text and "certificate" not in text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    url = f"/staff/applications/{parts['tennyu-yoyaku']['application_id']}/arrival"
    future = resident_client.post(
        url,
        data={"csrf_token": token[1], "moved_in_on": "2026-12-31", "town_id": "2001"},
        follow_redirects=False,
    )
    assert future.status_code == 303
    assert "arrival_error=effective-date-in-future" in future.headers["location"]
    done = resident_client.post(
        url,
        data={
            "csrf_token": token[1],
            "moved_in_on": TODAY.isoformat(),
            "town_id": "2001",
            "banchi": "1",
            "go": "1",
        },
    )
    assert done.status_code == 200 and "転入を記録しました。" in done.text
    with database.session() as db:
        here, _total = residents.find_residents(db, YOKOSUKA, residents.SearchQuery(name="佐藤"))
    assert sorted((r.name.given, r.relationship, r.status_date) for r in here) == sorted(
        [("花子", "世帯主", TODAY), ("太郎", "夫", TODAY), ("健", "子", TODAY)]
    )
    twice = resident_client.post(
        url,
        data={"csrf_token": token[1], "moved_in_on": TODAY.isoformat(), "town_id": "2001"},
        follow_redirects=False,
    )
    assert "arrival_error=moving-certificate-used" in twice.headers["location"]


def test_some_members_without_a_choice_asks_who(
    resident_client: TestClient, world: World, family: dict[str, str]
) -> None:
    response = resident_client.post(
        URL, json=_move(movers="some-members", members=[]), headers={"Idempotency-Key": "move-nobody-01"}
    )
    assert response.status_code == 422
    assert [(e["location"][-1], e["message_id"]) for e in response.json()["errors"]] == [
        ("members", "選択してください。")
    ]


def test_the_single_moving_out_form_offers_the_household_by_name(
    resident_client: TestClient,
    family: dict[str, str],
) -> None:
    page = resident_client.get("/procedures/tenshutsu/apply")
    assert page.status_code == 200
    for relationship, resident_id in family.items():
        assert f'value="{resident_id}"' in page.text and f"（{relationship}・" in page.text
    fields = {
        k: unescape(v)
        for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
    }
    form = {
        **fields,
        "destination_address": "神奈川県横須賀市小川町1-1",
        "moving_date": TODAY.isoformat(),
        "movers": "some-members",
        "members": [family["子"]],
        "phone": "090-1234-5678",
        "step": "review",
    }
    review = resident_client.post("/procedures/tenshutsu/apply", data=form)
    assert review.status_code == 200, review.text[-2000:]
    assert "佐藤 健（子）" in review.text and family["子"] not in re.sub(r"<input[^>]+>", "", review.text)


def test_a_character_outside_jis_x_0213_is_named_at_its_field(
    resident_client: TestClient, world: World
) -> None:
    response = resident_client.post(
        URL,
        json=_move(destination_address="神奈川県横須賀市小川町1-1 😀ハイツ"),
        headers={"Idempotency-Key": "move-emoji-01"},
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["location"][-1] == "destination_address" and "U+1F600" in error["message"]


def test_a_destination_not_on_the_platform_is_said_at_the_address(
    resident_client: TestClient, database: Database, world: World
) -> None:
    tables = metadata.tables
    with database.engine.begin() as connection:  # 大阪市北区 is in the address registry, not the mesh
        connection.execute(tables["addresses_prefectures"].insert(), [{"code": "27", "name": "大阪府"}])
        connection.execute(
            tables["addresses_municipalities"].insert(),
            [{"code": "271276", "prefecture_code": "27", "name": "大阪市北区", "designated_city_code": None}],
        )
        connection.execute(
            tables["addresses_towns"].insert(),
            [
                {
                    "id": 3001,
                    "municipality_code": "271276",
                    "town": "梅田一丁目",
                    "koaza": "",
                    "lat": 34.7,
                    "lng": 135.5,
                }
            ],
        )
    response = resident_client.post(
        URL,
        json=_move(destination_address="大阪府大阪市北区梅田一丁目1-1"),
        headers={"Idempotency-Key": "move-osaka-01"},
    )
    assert response.status_code == 422
    assert [(e["location"][-1], e["message_id"]) for e in response.json()["errors"]] == [
        ("destination_address", NOT_SERVED)
    ]
    assert resident_client.get("/api/v1/procedures/applications").json()["total"] == 0


def test_an_empty_destination_is_asked_for_not_said_to_be_unknown(
    resident_client: TestClient, world: World
) -> None:
    """A move sent without the new address was told 「転入先の市区町村が見つかりません。」 at the
    empty field; it is asked for like every other empty field."""
    response = resident_client.post(
        URL, json=_move(destination_address=""), headers={"Idempotency-Key": "move-empty-01"}
    )
    assert response.status_code == 422
    messages = {e["location"][-1]: e["message_id"] for e in response.json()["errors"]}
    assert messages["destination_address"] == "入力してください。", messages
