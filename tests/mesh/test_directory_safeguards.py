"""A directory administrator cannot switch the mesh off by mistake or on purpose: the operator
itself is never deactivated, and no change leaves an active member without a usable key."""

from __future__ import annotations

from urllib.parse import quote

from fastapi.testclient import TestClient
from tests.mesh.conftest import CHIYODA, World
from tests.mesh.test_directory_console import API, _admin

from tsunagu.core.database import Database
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node import service as node


def _query(database: Database, world: World) -> wire.QueryResult:
    with database.session() as db:
        subject = codes.code_for(db, CHIYODA, world.resident_id)
    return node.query(
        world.node(CHIYODA),
        wire.LocalQuery(
            provider="jpn-pension",
            service="pension-status",
            purpose=f"kaigo-hoken-{CHIYODA}",
            subject=subject,
        ),
    )


def test_the_operator_cannot_be_deactivated(client: TestClient, database: Database, world: World) -> None:
    headers = _admin(client, database)
    refused = client.post(f"{API}/organizations/digital-agency/deactivate", headers=headers)
    assert refused.status_code == 409 and refused.json()["code"] == "mesh-operator-required"
    members = {o["code"]: o for o in client.get(f"{API}/organizations").json()["items"]}
    assert members["digital-agency"]["active"] is True
    assert _query(database, world).data  # the mesh still answers
    # another member can still be deactivated (and taken back)
    assert client.post(f"{API}/organizations/tsunagu-power/deactivate", headers=headers).status_code == 200
    assert client.post(f"{API}/organizations/tsunagu-power/activate", headers=headers).status_code == 200


def test_a_members_only_key_cannot_be_revoked_or_replaced_by_none(
    client: TestClient, database: Database, world: World
) -> None:
    headers = _admin(client, database)
    only = client.get(f"{API}/organizations/{CHIYODA}/keys", headers=headers).json()
    assert [k["status"] for k in only] == ["current"]
    kid = quote(only[0]["kid"], safe="")
    refused = client.post(
        f"{API}/organizations/{CHIYODA}/keys/{kid}/revoke", json={"reason": "test"}, headers=headers
    )
    assert refused.status_code == 409 and refused.json()["code"] == "mesh-last-key"
    member = next(o for o in client.get(f"{API}/organizations").json()["items"] if o["code"] == CHIYODA)
    emptied = client.put(
        f"{API}/organizations/{CHIYODA}",
        headers=headers,
        json={
            "code": CHIYODA,
            "name_ja": member["name_ja"],
            "name_en": member["name_en"],
            "kind": member["kind"],
            "endpoint": member["endpoint"],
            "keys": [],
        },
    )
    assert emptied.status_code == 409 and emptied.json()["code"] == "mesh-last-key"
    assert _query(database, world).data  # the city still signs and is answered
    # the safe order: rotate (a new current key), then revoke the old one
    assert (
        client.post(
            f"{API}/organizations/{CHIYODA}/keys", json={"overlap_days": 1}, headers=headers
        ).status_code
        == 201
    )
    revoked = client.post(
        f"{API}/organizations/{CHIYODA}/keys/{kid}/revoke", json={"reason": "test"}, headers=headers
    )
    assert revoked.status_code == 200
