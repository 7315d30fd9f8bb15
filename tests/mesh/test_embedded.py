"""The embedded default (every node in the main process): staff query, push, やりとり履歴, consoles."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from tests.conftest import login_as
from tests.mesh.conftest import CHIYODA, TOWN_ID, World, csrf_token, post_form

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.mesh import errors
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node import service as node
from tsunagu.mesh.push import registry_events, worker
from tsunagu.mesh.push import service as push
from tsunagu.mesh.push.models import MeshPushDelivery
from tsunagu.registry.residents import service as residents

CITY_STAFF = Principal(kind="staff", subject_id="s-1", organization_code=CHIYODA, roles=frozenset({"審査"}))
OPERATOR_ADMIN = Principal(
    kind="staff", subject_id="admin-1", organization_code="digital-agency", roles=frozenset({"管理"})
)


def _resident(world: World) -> Principal:
    return Principal(kind="resident", subject_id=world.resident_id, display_name="佐藤 花子")


def test_staff_query_the_pension_office_and_see_both_logs(
    client: TestClient, database: Database, world: World
) -> None:
    login_as(client, database, CITY_STAFF)
    page = post_form(
        client,
        "/mesh/query",
        "/mesh/query",
        {"purpose": f"kaigo-hoken-{CHIYODA}", "person": world.resident_id},
    )
    assert page.status_code == 200, page.text
    assert "annual_amount" in page.text and "pension_type" in page.text
    for organization in (CHIYODA, "jpn-pension", "digital-agency"):
        assert f"{organization} (" in page.text
        assert message_log.verify(database, organization).ok


def test_per_service_metrics_count_requests_and_denials(
    client: TestClient, database: Database, world: World
) -> None:
    ctx = world.node(CHIYODA)
    subject = _code(database, CHIYODA, world.resident_id)
    node.query(
        ctx,
        wire.LocalQuery(
            provider="jpn-pension",
            service="pension-status",
            purpose=f"kaigo-hoken-{CHIYODA}",
            subject=subject,
        ),
    )
    with pytest.raises(errors.NoLegalBasis):
        node.query(
            ctx,
            wire.LocalQuery(
                provider="jpn-pension", service="pension-status", purpose="no-such-jimu", subject=subject
            ),
        )
    operator = Principal(
        kind="staff", subject_id="operator", organization_code="digital-agency", roles=frozenset({"管理"})
    )
    login_as(client, database, operator)  # the metrics are the platform operator's
    lines = client.get("/metrics").text.splitlines()

    def has(metric: str, *labels: str) -> bool:
        return any(line.startswith(metric + "{") and all(label in line for label in labels) for line in lines)

    service = 'service="jpn-pension/pension-status/v1"'
    assert has(
        "tsunagu_mesh_requests_total", f'organization="{CHIYODA}"', 'role="consumer"', service, 'result="ok"'
    )
    assert has("tsunagu_mesh_denials_total", 'role="provider"', service, 'code="mesh-no-legal-basis"')
    assert has("tsunagu_mesh_request_duration_seconds_bucket", 'role="provider"', service)


def test_a_refused_staff_query_says_why(client: TestClient, database: Database, world: World) -> None:
    login_as(client, database, CITY_STAFF)
    page = post_form(
        client, "/mesh/query", "/mesh/query", {"purpose": f"kaigo-hoken-{CHIYODA}", "person": "nobody-known"}
    )
    assert page.status_code == 404
    assert "mesh-unknown-subject" in page.text or "mesh-unknown" in page.text


def test_the_person_sees_who_used_their_data(client: TestClient, database: Database, world: World) -> None:
    node.query(
        world.node(CHIYODA),
        wire.LocalQuery(
            provider="jpn-pension",
            service="pension-status",
            purpose=f"kaigo-hoken-{CHIYODA}",
            subject=_code(database, CHIYODA, world.resident_id),
            items=["pension_type"],
        ),
    )
    login_as(client, database, _resident(world))
    body = client.get("/api/v1/mesh/history").json()
    assert body["total"] == 1
    exchange = body["items"][0]
    assert exchange["requester"]["name_ja"] == "東京都千代田区"
    assert exchange["holder"]["name_ja"] == "日本年金機構"
    assert exchange["items"] == ["年金の種類"]
    assert exchange["law_ja"].startswith("介護保険法")
    page = client.get("/mesh/history")
    assert page.status_code == 200 and "日本年金機構" in page.text
    client.cookies.set("tsunagu_lang", "en")
    english = client.get("/mesh/history").text
    assert "Japan Pension Service" in english and "Type of pension" in english


def test_a_withheld_investigation_appears_only_after_its_release_date(
    client: TestClient, database: Database, world: World, fixed_clock: clock.FixedClock
) -> None:
    tax_code = _code(database, "nta-kojimachi", world.resident_id)
    result = node.query(
        world.node("nta-kojimachi"),
        wire.LocalQuery(
            provider=CHIYODA,
            service="resident-basic",
            purpose=f"hansoku-chosa-{CHIYODA}",
            subject=tax_code,
            items=["name", "address"],
        ),
    )
    assert result.data["name"]["family_name"] == "佐藤"
    assert set(result.data) == {"name", "address"}
    login_as(client, database, _resident(world))
    assert client.get("/api/v1/mesh/history").json()["total"] == 0
    fixed_clock.advance(timedelta(days=364))
    login_as(client, database, _resident(world))
    assert client.get("/api/v1/mesh/history").json()["total"] == 0
    fixed_clock.advance(timedelta(days=2))
    login_as(client, database, _resident(world))
    items = client.get("/api/v1/mesh/history").json()["items"]
    assert [i["requester"]["code"] for i in items] == ["nta-kojimachi"]


def test_a_move_is_pushed_to_each_subscriber_with_only_its_items(database: Database, world: World) -> None:
    with database.session() as db:  # the private utility receives it only with the person's consent
        directory.grant_consent(
            db,
            subscriber="tsunagu-power",
            resident_id=world.resident_id,
            scope="moving",
            expires_at=clock.now() + timedelta(days=30),
            source="test",
        )
        residents.change_address(
            db,
            world.resident_id,
            residents.Residence(town_id=TOWN_ID + 1, banchi="5"),
            effective_date=date(2026, 11, 20),
            actor="test",
        )
    assert registry_events.pump(database, world.nodes.context) == 1
    run = push.deliver_due(world.node(CHIYODA))
    assert (run.delivered, run.failed) == (2, 0)
    with database.session() as db:
        pension = push.received(db, "jpn-pension")
        power = push.received(db, "tsunagu-power")
    assert [r.kind for r in pension] == ["address_changed"] == [r.kind for r in power]
    assert set(pension[0].payload) == {"name", "birth_date", "sex", "address", "effective_date"}
    assert set(power[0].payload) == {"address", "effective_date"}
    assert "一番町" in power[0].payload["address"]["text"]
    assert push.deliver_due(world.node(CHIYODA)).delivered == 0  # nothing left, nothing twice


def test_the_background_worker_publishes_and_delivers_a_move(database: Database, world: World) -> None:
    with database.session() as db:
        residents.change_address(
            db,
            world.resident_id,
            residents.Residence(town_id=TOWN_ID + 1, banchi="7"),
            effective_date=date(2026, 11, 20),
            actor="test",
        )
    stop = worker.run_in_background(database, world.nodes.contexts, world.nodes.context, interval=0.05)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with database.session() as db:
                if push.received(db, "jpn-pension"):
                    break
            time.sleep(0.05)
    finally:
        stop.set()
    with database.session() as db:
        assert [r.kind for r in push.received(db, "jpn-pension")] == ["address_changed"]
        assert push.received(db, "tsunagu-power") == []  # no consent, nothing sent


def test_failed_deliveries_become_dead_letters_the_admin_can_requeue(
    client: TestClient, database: Database, world: World
) -> None:
    city = world.node(CHIYODA)
    assert push.publish(city, "died", world.resident_id, {"effective_date": "2026-11-21"}) == 1
    with database.session() as db:
        db.execute(update(MeshPushDelivery).values(endpoint="http://127.0.0.1:9"))  # nobody listens
    at = clock.now()
    for attempt in range(city.settings.push_max_attempts):
        push.deliver_due(city, now=at + timedelta(days=attempt))
    login_as(client, database, OPERATOR_ADMIN)
    dead = client.get("/api/v1/mesh/push/dead-letters").json()
    assert dead["total"] == 1 and dead["items"][0]["subscriber"] == "jpn-pension"
    console = client.get("/mesh/directory")
    assert "配信できなかった通知" in console.text and "ConnectionRefusedError" in console.text
    requeued = client.post(
        f"/api/v1/mesh/push/dead-letters/{dead['items'][0]['id']}/requeue",
        headers={"x-csrf-token": csrf_token(console.text)},
    )
    assert requeued.status_code == 204
    assert client.get("/api/v1/mesh/push/dead-letters").json()["total"] == 0


def test_only_operator_administrators_manage_the_directory(
    client: TestClient, database: Database, world: World
) -> None:
    login_as(client, database, CITY_STAFF)
    assert client.get("/api/v1/mesh/directory/legal-bases").json()["code"] == "forbidden"
    login_as(client, database, OPERATOR_ADMIN)
    bases = client.get("/api/v1/mesh/directory/legal-bases").json()["items"]
    assert any(b["id"] == f"kaigo-hoken-{CHIYODA}" for b in bases)


def test_directory_changes_are_validated_and_audited(
    client: TestClient, database: Database, world: World
) -> None:
    login_as(client, database, OPERATOR_ADMIN)
    basis = {
        "id": "test-basis",
        "title_ja": "テスト事務",
        "law_ja": "テスト法第1条",
        "consumer": CHIYODA,
        "provider": "jpn-pension",
        "service_code": "pension-status",
        "items": ["no_such_item"],
    }
    page = post_form(
        client,
        "/mesh/directory",
        "/mesh/directory/legal-bases",
        {
            "basis_id": basis["id"],
            "title_ja": basis["title_ja"],
            "law_ja": basis["law_ja"],
            "consumer": CHIYODA,
            "provider": "jpn-pension",
            "service_code": "pension-status",
            "items": "no_such_item",
            "withheld_days": "0",
            "withheld_category": "",
        },
    )
    assert page.status_code == 422 and "no_such_item" in page.text
    page = post_form(
        client,
        "/mesh/directory",
        "/mesh/directory/legal-bases",
        {
            "basis_id": basis["id"],
            "title_ja": basis["title_ja"],
            "law_ja": basis["law_ja"],
            "consumer": CHIYODA,
            "provider": "jpn-pension",
            "service_code": "pension-status",
            "items": "pension_type",
            "withheld_days": "0",
            "withheld_category": "",
        },
    )
    assert page.status_code == 200  # redirected back to the console
    audit = client.get("/api/v1/mesh/directory/audit?limit=1").json()["items"][0]
    assert (audit["action"], audit["target"], audit["actor"]) == (
        "legal_basis.put",
        "test-basis",
        "digital-agency:admin-1",
    )


def test_an_unknown_embedded_node_is_a_problem_not_a_crash(client: TestClient, world: World) -> None:
    response = client.post("/mesh/nodes/no-such-org/v1/query", content="x")
    assert response.status_code == 404 and response.json()["code"] == "mesh-no-such-node"
    unsigned = client.post(f"/mesh/nodes/{CHIYODA}/v1/query", content="not a jws")
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "mesh-unsigned"


def _code(database: Database, organization: str, resident_id: str) -> str:
    with database.session() as db:
        link = codes.link_of_resident(db, resident_id)
        assert link is not None
        code = codes.code_of(db, organization, link)
    assert code is not None
    return code
