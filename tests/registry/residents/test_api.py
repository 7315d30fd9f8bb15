"""The REST API: staff of the municipality only, every read recorded, problem+json errors."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as, send_csrf_header

from tsunagu.core.database import Database
from tsunagu.core.http import csrf
from tsunagu.core.sessions import Principal
from tsunagu.registry.residents import service

from .conftest import CHIYODA, YOKOSUKA, staff

BASE = "/api/v1/registry/residents"
NUMBER = "123456789018"


def csrf_headers(client: TestClient) -> dict[str, str]:
    """The token of the client's CSRF cookie within its session (as a page's script sends it)."""
    send_csrf_header(client)
    return {"X-CSRF-Token": client.headers[csrf.HEADER]}


def test_anonymous_requests_get_401(client: TestClient, resident: service.ResidentRecord) -> None:
    response = client.get(f"{BASE}/{CHIYODA}/{resident.id}")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not-authenticated"


def test_staff_of_another_municipality_get_403(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff(YOKOSUKA))
    for path in (f"{BASE}/{CHIYODA}", f"{BASE}/{CHIYODA}/{resident.id}"):
        response = client.get(path)
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    with database.session() as db:
        assert service.accesses_of(db, resident.id) == []


def test_a_resident_of_another_municipality_is_not_found_through_ones_own(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff(YOKOSUKA))
    response = client.get(f"{BASE}/{YOKOSUKA}/{resident.id}")
    assert response.status_code == 404 and response.json()["code"] == "resident-not-found"


def test_search_is_paginated_and_only_what_staff_open_is_recorded_as_access(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff(CHIYODA, "閲覧"))
    response = client.get(f"{BASE}/{CHIYODA}", params={"kana": "さとう", "purpose": "児童手当の審査"})
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["limit"], body["offset"]) == (1, 50, 0)
    assert body["items"][0]["address"]["label"] == "東京都千代田区飯田橋三丁目3-5"
    with database.session() as db:  # listed is not read: nothing in the person's 閲覧記録 yet
        assert service.accesses_of(db, resident.id) == []
    opened = client.get(f"{BASE}/{CHIYODA}/{resident.id}", params={"purpose": "児童手当の審査"})
    assert opened.status_code == 200
    with database.session() as db:
        accesses = service.accesses_of(db, resident.id)
    assert [(a.actor, a.purpose) for a in accesses] == [(f"staff-{CHIYODA}", "児童手当の審査")]


def test_detail_has_history_and_household_but_never_the_number(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    response = client.get(f"{BASE}/{CHIYODA}/{resident.id}")
    assert response.status_code == 200
    body = response.json()
    assert [c["kind"] for c in body["history"]] == ["move_in"]
    assert body["history"][0]["legal_basis"] == "住民基本台帳法第22条"
    assert [m["relationship"] for m in body["household"]] == ["世帯主"]
    assert NUMBER not in response.text and "individual_number" not in response.text


def test_as_of_reads_a_past_state(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    moved = client.post(
        f"{BASE}/{CHIYODA}/{resident.id}/address-changes",
        headers=csrf_headers(client),
        json={"town_id": 1002, "banchi": "8", "effective_date": "2025-01-10"},
    )
    assert moved.status_code == 201 and moved.json()["address"]["town"] == "一番町"
    before = client.get(f"{BASE}/{CHIYODA}/{resident.id}/as-of", params={"date": "2025-01-09"})
    assert before.status_code == 200 and before.json()["address"]["town"] == "飯田橋三丁目"
    too_early = client.get(f"{BASE}/{CHIYODA}/{resident.id}/as-of", params={"date": "2019-01-01"})
    assert too_early.status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"town_id": 9999, "effective_date": "2025-01-10"}, 422, "unknown-town"),
        ({"town_id": 2001, "effective_date": "2025-01-10"}, 422, "town-outside-municipality"),
        ({"town_id": 1002, "effective_date": "2027-01-01"}, 422, "effective-date-in-future"),
        ({"town_id": 1002, "effective_date": "2019-01-01"}, 422, "effective-date-before-last-change"),
        ({"town_id": "x", "effective_date": "2025-01-10"}, 422, "validation-failed"),
    ],
)
def test_bad_address_changes_are_specific_problems(
    client: TestClient,
    database: Database,
    resident: service.ResidentRecord,
    body: dict[str, object],
    status: int,
    code: str,
) -> None:
    login_as(client, database, staff())
    response = client.post(
        f"{BASE}/{CHIYODA}/{resident.id}/address-changes", headers=csrf_headers(client), json=body
    )
    assert response.status_code == status
    assert response.json()["code"] == code


def test_changes_on_a_deceased_person_are_refused(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    with database.session() as db:
        service.register_death(db, resident.id, date_of_death=date(2026, 1, 5), actor="staff-0")
    login_as(client, database, staff())
    response = client.post(
        f"{BASE}/{CHIYODA}/{resident.id}/address-changes",
        headers=csrf_headers(client),
        json={"town_id": 1002, "effective_date": "2026-02-01"},
    )
    assert response.status_code == 409 and response.json()["code"] == "resident-deceased"


def test_changes_need_the_registrar_role_and_the_csrf_token(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    body = {"town_id": 1002, "effective_date": "2025-01-10"}
    login_as(client, database, staff(CHIYODA, "閲覧"))
    viewer = client.post(
        f"{BASE}/{CHIYODA}/{resident.id}/address-changes", headers=csrf_headers(client), json=body
    )
    assert viewer.status_code == 403 and viewer.json()["code"] == "forbidden"
    login_as(client, database, staff())
    del client.headers[csrf.HEADER]  # a request without its token
    no_token = client.post(f"{BASE}/{CHIYODA}/{resident.id}/address-changes", json=body)
    assert no_token.status_code == 403 and no_token.json()["code"] == "csrf-failed"


def test_move_out_closes_the_record(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    response = client.post(
        f"{BASE}/{CHIYODA}/{resident.id}/move-out",
        headers=csrf_headers(client),
        json={"destination": "神奈川県横須賀市小川町1", "effective_date": "2026-03-31"},
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["destination"]) == (
        "moved_out",
        "神奈川県横須賀市小川町1",
    )
    again = client.post(
        f"{BASE}/{CHIYODA}/{resident.id}/move-out",
        headers=csrf_headers(client),
        json={"destination": "どこか", "effective_date": "2026-04-01"},
    )
    assert again.status_code == 409 and again.json()["code"] == "resident-moved-out"


def test_the_person_sees_their_number_and_who_read_their_record(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    with database.session() as db:
        service.record_access(db, resident.id, "staff-9", CHIYODA, "住民票の写しの交付")
    login_as(client, database, Principal(kind="resident", subject_id=resident.id))
    response = client.get(f"{BASE}/me")
    assert response.status_code == 200
    body = response.json()
    assert body["individual_number"] == NUMBER
    assert [(a["actor"], a["purpose"]) for a in body["accesses"]] == [("staff-9", "住民票の写しの交付")]
    login_as(client, database, staff())
    assert client.get(f"{BASE}/me").status_code == 403


def test_a_retried_address_change_or_move_out_is_recorded_once(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff())
    url = f"{BASE}/{CHIYODA}/{resident.id}"
    move = {"town_id": 1002, "banchi": "8", "effective_date": "2025-01-10"}
    headers = {**csrf_headers(client), "Idempotency-Key": "tenkyo-retry-01"}
    first = client.post(f"{url}/address-changes", headers=headers, json=move)
    again = client.post(f"{url}/address-changes", headers=headers, json=move)
    assert (first.status_code, again.status_code) == (201, 200) and again.json() == first.json()
    other = client.post(f"{url}/address-changes", headers=headers, json={**move, "banchi": "9"})
    assert other.status_code == 409 and other.json()["code"] == "idempotency-key-reused"
    leave = {"destination": "横須賀市小川町1-1", "effective_date": "2025-02-01"}
    out_headers = {**csrf_headers(client), "Idempotency-Key": "tenshutsu-retry-01"}
    left = client.post(f"{url}/move-out", headers=out_headers, json=leave)
    left_again = client.post(f"{url}/move-out", headers=out_headers, json=leave)
    assert (left.status_code, left_again.status_code) == (200, 200), left_again.text
    history = client.get(url).json()["history"]
    assert [c["kind"] for c in history].count("address_change") == 1
    assert [c["kind"] for c in history].count("move_out") == 1
