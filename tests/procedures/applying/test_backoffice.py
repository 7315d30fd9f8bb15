"""The back office: state machine refusals, roles, other organizations, approval → registry,
signed notice in the お知らせ inbox that anyone can verify."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import CHIYODA, YOKOSUKA, World
from tests.procedures.applying.test_api import TENSHUTSU, URL, submit

from tsunagu.core.database import Database
from tsunagu.registry.residents import service as residents

STAFF_URL = "/api/v1/procedures/backoffice/applications"


def applied(client: TestClient, database: Database, world: World) -> dict[str, Any]:
    login_as(client, database, world.resident())
    response = submit(client, TENSHUTSU)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def step(client: TestClient, application_id: str, action: str, reason: str = "") -> Any:
    return client.post(f"{STAFF_URL}/{application_id}/decision", json={"action": action, "reason": reason})


def test_approval_moves_the_resident_out_and_sends_a_signed_notice(
    client: TestClient, database: Database, world: World
) -> None:
    app = applied(client, database, world)
    login_as(client, database, World.staff())
    listed = client.get(STAFF_URL, params={"status": "submitted"}).json()
    assert [a["receipt_number"] for a in listed["items"]] == [app["receipt_number"]]
    assert step(client, app["id"], "start_review").json()["status"] == "under_review"
    decided = step(client, app["id"], "approve").json()
    assert decided["status"] == "approved"
    assert [(a["from_status"], a["to_status"]) for a in decided["audit"]] == [
        ("", "submitted"),
        ("submitted", "under_review"),
        ("under_review", "approved"),
    ]
    with database.session() as db:
        record = residents.get_resident(db, world.resident_id)
        assert record is not None and record.status == "moved_out"
        assert [e.kind for e in residents.pending_events(db)] == ["move_out"]

    login_as(client, database, world.resident())
    messages = client.get("/api/v1/notify/messages").json()["items"]
    notice = next(m for m in messages if m["kind"] == "notice")
    assert "受理" in notice["body"] and app["receipt_number"] in notice["body"]
    verified = client.post("/api/v1/procedures/notices/verify", json={"document": notice["document"]}).json()
    assert verified["valid"] and verified["issuer"] == CHIYODA and verified["registered"]
    assert verified["payload"]["receipt_number"] == app["receipt_number"]

    header, payload, signature = notice["document"].split(".")
    forged = client.post(
        "/api/v1/procedures/notices/verify", json={"document": f"{header}.{payload[:-4]}AAAA.{signature}"}
    ).json()
    assert not forged["valid"]
    garbage = client.post("/api/v1/procedures/notices/verify", json={"document": "not a document"})
    assert garbage.status_code == 422 and garbage.json()["code"] == "notice-malformed"


def test_illegal_transitions_are_refused_with_a_specific_code(
    client: TestClient, database: Database, world: World
) -> None:
    app = applied(client, database, world)
    login_as(client, database, World.staff())
    refused = step(client, app["id"], "approve")
    assert refused.status_code == 409
    assert refused.json()["code"] == "application-illegal-transition"
    step(client, app["id"], "start_review")
    no_reason = step(client, app["id"], "reject")
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "application-reason-required"
    assert step(client, app["id"], "reject", "転出先の住所が確認できません").json()["status"] == "rejected"
    again = step(client, app["id"], "start_review")
    assert again.status_code == 409 and again.json()["code"] == "application-illegal-transition"


def test_returned_applications_tell_the_applicant_why(
    client: TestClient, database: Database, world: World
) -> None:
    app = applied(client, database, world)
    login_as(client, database, World.staff())
    step(client, app["id"], "start_review")
    assert step(client, app["id"], "return", "電話番号をご確認ください").json()["status"] == "returned"
    login_as(client, database, world.resident())
    titles = [m["title"] for m in client.get("/api/v1/notify/messages").json()["items"]]
    assert any("差戻し" in t for t in titles)
    assert client.get(f"{URL}/{app['id']}").json()["decision_reason"] == "電話番号をご確認ください"


def test_staff_of_another_organization_or_without_the_role_cannot_decide(
    client: TestClient, database: Database, world: World
) -> None:
    app = applied(client, database, world)
    login_as(client, database, World.staff(YOKOSUKA))
    assert step(client, app["id"], "start_review").status_code == 403
    assert client.get(STAFF_URL).json()["total"] == 0
    login_as(client, database, World.staff(CHIYODA, frozenset({"閲覧"})))
    refused = step(client, app["id"], "start_review")
    assert refused.status_code == 403 and refused.json()["code"] == "application-missing-role"
    login_as(client, database, world.resident())
    assert step(client, app["id"], "start_review").status_code == 403
