"""引越しワンストップ: 転出届 + 転入予約 (転出証明書情報 through the mesh) + consented companies only."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import CHIYODA, YOKOSUKA, World

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.mesh.push import service as push
from tsunagu.procedures.onestop import service as onestop

MOVE = {
    "destination_address": "神奈川県横須賀市小川町1-1",
    "moving_date": "2026-11-25",
    "visit_date": "2026-11-27",
    "phone": "090-1234-5678",
    "companies": ["tsunagu-power"],
}
URL = "/api/v1/procedures/moving"


def test_one_move_submits_each_part_once_with_its_own_status(
    resident_client: TestClient,
    database: Database,
    app: FastAPI,
    world: World,
    fixed_clock: clock.FixedClock,
) -> None:
    nodes = app.state.mesh_nodes
    response = resident_client.post(URL, json=MOVE, headers={"Idempotency-Key": "move-00000001"})
    assert response.status_code == 200, response.text
    parts = {p["name"]: p for p in response.json()["parts"]}
    assert parts["tenshutsu"]["receipt_number"].startswith(f"2026-{CHIYODA}-")
    assert parts["tennyu-yoyaku"]["receipt_number"].startswith(f"2026-{YOKOSUKA}-")
    assert parts["tennyu-yoyaku"]["detail"] == onestop.EVIDENCE_PENDING  # no 転出証明書情報 before acceptance
    assert parts["tsunagu-power"]["status"] == "consented"  # told nothing at submission

    again = resident_client.post(URL, json=MOVE, headers={"Idempotency-Key": "move-00000001"}).json()
    assert again == response.json()
    assert resident_client.get("/api/v1/procedures/applications").json()["total"] == 2

    login_as(resident_client, database, World.staff(CHIYODA))
    decide = f"/api/v1/procedures/backoffice/applications/{parts['tenshutsu']['application_id']}/decision"
    for action in ("start_review", "approve"):
        assert resident_client.post(decide, json={"action": action}).status_code == 200
    login_as(resident_client, database, world.resident())
    tennyu = resident_client.get(
        f"/api/v1/procedures/applications/{parts['tennyu-yoyaku']['application_id']}"
    )
    [evidence] = tennyu.json()["evidence"]  # sent ahead when 千代田区 accepted the 転出届
    assert evidence["status"] == "ok" and evidence["provider"] == CHIYODA
    assert evidence["legal_basis_id"] == f"tenshutsu-shomei-{CHIYODA}-{YOKOSUKA}"
    assert push.deliver_due(nodes.context(CHIYODA)).delivered == 0  # the move date has not come

    fixed_clock.advance(timedelta(days=3))  # 2026-11-25, the declared date
    assert onestop.run_due(database, nodes.context) == 1
    login_as(resident_client, database, world.resident())
    assert push.deliver_due(nodes.context(CHIYODA)).delivered == 1  # only the consented company
    bundle = response.json()["id"]
    live = {p["name"]: p for p in resident_client.get(f"{URL}/{bundle}").json()["parts"]}
    assert live["tsunagu-power"]["status"] == "delivered"  # the outbox's state, not a snapshot
    with database.session() as db:
        [received] = push.received(db, "tsunagu-power")
    assert received.kind == "moving_notice" and received.provider == CHIYODA
    assert received.payload == {
        "address": {"text": MOVE["destination_address"]},
        "effective_date": MOVE["moving_date"],
    }
    history = resident_client.get("/api/v1/mesh/history").json()["items"]
    [notice] = [i for i in history if i["kind"] == "notification"]
    assert notice["requester"]["code"] == "tsunagu-power" and notice["law_ja"] == "同意に基づく提供"


def test_no_company_hears_of_the_move_without_consent(
    resident_client: TestClient, database: Database, app: FastAPI
) -> None:
    body = resident_client.post(
        URL, json={**MOVE, "companies": []}, headers={"Idempotency-Key": "move-00000002"}
    ).json()
    assert [p["name"] for p in body["parts"]] == ["tenshutsu", "tennyu-yoyaku"]
    assert push.deliver_due(app.state.mesh_nodes.context(CHIYODA)).delivered == 0
    with database.session() as db:
        assert push.received(db, "tsunagu-power") == []


def test_the_pages_show_each_part(resident_client: TestClient) -> None:
    form = resident_client.get("/moving")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    key = re.search(r'name="key" value="([^"]+)"', form.text)
    assert token and key
    bad = resident_client.post("/moving", data={**MOVE, "phone": "12", "csrf_token": token[1], "key": key[1]})
    assert bad.status_code == 422 and 'id="e-phone"' in bad.text and 'value="12"' in bad.text
    review = resident_client.post("/moving", data={**MOVE, "csrf_token": token[1], "key": key[1]})
    assert review.status_code == 200 and "申請内容の確認" in review.text and "令和8年11月25日" in review.text
    assert "佐藤 花子" in review.text and "つなぐ電力" in review.text
    assert resident_client.get("/api/v1/procedures/applications").json()["total"] == 0  # nothing filed yet
    hidden: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', review.text):
        hidden.setdefault(name, []).append(unescape(value))
    done = resident_client.post("/moving/confirm", data=hidden)
    assert done.status_code == 200, done.text[-3000:]
    assert "2026-131016-" in done.text and "2026-142018-" in done.text
    assert "つなぐ電力" in done.text and "同意済み" in done.text
    again = resident_client.post("/moving/confirm", data=hidden)
    assert again.status_code == 200  # the same form again files nothing more
    assert resident_client.get("/api/v1/procedures/applications").json()["total"] == 2


def test_the_review_says_when_the_new_address_is_not_in_the_address_registry(
    resident_client: TestClient,
) -> None:
    form = resident_client.get("/moving")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    key = re.search(r'name="key" value="([^"]+)"', form.text)
    assert token and key
    unknown = {
        **MOVE,
        "destination_address": "神奈川県横須賀市存在しない町99",
        "csrf_token": token[1],
        "key": key[1],
    }
    review = resident_client.post("/moving", data=unknown)
    assert review.status_code == 200 and "住所の台帳で確認できませんでした" in review.text
    known_address = {**unknown, "destination_address": MOVE["destination_address"]}
    known = resident_client.post("/moving", data=known_address)
    assert known.status_code == 200 and "住所の台帳で確認できませんでした" not in known.text
