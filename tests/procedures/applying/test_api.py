"""Applying through the API: prefill through the mesh, idempotency, errors, evidence, 403s."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import login_as
from tests.procedures.applying.conftest import CHIYODA, YOKOSUKA, World

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.identity.history import service as history
from tsunagu.mesh.directory import schemas as directory_schemas
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.node import directory_client
from tsunagu.migrations.schema import metadata
from tsunagu.registry.residents import moving

URL = "/api/v1/procedures/applications"
TENSHUTSU = {
    "procedure_id": "tenshutsu",
    "data": {
        "destination_address": {"text": "神奈川県横須賀市小川町1-1"},
        "moving_date": "2026-11-20",
        "movers": "whole-household",
        "phone": "090-1234-5678",
    },
}


def submit(client: TestClient, body: dict[str, object], key: str = "key-0000001") -> object:
    return client.post(URL, json=body, headers={"Idempotency-Key": key})


def test_submission_is_prefilled_through_the_mesh_with_provenance(resident_client: TestClient) -> None:
    response = submit(resident_client, TENSHUTSU)
    assert response.status_code == 201, response.text
    app = response.json()
    assert re.fullmatch(r"2026-131016-\d{6}", app["receipt_number"])
    assert app["organization_code"] == CHIYODA and app["status"] == "submitted"
    assert app["data"]["applicant_name"]["family"] == "佐藤"
    assert app["prefilled"]["applicant_name"]["provider"] == CHIYODA
    assert app["prefilled"]["current_address"]["legal_basis_id"] == f"todokede-juri-{CHIYODA}"
    assert resident_client.get(f"{URL}/{app['id']}").json()["receipt_number"] == app["receipt_number"]


def test_the_same_key_returns_the_same_receipt_and_a_changed_body_is_refused(
    resident_client: TestClient,
) -> None:
    first = submit(resident_client, TENSHUTSU).json()
    again = submit(resident_client, TENSHUTSU)
    assert again.status_code == 200 and again.json()["receipt_number"] == first["receipt_number"]
    changed = submit(resident_client, {**TENSHUTSU, "data": {**TENSHUTSU["data"], "movers": "some-members"}})
    assert changed.status_code == 409 and changed.json()["code"] == "idempotency-key-reused"
    assert resident_client.get(URL).json()["total"] == 1


def test_a_missing_key_is_refused(resident_client: TestClient) -> None:
    response = resident_client.post(URL, json=TENSHUTSU)
    assert response.status_code == 422 and "Idempotency-Key" in response.text


def test_invalid_fields_are_listed_one_by_one(resident_client: TestClient) -> None:
    response = submit(
        resident_client,
        {"procedure_id": "tenshutsu", "data": {"moving_date": "next week", "movers": "everyone"}},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "application-invalid"
    fields = {e["location"][-1]: e for e in problem["errors"]}
    assert set(fields) == {"moving_date", "movers", "destination_address", "phone"}
    assert fields["moving_date"]["message_id"].startswith("日付を")


def test_a_changed_registry_value_is_refused(resident_client: TestClient) -> None:
    forged = {
        **TENSHUTSU,
        "data": {
            **TENSHUTSU["data"],
            "applicant_name": {
                "family": "山田",
                "given": "太郎",
                "family_kana": "ヤマダ",
                "given_kana": "タロウ",
            },
        },
    }
    response = submit(resident_client, forged)
    assert response.status_code == 403 and response.json()["code"] == "application-tampered"


def test_someone_elses_application_is_forbidden(client: TestClient, database: Database, world: World) -> None:
    login_as(client, database, world.resident())
    app = submit(client, TENSHUTSU).json()
    login_as(
        client, database, world.resident().__class__(kind="resident", subject_id=world.other_resident_id)
    )
    assert client.get(f"{URL}/{app['id']}").status_code == 403
    assert client.get(f"{URL}/not-an-id").status_code == 403
    login_as(client, database, World.staff(YOKOSUKA))
    assert client.get(f"{URL}/{app['id']}").status_code == 403


def test_a_provider_that_is_down_leaves_the_application_saved_for_a_retry(
    resident_client: TestClient, database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """転入予約: the destination fetches the 転出証明書情報 from the former municipality."""
    with database.session() as db:
        chiyoda = directory.get_organization(db, CHIYODA)
        assert chiyoda is not None
        down = chiyoda.model_copy(update={"endpoint": "http://127.0.0.1:9/down"})
        directory.put_organization(db, down, "test")
    body = {
        "procedure_id": "tennyu-yoyaku",
        "data": {
            "applicant_name": {
                "family": "佐藤",
                "given": "花子",
                "family_kana": "サトウ",
                "given_kana": "ハナコ",
            },
            "destination_address": {"text": "神奈川県横須賀市小川町1-1"},
            "moving_date": "2026-11-25",
            "visit_date": "2026-11-26",
            "phone": "090-1234-5678",
        },
    }
    response = submit(resident_client, body, key="tennyu-000001")
    assert response.status_code == 201, response.text
    app = response.json()
    assert app["organization_code"] == YOKOSUKA
    [evidence] = app["evidence"]
    assert evidence["status"] == "unavailable" and "procedures-mesh-unavailable" in evidence["error"]
    with database.engine.connect() as connection:
        table = metadata.tables["procedures_applications"]
        stored = connection.execute(select(table.c.status)).scalars().all()
    assert stored == ["submitted"]
    with database.session() as db:
        directory.put_organization(
            db, directory_schemas.Organization.model_validate(chiyoda.model_dump()), "test"
        )
    later = time.monotonic() + 3600  # past the nodes' directory cache, so the repair is seen
    monkeypatch.setattr(directory_client.time, "monotonic", lambda: later)
    retried = resident_client.post(f"{URL}/{app['id']}/evidence/retry").json()
    [evidence] = retried["evidence"]
    assert evidence["status"] == "unavailable"  # reachable, but the 転出届 is not accepted yet
    assert "mesh-unknown-subject" in evidence["error"]
    with database.session() as db:  # 千代田区 accepts the 転出届: its 転出証明書情報 now exists
        moving.plan_move_out(
            db,
            world.resident_id,
            whole_household=True,
            members=[],
            destination="神奈川県横須賀市小川町1-1",
            effective_date=date(2026, 11, 25),
            source="tenshutsu-accepted",
            actor="test",
        )
    retried = resident_client.post(f"{URL}/{app['id']}/evidence/retry").json()
    [evidence] = retried["evidence"]
    assert evidence["status"] == "ok", evidence["error"]
    certificate = evidence["data"]["certificate"]
    assert evidence["provider"] == CHIYODA and certificate["origin"]["name"] == "東京都千代田区"
    assert [m["name"]["family"] for m in certificate["movers"]] == ["佐藤"]
    assert certificate["moving_date"] == "2026-11-25"
    assert re.fullmatch(r"[0-9a-f]{32}", evidence["log_reference"])


def test_a_registered_proxy_applies_and_both_see_it(
    client: TestClient, database: Database, world: World
) -> None:
    world.log_in_proxy(client, database)
    response = client.post(
        URL,
        json={**TENSHUTSU, "on_behalf_of": world.resident_id},
        headers={"Idempotency-Key": "proxy-000001"},
    )
    assert response.status_code == 201, response.text
    app = response.json()
    assert app["data"]["applicant_name"]["family"] == "佐藤"  # the person's registry data, not the proxy's
    assert client.get(URL).json()["total"] == 1
    login_as(client, database, world.resident())
    assert client.get(f"{URL}/{app['id']}").status_code == 200
    with database.session() as db:
        events = {e.kind for e in history.events_of(db, "resident", world.resident_id)[0]}
    assert "acted-by-proxy" in events


def test_someone_who_is_not_a_proxy_is_refused(client: TestClient, database: Database, world: World) -> None:
    login_as(client, database, Principal(kind="resident", subject_id=world.other_resident_id))
    response = client.post(
        URL,
        json={**TENSHUTSU, "on_behalf_of": world.resident_id},
        headers={"Idempotency-Key": "proxy-000002"},
    )
    assert response.status_code == 403 and response.json()["code"] == "proxy-not-authorized"
