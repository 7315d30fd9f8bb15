"""おくやみ through the JSON API (/api/v1/bereavement): the same list and one-flow filing as the pages —
the widow lists the death, reads her list, files with an Idempotency-Key (the same key again answers
the same applications, another key files nothing twice), a field to correct comes back per part,
and every refusal is problem+json."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.conftest import login_as, send_csrf_header
from tests.procedures.applying.conftest import World
from tests.procedures.applying.test_bereavement import _couple, _death

from tsunagu.core.database import Database
from tsunagu.core.http import csrf
from tsunagu.core.sessions import Principal

API = "/api/v1/bereavement"
ACCOUNT = {"bank_code": "0005", "branch_code": "001", "account_type": "futsu", "account_number": "1234567"}


def _headers(client: TestClient, key: str | None = None) -> dict[str, str]:
    send_csrf_header(client)  # a cookie session sends its CSRF token in the header
    return {"X-CSRF-Token": client.headers[csrf.HEADER]} | ({"Idempotency-Key": key} if key else {})


def test_the_widow_lists_and_files_through_the_api(
    app: FastAPI, client: TestClient, database: Database, world: World
) -> None:
    husband, wife = _couple(database)
    _death(database, husband, wife)
    login_as(client, database, Principal(kind="resident", subject_id=wife))
    assert client.get(API).json() == [
        {"deceased_id": husband, "name": "高橋 茂", "date_of_death": "2026-11-18"}
    ]
    listed = client.get(f"{API}/{husband}").json()
    assert listed["relationship"] == "妻（同一世帯）"
    assert {"sosaihi-shikyu", "kaigo-shikaku-soshitsu"} <= set(listed["to_file"])
    counter = next(i for i in listed["items"] if i["kind"] == "counter")
    assert counter["place"] and counter["procedure_id"] is None

    body = {"procedures": ["sosaihi-shikyu", "kaigo-shikaku-soshitsu"], "answers": ACCOUNT}
    unkeyed = client.post(f"{API}/{husband}/filings", json=body, headers=_headers(client))
    assert unkeyed.status_code == 422 and unkeyed.headers["content-type"] == "application/problem+json"
    first = client.post(f"{API}/{husband}/filings", json=body, headers=_headers(client, "okuyami-api-0001"))
    assert first.status_code == 201
    parts = {p["procedure_id"]: p for p in first.json()["parts"]}
    assert parts["kaigo-shikaku-soshitsu"]["outcome"] == "filed"
    refused = parts["sosaihi-shikyu"]  # the funeral date: the one thing no register knows
    assert refused["outcome"] == "refused" and refused["application"] is None
    assert [e["field"] for e in refused["errors"]] == ["funeral_date"]
    care = parts["kaigo-shikaku-soshitsu"]["application"]

    again = client.post(f"{API}/{husband}/filings", json=body, headers=_headers(client, "okuyami-api-0001"))
    assert again.status_code == 200  # the same key and body: the same application, nothing new
    assert {p["procedure_id"]: p["application"] for p in again.json()["parts"]}[
        "kaigo-shikaku-soshitsu"
    ] == care

    body = {"procedures": ["sosaihi-shikyu", "kaigo-shikaku-soshitsu"], "answers": {**ACCOUNT,
            "funeral_date": "2026-11-22"}}  # fmt: skip
    second = client.post(f"{API}/{husband}/filings", json=body, headers=_headers(client, "okuyami-api-0002"))
    assert second.status_code == 201
    outcomes = {p["procedure_id"]: p["outcome"] for p in second.json()["parts"]}
    assert outcomes == {"sosaihi-shikyu": "filed", "kaigo-shikaku-soshitsu": "already-filed"}
    assert client.get(f"{API}/{husband}").json()["to_file"] == []

    nothing = client.post(
        f"{API}/{husband}/filings",
        json={"procedures": ["no-such"]},
        headers=_headers(client, "okuyami-api-0003"),
    )
    assert (nothing.status_code, nothing.json()["code"]) == (422, "bereavement-nothing-to-file")


def test_refusals_are_problems(client: TestClient, database: Database, world: World) -> None:
    husband, wife = _couple(database)
    _death(database, husband, wife)
    assert client.get(f"{API}/{husband}").status_code == 401
    login_as(client, database, Principal(kind="resident", subject_id=world.resident_id))
    outsider = client.get(f"{API}/{husband}")
    assert (outsider.status_code, outsider.json()["code"]) == (403, "bereavement-not-family")
    assert outsider.headers["content-type"] == "application/problem+json"
    assert client.get(API).json() == []
    missing = client.get(f"{API}/{world.other_resident_id}")
    assert (missing.status_code, missing.json()["code"]) == (404, "bereavement-no-death")
    filed = client.post(
        f"{API}/{husband}/filings",
        json={"procedures": ["sosaihi-shikyu"]},
        headers=_headers(client, "okuyami-api-0004"),
    )
    assert (filed.status_code, filed.json()["code"]) == (403, "bereavement-not-family")
    login_as(client, database, Principal(kind="resident", subject_id=husband))
    deceased = client.get(f"{API}/{husband}")
    assert (deceased.status_code, deceased.json()["code"]) == (403, "bereavement-deceased-principal")
