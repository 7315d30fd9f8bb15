"""補正 and 取下げ through the API: staff return with the fields to correct, the applicant
resubmits only those (idempotently) or withdraws; illegal steps are 409, others' applications 403."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import World
from tests.procedures.applying.test_api import TENSHUTSU, URL, submit
from tests.procedures.applying.test_backoffice import STAFF_URL, applied

from tsunagu.core.database import Database


def returned(client: TestClient, database: Database, world: World, fields: list[str]) -> dict[str, Any]:
    app = applied(client, database, world)
    login_as(client, database, World.staff())
    client.post(f"{STAFF_URL}/{app['id']}/decision", json={"action": "start_review"})
    back = client.post(
        f"{STAFF_URL}/{app['id']}/decision",
        json={"action": "return", "reason": "電話番号がつながりません", "fields": fields},
    )
    assert back.status_code == 200 and back.json()["status"] == "returned", back.text
    login_as(client, database, world.resident())
    return app


def resubmit(client: TestClient, application_id: str, data: dict[str, Any], key: str = "fix-000001") -> Any:
    return client.post(
        f"{URL}/{application_id}/resubmit", json={"data": data}, headers={"Idempotency-Key": key}
    )


def test_resubmission_changes_only_the_flagged_fields_once(
    client: TestClient, database: Database, world: World
) -> None:
    app = returned(client, database, world, ["phone"])
    refused = resubmit(client, app["id"], {"phone": "03-1234-5678", "movers": "some-members"})
    assert refused.status_code == 422
    assert [e["location"][-1] for e in refused.json()["errors"]] == ["movers"]
    assert refused.json()["errors"][0]["message"] == "This field was not asked to be corrected."
    invalid = resubmit(client, app["id"], {"phone": "12"}, key="fix-000002")
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["location"][-1] == "phone"

    first = resubmit(client, app["id"], {"phone": "03-1234-5678"}, key="fix-000003")
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["status"] == "submitted" and body["data"]["phone"] == "0312345678"
    assert body["data"]["movers"] == TENSHUTSU["data"]["movers"]  # type: ignore[index]
    assert [(a["from_status"], a["to_status"]) for a in body["audit"]][-1] == ("returned", "submitted")
    again = resubmit(client, app["id"], {"phone": "03-1234-5678"}, key="fix-000003")
    assert again.status_code == 200 and again.json()["audit"] == body["audit"]
    reused = resubmit(client, app["id"], {"phone": "03-9999-0000"}, key="fix-000003")
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency-key-reused"
    late = resubmit(client, app["id"], {"phone": "03-9999-0000"}, key="fix-000004")
    assert late.status_code == 409 and late.json()["code"] == "application-illegal-transition"

    titles = [m["title"] for m in client.get("/api/v1/notify/messages").json()["items"]]
    assert any("差戻し" in t for t in titles) and any("再提出を受け付けました" in t for t in titles)
    login_as(client, database, World.staff())
    inbox = client.get(STAFF_URL, params={"status": "submitted"}).json()["items"]
    assert [a["id"] for a in inbox] == [app["id"]]


def test_without_flagged_fields_every_own_field_may_change(
    client: TestClient, database: Database, world: World
) -> None:
    app = returned(client, database, world, [])
    changed = {"movers": "some-members", "members": [world.resident_id], "phone": "03-1234-5678"}
    done = resubmit(client, app["id"], changed)
    assert done.status_code == 200, done.text
    assert done.json()["data"]["movers"] == "some-members"
    assert done.json()["data"]["members"] == [world.resident_id]


def test_registry_values_cannot_be_changed_on_resubmission(
    client: TestClient, database: Database, world: World
) -> None:
    app = returned(client, database, world, [])
    name = {"family": "山田", "given": "太郎", "family_kana": "やまだ", "given_kana": "たろう"}
    forged = resubmit(client, app["id"], {"applicant_name": name})
    assert forged.status_code == 422 and forged.json()["errors"][0]["location"][-1] == "applicant_name"


def test_withdraw_once_then_decided_applications_cannot_be_withdrawn(
    client: TestClient, database: Database, world: World
) -> None:
    app = applied(client, database, world)
    gone = client.post(f"{URL}/{app['id']}/withdraw", json={"reason": "引越しをやめました"})
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"
    assert gone.json()["audit"][-1]["reason"] == "引越しをやめました"
    assert client.post(f"{URL}/{app['id']}/withdraw", json={}).json()["audit"] == gone.json()["audit"]
    late = resubmit(client, app["id"], {"phone": "03-1234-5678"})
    assert late.status_code == 409 and late.json()["code"] == "application-illegal-transition"
    assert late.json()["allowed"] == []

    second = submit(client, TENSHUTSU, key="key-0000002").json()  # type: ignore[attr-defined]
    login_as(client, database, World.staff())
    client.post(f"{STAFF_URL}/{second['id']}/decision", json={"action": "start_review"})
    login_as(client, database, world.resident())
    refused = client.post(f"{URL}/{second['id']}/withdraw", json={})
    assert refused.status_code == 409 and refused.json()["code"] == "application-illegal-transition"


def test_others_cannot_withdraw_or_resubmit(client: TestClient, database: Database, world: World) -> None:
    app = returned(client, database, world, [])
    login_as(client, database, World(world.other_resident_id, world.resident_id, world.secret).resident())
    assert client.post(f"{URL}/{app['id']}/withdraw", json={}).status_code == 403
    forbidden = resubmit(client, app["id"], {"phone": "03-1234-5678"})
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "application-forbidden"
    login_as(client, database, World.staff())
    assert client.post(f"{URL}/{app['id']}/withdraw", json={}).status_code == 403


def test_return_names_only_fields_of_the_procedure(
    client: TestClient, database: Database, world: World
) -> None:
    app = applied(client, database, world)
    login_as(client, database, World.staff())
    client.post(f"{STAFF_URL}/{app['id']}/decision", json={"action": "start_review"})
    bad = client.post(
        f"{STAFF_URL}/{app['id']}/decision", json={"action": "return", "reason": "x", "fields": ["nope"]}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["location"] == ["body", "fields"]
