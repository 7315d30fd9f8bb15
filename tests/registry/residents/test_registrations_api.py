"""The 届出 API: 出生, 転入, 死亡, 氏名変更 — each good path, each specific 4xx, Idempotency-Key."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.core.database import Database
from tsunagu.registry.residents import service

from .conftest import CHIYODA, YOKOSUKA, person
from .test_api import BASE, csrf_headers, staff

HEAD_NUMBER, MOVER_NUMBER = "123456789018", "345678901234"


@pytest.fixture
def head(towns: Database) -> service.ResidentRecord:
    """世帯主 of a household at 飯田橋三丁目3-5, moved in on 2020-04-01."""
    with towns.session() as db:
        return service.register_move_in(
            db, CHIYODA, person(HEAD_NUMBER), service.Residence(1001, "3", "5"),
            moved_in_on=date(2020, 4, 1), actor="clerk-0",
        )  # fmt: skip


def birth(household_id: str | None = None, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "family_name": "佐藤", "given_name": "陽太", "family_kana": "さとう", "given_kana": "ようた",
        "birth_date": "令和8年11月1日", "sex": "1", "household_id": household_id,
    }  # fmt: skip
    return body | changes


def move_in(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "family_name": "鈴木", "given_name": "一郎", "family_kana": "スズキ", "given_kana": "イチロウ",
        "birth_date": "1985-06-15", "sex": "1", "individual_number": MOVER_NUMBER,
        "previous_address": "神奈川県横須賀市小川町1-2", "certificate": "横須賀-2026-0042",
        "effective_date": "2026-11-20", "town_id": 1002, "banchi": "8",
    }  # fmt: skip
    return body | changes


def post(client: TestClient, path: str, body: object, key: str | None = None) -> dict[str, object]:
    headers = csrf_headers(client) | ({"Idempotency-Key": key} if key else {})
    response = client.post(f"{BASE}/{path}", headers=headers, json=body)
    return {"status": response.status_code, **response.json()}


def test_a_birth_joins_the_household_at_its_address_with_a_new_number(
    client: TestClient, database: Database, head: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    entry = post(client, f"{CHIYODA}/births", birth(head.household_id))
    assert (entry["status"], entry["kind"], entry["legal_basis"]) == (201, "birth", "住民基本台帳法第8条")
    record = entry["record"]
    assert isinstance(record, dict)
    assert (record["birth_date"], record["relationship"], record["given_kana"]) == (
        "2026-11-01",
        "子",
        "ヨウタ",
    )
    assert record["address"]["label"] == "東京都千代田区飯田橋三丁目3-5"
    with database.session() as db:
        number = service.individual_number_of(db, str(record["id"]))
        assert len(number) == 12 and number != HEAD_NUMBER
        assert [m.id for m in service.household_members(db, head.household_id)] == [head.id, record["id"]]


def test_a_birth_can_start_a_new_household(
    client: TestClient, database: Database, head: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    entry = post(client, f"{CHIYODA}/births", birth(None, town_id=1003, banchi="1"))
    assert entry["status"] == 201
    record = entry["record"]
    assert isinstance(record, dict)
    assert record["relationship"] == "世帯主" and record["household_id"] != head.household_id
    assert record["address"]["label"] == "東京都千代田区丸の内二丁目1"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (birth("x" * 32, birth_date="2027-01-01"), 422, "birth-date-in-future"),
        (birth("f" * 32), 422, "unknown-household"),
        (birth(None), 422, "unknown-household"),
        (birth(None, town_id=9999), 422, "unknown-town"),
        (birth(None, town_id=2001), 422, "town-outside-municipality"),
        (birth(None, town_id=1001, given_kana="Yota"), 422, "invalid-name"),
        (birth(None, town_id=1001, sex="3"), 422, "validation-failed"),
        (birth(None, town_id=1001, birth_date="平成31年5月1日"), 422, "validation-failed"),
    ],
)
def test_bad_births_are_specific_problems(
    client: TestClient, database: Database, head: service.ResidentRecord, body: object, status: int, code: str
) -> None:
    login_as(client, database, staff())
    problem = post(client, f"{CHIYODA}/births", body)
    assert (problem["status"], problem["code"]) == (status, code)


def test_a_move_in_keeps_the_normalized_previous_address_and_certificate(
    client: TestClient, database: Database, towns: Database
) -> None:
    login_as(client, database, staff())
    entry = post(client, f"{CHIYODA}/move-ins", move_in(previous_address="神奈川県横須賀市小川町１番地２"))
    assert (entry["status"], entry["kind"], entry["effective_date"]) == (201, "move_in", "2026-11-20")
    assert entry["details"] == {
        "previous_address": "神奈川県横須賀市小川町1-2",
        "certificate": "横須賀-2026-0042",
    }
    record = entry["record"]
    assert isinstance(record, dict) and record["address"]["label"] == "東京都千代田区一番町8"
    assert MOVER_NUMBER not in str(entry)
    again = post(client, f"{CHIYODA}/move-ins", move_in())
    assert (again["status"], again["code"]) == (409, "resident-already-registered")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (move_in(town_id=9999), "unknown-town"),
        (move_in(town_id=2002), "town-outside-municipality"),
        (move_in(previous_address="どこでもない町"), "unknown-previous-address"),
        (move_in(previous_address="東京都千代田区一番町1"), "previous-address-in-municipality"),
        (move_in(effective_date="2026-12-01"), "effective-date-in-future"),
        (move_in(birth_date="2030-01-01", effective_date="2026-11-01"), "birth-date-in-future"),
        (move_in(household_id="f" * 32, relationship="妻"), "unknown-household"),
        (move_in(individual_number="123456789012"), "validation-failed"),
    ],
)
def test_bad_move_ins_are_specific_422s(
    client: TestClient, database: Database, towns: Database, body: object, code: str
) -> None:
    login_as(client, database, staff())
    problem = post(client, f"{CHIYODA}/move-ins", body)
    assert (problem["status"], problem["code"]) == (422, code)
    with database.session() as db:
        assert service.find_residents(db, CHIYODA, service.SearchQuery(kana="スズキ"))[1] == 0


#: 死亡届の届出人 written in: a relative outside the 世帯 (戸籍法第87条第2項)
REPORTED = {
    "informant_qualification": "other-relative",
    "informant_name": "佐藤 一郎",
    "informant_address": "神奈川県横須賀市小川町1-2",
    "informant_relationship": "長男",
}


def test_the_death_of_the_head_names_the_new_head(
    client: TestClient, database: Database, head: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    spouse = post(client, f"{CHIYODA}/move-ins", move_in(household_id=head.household_id, relationship="夫"))
    assert isinstance(spouse["record"], dict)
    spouse_id = str(spouse["record"]["id"])
    missing = post(client, f"{CHIYODA}/{head.id}/deaths", {"date_of_death": "2026-11-21", **REPORTED})
    assert (missing["status"], missing["code"]) == (422, "new-head-required")
    stranger = post(
        client,
        f"{CHIYODA}/{head.id}/deaths",
        {"date_of_death": "2026-11-21", "new_head_id": "f" * 32, **REPORTED},
    )
    assert (stranger["status"], stranger["code"]) == (422, "not-a-household-member")
    died = post(
        client,
        f"{CHIYODA}/{head.id}/deaths",
        {"date_of_death": "2026-11-21", "new_head_id": spouse_id, **REPORTED},
    )
    assert (died["status"], died["kind"]) == (201, "death")
    with database.session() as db:
        successor = service.require_resident(db, spouse_id)
        assert successor.relationship == "世帯主"
        assert service.latest_change(db, spouse_id).details == {"previous_head": "佐藤 花子"}
    not_needed = post(
        client,
        f"{CHIYODA}/{spouse_id}/deaths",
        {"date_of_death": "2026-11-21", "new_head_id": head.id, **REPORTED},
    )
    assert (not_needed["status"], not_needed["code"]) == (422, "new-head-not-needed")


def test_the_informant_is_stored_with_the_death_and_checked(
    client: TestClient, database: Database, head: service.ResidentRecord
) -> None:
    """死亡届の届出人 (戸籍法第87条): a relative gives the 続柄; a cohabiting one lives in the 世帯;
    a resident named by the record needs no name typed (the register's is stored)."""
    login_as(client, database, staff())
    spouse = post(client, f"{CHIYODA}/move-ins", move_in(household_id=head.household_id, relationship="夫"))
    spouse_id = str(spouse["record"]["id"])  # type: ignore[index]
    deaths, died_on = f"{CHIYODA}/{head.id}/deaths", {"date_of_death": "2026-11-21", "new_head_id": spouse_id}
    for body, field, code in (
        ({"informant_qualification": "neighbour"}, "informant_qualification", "validation-failed"),
        ({**REPORTED, "informant_name": ""}, "informant_name", "informant-required"),
        ({**REPORTED, "informant_address": "  "}, "informant_address", "informant-required"),
        ({**REPORTED, "informant_relationship": ""}, "informant_relationship", "informant-required"),
        ({"informant_qualification": "cohabiting-relative", "informant_id": "f" * 32}, "informant_id",
         "informant-not-a-resident"),
        ({"informant_qualification": "cohabiting-relative", "informant_id": head.id}, "informant_id",
         "informant-not-a-resident"),
    ):  # fmt: skip
        refused = post(client, deaths, {**died_on, **body})
        assert (refused["status"], refused["code"]) == (422, code), body
        assert field in str(refused["errors"])
    with database.session() as db:
        assert service.require_resident(db, head.id).status == "resident"  # nothing recorded
        assert service.informant_of(db, head.id) is None
    died = post(client, deaths, {**died_on, "informant_qualification": "cohabiting-relative",
                                 "informant_id": spouse_id, "informant_relationship": "夫"})  # fmt: skip
    assert died["status"] == 201
    with database.session() as db:
        reported = service.informant_of(db, head.id)
        change = service.latest_change(db, head.id)
        spouse_record = service.require_resident(db, spouse_id)
    assert reported is not None and reported.informant_id == spouse_id
    assert reported.name == spouse_record.name.full and reported.address == spouse_record.address.label()
    assert reported.qualification_label == "同居の親族" and reported.relationship == "夫"
    assert change.details["informant"] == f"{spouse_record.name.full}（同居の親族・夫）"


def test_a_deceased_person_cannot_die_again_or_move(
    client: TestClient, database: Database, head: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    assert (
        post(client, f"{CHIYODA}/{head.id}/deaths", {"date_of_death": "令和8年11月1日", **REPORTED})["status"]
        == 201
    )
    again = post(client, f"{CHIYODA}/{head.id}/deaths", {"date_of_death": "2026-11-02", **REPORTED})
    assert (again["status"], again["code"]) == (409, "resident-deceased")
    moved = post(
        client, f"{CHIYODA}/{head.id}/move-out", {"destination": "横須賀市", "effective_date": "2026-11-03"}
    )
    assert (moved["status"], moved["code"]) == (409, "resident-deceased")
    renamed = post(client, f"{CHIYODA}/{head.id}/name-changes", {
        "family_name": "田中", "given_name": "花子", "family_kana": "タナカ", "given_kana": "ハナコ",
        "reason": "婚姻", "effective_date": "2026-11-03",
    })  # fmt: skip
    assert (renamed["status"], renamed["code"]) == (409, "resident-deceased")


NAME_CHANGE = {
    "family_name": "田中", "given_name": "花子", "family_kana": "たなか", "given_kana": "はなこ",
    "reason": "婚姻", "effective_date": "2026-11-10",
}  # fmt: skip


def test_a_name_change_is_idempotent_under_one_key(
    client: TestClient, database: Database, head: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    first = post(client, f"{CHIYODA}/{head.id}/name-changes", NAME_CHANGE, key="rename-0001")
    assert (first["status"], first["kind"], first["details"]) == (201, "name_change", {"reason": "婚姻"})
    assert first["legal_basis"] == "住民基本台帳法第9条第2項"
    replay = post(client, f"{CHIYODA}/{head.id}/name-changes", NAME_CHANGE, key="rename-0001")
    assert (replay["status"], replay["id"]) == (200, first["id"])
    other = post(
        client, f"{CHIYODA}/{head.id}/name-changes", NAME_CHANGE | {"reason": "養子縁組"}, key="rename-0001"
    )
    assert (other["status"], other["code"]) == (409, "idempotency-key-reused")
    short = post(client, f"{CHIYODA}/{head.id}/name-changes", NAME_CHANGE, key="short")
    assert (short["status"], short["code"]) == (422, "validation-failed")
    with database.session() as db:
        assert [c.kind for c in service.history_of(db, head.id)] == ["move_in", "name_change"]
        assert service.require_resident(db, head.id).name.full_kana == "タナカ ハナコ"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (NAME_CHANGE | {"effective_date": "2019-01-01"}, "effective-date-before-last-change"),
        (NAME_CHANGE | {"effective_date": "2027-01-01"}, "effective-date-in-future"),
        (NAME_CHANGE | {"family_kana": "田中"}, "invalid-name"),
        (NAME_CHANGE | {"reason": ""}, "validation-failed"),
    ],
)
def test_bad_name_changes_are_specific_422s(
    client: TestClient, database: Database, head: service.ResidentRecord, body: object, code: str
) -> None:
    login_as(client, database, staff())
    problem = post(client, f"{CHIYODA}/{head.id}/name-changes", body)
    assert (problem["status"], problem["code"]) == (422, code)


def test_registrations_need_a_registrar_of_the_same_municipality(
    client: TestClient, database: Database, head: service.ResidentRecord
) -> None:
    login_as(client, database, staff(CHIYODA, "閲覧"))
    viewer = post(client, f"{CHIYODA}/{head.id}/name-changes", NAME_CHANGE)
    assert (viewer["status"], viewer["code"]) == (403, "forbidden")
    login_as(client, database, staff(YOKOSUKA))
    for path, body in (
        (f"{CHIYODA}/births", birth(head.household_id)),
        (f"{CHIYODA}/{head.id}/deaths", REPORTED),
    ):
        other = post(client, path, body)
        assert (other["status"], other["code"]) == (403, "forbidden")
    unknown = post(client, f"{YOKOSUKA}/{head.id}/name-changes", NAME_CHANGE)
    assert (unknown["status"], unknown["code"]) == (404, "resident-not-found")


def test_malformed_json_is_a_problem_not_a_crash(
    client: TestClient, database: Database, head: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    headers = csrf_headers(client) | {"content-type": "application/json"}
    broken = client.post(f"{BASE}/{CHIYODA}/births", headers=headers, content=b'{"family_name": ')
    assert broken.status_code == 400 and broken.json()["code"] == "malformed-json"
    wrong = client.post(f"{BASE}/{CHIYODA}/births", headers=headers, content=b"[1, 2]")
    assert wrong.status_code == 422 and wrong.json()["code"] == "validation-failed"


def test_the_registrations_are_documented(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("births", "move-ins", "{resident_id}/deaths", "{resident_id}/name-changes"):
        operation = paths[f"{BASE}/{{municipality_code}}/{path}"]["post"]
        assert {"201", "200", "403", "409", "422"} <= set(operation["responses"])
        assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
