"""The directory console and API: members, keys, services, 事務, subscriptions, audit, version."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.mesh.conftest import CHIYODA, World, csrf_token, post_form

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.mesh import errors
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node import service as node

ADMIN = Principal(
    kind="staff", subject_id="admin-1", organization_code="digital-agency", roles=frozenset({"管理"})
)
API = "/api/v1/mesh/directory"
MEMBER = {
    "code": "tsunagu-gas",
    "name_ja": "つなぐガス",
    "name_en": "Tsunagu Gas",
    "kind": "private",
    "endpoint": "http://127.0.0.1:8199",
}
SERVICE: dict[str, Any] = {
    "provider": "tsunagu-gas",
    "code": "gas-contract",
    "version": "v1",
    "title_ja": "ガス契約",
    "items": [{"name": "address", "type": "Address", "title_ja": "供給地点"}],
    "response_schema": {"type": "object", "properties": {"address": {"type": "object"}}},
}


def _admin(client: TestClient, database: Database) -> dict[str, str]:
    login_as(client, database, ADMIN)
    return {"x-csrf-token": csrf_token(client.get("/mesh/directory").text)}


def _locations(response: Any) -> list[str]:
    return [e["location"][-1] for e in response.json()["errors"]]


@pytest.mark.parametrize("roles", [frozenset({"閲覧"}), frozenset({"管理"})])
def test_only_the_operators_administrators_reach_the_console(
    client: TestClient, database: Database, world: World, roles: frozenset[str]
) -> None:
    organization = "digital-agency" if roles == {"閲覧"} else CHIYODA
    login_as(
        client, database, Principal(kind="staff", subject_id="s", organization_code=organization, roles=roles)
    )
    for path in (
        "/mesh/directory",
        "/mesh/directory/audit",
        f"/mesh/directory/organizations/{CHIYODA}",
        f"{API}/organizations",
        f"{API}/audit",
    ):
        assert client.get(path).status_code == 403, path


def test_the_api_refuses_duplicates_unknown_references_and_illegal_schemas(
    client: TestClient, database: Database, world: World
) -> None:
    headers = _admin(client, database)
    assert client.post(f"{API}/organizations", json=MEMBER, headers=headers).status_code == 201
    duplicate = client.post(f"{API}/organizations", json=MEMBER, headers=headers)
    assert duplicate.status_code == 409 and duplicate.headers["content-type"] == "application/problem+json"
    remote = client.post(
        f"{API}/organizations",
        headers=headers,
        json=MEMBER | {"code": "far-away", "endpoint": "https://example.org/node"},
    )
    assert remote.status_code == 422 and _locations(remote) == ["endpoint"]

    unknown = client.post(f"{API}/services", json=SERVICE | {"provider": "nobody"}, headers=headers)
    assert unknown.status_code == 422 and _locations(unknown) == ["provider"]
    illegal = client.post(
        f"{API}/services", json=SERVICE | {"response_schema": {"type": 12}}, headers=headers
    )
    assert illegal.status_code == 422 and _locations(illegal) == ["response_schema"]
    untyped = client.post(
        f"{API}/services",
        headers=headers,
        json=SERVICE | {"items": [{"name": "address", "type": "Blob", "title_ja": "x"}]},
    )
    assert untyped.status_code == 422 and "type" in _locations(untyped)
    assert client.post(f"{API}/services", json=SERVICE, headers=headers).status_code == 201
    assert client.post(f"{API}/services", json=SERVICE, headers=headers).status_code == 409

    basis = {
        "id": "gas-tenkyo",
        "kind": "consent",
        "title_ja": "ガス契約の住所変更",
        "law_ja": "本人の同意",
        "consumer": "tsunagu-gas",
        "provider": CHIYODA,
        "service_code": "resident-basic",
        "items": ["address"],
    }
    no_consumer = client.post(f"{API}/legal-bases", json=basis | {"consumer": "nobody"}, headers=headers)
    assert no_consumer.status_code == 422 and _locations(no_consumer) == ["consumer"]
    assert client.post(f"{API}/legal-bases", json=basis, headers=headers).status_code == 201
    assert client.post(f"{API}/legal-bases", json=basis, headers=headers).status_code == 409
    subscription = {
        "subscriber": "tsunagu-gas",
        "provider": CHIYODA,
        "event_kinds": ["address_changed"],
        "legal_basis_id": "gas-tenkyo",
        "endpoint": "http://127.0.0.1:8199",
    }
    created = client.post(f"{API}/subscriptions", json=subscription, headers=headers)
    assert created.status_code == 201
    paused = client.post(f"{API}/subscriptions/{created.json()['id']}/pause", headers=headers).json()
    assert paused["active"] is False
    assert client.post(f"{API}/subscriptions/{paused['id']}/resume", headers=headers).json()["active"] is True
    wrong_basis = client.post(
        f"{API}/subscriptions",
        headers=headers,
        json=subscription | {"legal_basis_id": f"kaigo-hoken-{CHIYODA}"},
    )
    assert wrong_basis.status_code == 422 and _locations(wrong_basis) == ["legal_basis_id"]


def test_every_change_is_audited_with_before_and_after_and_raises_the_version(
    client: TestClient, database: Database, world: World
) -> None:
    headers = _admin(client, database)
    version = client.get(f"{API}/version").json()["version"]
    client.post(f"{API}/organizations", json=MEMBER, headers=headers)
    changed = client.put(
        f"{API}/organizations/tsunagu-gas", json=MEMBER | {"name_ja": "つなぐガス株式会社"}, headers=headers
    )
    assert changed.status_code == 200
    entry = client.get(f"{API}/audit?limit=1").json()["items"][0]
    assert (entry["action"], entry["actor"]) == ("organization.update", "digital-agency:admin-1")
    assert (entry["detail"]["before"]["name_ja"], entry["detail"]["after"]["name_ja"]) == (
        "つなぐガス",
        "つなぐガス株式会社",
    )
    assert client.get(f"{API}/version").json()["version"] == version + 2
    page = client.get("/mesh/directory/audit")
    assert "つなぐガス株式会社" in page.text and "参加機関の変更" in page.text


def test_a_deactivated_member_and_a_revoked_basis_are_refused(
    client: TestClient, database: Database, world: World
) -> None:
    headers = _admin(client, database)
    with database.session() as db:
        subject = codes.code_for(db, CHIYODA, world.resident_id)
    ask = wire.LocalQuery(
        provider="jpn-pension", service="pension-status", purpose=f"kaigo-hoken-{CHIYODA}", subject=subject
    )
    assert node.query(world.node(CHIYODA), ask).data
    revoked = client.post(f"{API}/legal-bases/kaigo-hoken-{CHIYODA}/revoke", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    with pytest.raises(errors.NoLegalBasis):
        node.query(world.node(CHIYODA), ask)
    assert client.post(f"{API}/legal-bases/kaigo-hoken-{CHIYODA}/revoke", headers=headers).status_code == 409

    assert client.post(f"{API}/organizations/{CHIYODA}/deactivate", headers=headers).json()["active"] is False
    with pytest.raises(errors.BadSignature):  # its signatures are no longer accepted
        node.query(world.node(CHIYODA), ask.model_copy(update={"purpose": f"jidou-teate-{CHIYODA}"}))


def test_the_console_forms_create_edit_and_deactivate(
    client: TestClient, database: Database, world: World
) -> None:
    login_as(client, database, ADMIN)
    new = "/mesh/directory/organizations/new"
    bad = post_form(client, new, "/mesh/directory/organizations", MEMBER | {"endpoint": "http://10.0.0.1"})
    assert bad.status_code == 422 and 'value="つなぐガス"' in bad.text
    assert "接続先: この環境では、ループバックアドレス" in bad.text and "loopback" not in bad.text
    assert post_form(client, new, "/mesh/directory/organizations", MEMBER).status_code == 200
    again = post_form(client, new, "/mesh/directory/organizations", MEMBER)
    assert again.status_code == 409 and "already a member" not in again.text
    assert "同じコード(サービスは同じ版)のものがすでに登録されています。" in again.text
    page = "/mesh/directory/organizations/tsunagu-gas"
    edited = post_form(client, page, page, MEMBER | {"name_ja": "つなぐガス株式会社"})
    assert edited.status_code == 200 and "つなぐガス株式会社" in edited.text
    stopped = post_form(client, page, f"{page}/active", {"active": ""})
    assert "停止" in stopped.text

    form = {
        "provider": "tsunagu-gas",
        "code": "gas-contract",
        "version": "v1",
        "title_ja": "ガス契約",
        "item_name_0": "address",
        "item_type_0": "Address",
        "item_title_0": "供給地点",
        "item_name_1": "",
        "item_type_1": "string",
        "item_title_1": "",
        "response_schema": '{"type": "object"}',
    }
    broken = post_form(
        client,
        "/mesh/directory/services/new",
        "/mesh/directory/services",
        form | {"response_schema": '{"type": "nothing"}'},
    )
    assert broken.status_code == 422 and "response_schema" in broken.text
    created = post_form(client, "/mesh/directory/services/new", "/mesh/directory/services", form)
    assert created.status_code == 200
    shown = client.get("/mesh/directory/services/tsunagu-gas/gas-contract/v1")
    assert 'value="address"' in shown.text and '<option value="Address" selected>' in shown.text

    basis = f"/mesh/directory/legal-bases/jidou-teate-{CHIYODA}"
    assert 'value="tax_year, total_income, dependents"' in client.get(basis).text
    post_form(client, basis, f"{basis}/revoke", {})
    assert "この事務は廃止されています" in client.get(basis).text


def test_the_console_pauses_subscriptions_and_rotates_and_revokes_keys(
    client: TestClient, database: Database, world: World
) -> None:
    login_as(client, database, ADMIN)
    subscriptions = client.get(f"{API}/subscriptions").json()["items"]
    first = subscriptions[0]["id"]
    post_form(client, "/mesh/directory", f"/mesh/directory/subscriptions/{first}/active", {"active": ""})
    assert client.get(f"{API}/subscriptions").json()["items"][0]["active"] is False

    page = f"/mesh/directory/organizations/{CHIYODA}"
    rotated = post_form(client, page, f"{page}/keys", {"overlap_days": "2"})
    assert rotated.status_code == 200 and "使用中" in rotated.text and "検証のみ" in rotated.text
    listed = client.get(f"{API}/organizations/{CHIYODA}/keys").json()
    old = next(k for k in listed if k["status"] == "verification-only")
    revoked = post_form(client, page, f"{page}/keys/revoke", {"kid": old["kid"], "reason": "test"})
    assert revoked.status_code == 200 and "失効" in revoked.text
    assert {k["status"] for k in client.get(f"{API}/organizations/{CHIYODA}/keys").json()} == {
        "current",
        "revoked",
    }


def test_a_refused_registration_form_is_not_shown_to_another_organizations_administrator(
    client: TestClient, database: Database, world: World
) -> None:
    staff = Principal(kind="staff", subject_id="s", organization_code=CHIYODA, roles=frozenset({"管理"}))
    login_as(client, database, staff)
    invalid = MEMBER | {"code": "不正なコード"}
    refused = post_form(client, "/", "/mesh/directory/organizations", invalid)
    assert refused.status_code == 403  # the use case refuses the caller, not the form's fields
    assert "不正なコード" not in refused.text


def test_the_console_names_kinds_events_and_log_entries_in_japanese(
    client: TestClient, database: Database, world: World
) -> None:
    """The console listed members as municipal/private, subscriptions as address_changed, died and
    its log as authorization … ok: the stored codes, in English, on a Japanese page."""
    login_as(client, database, ADMIN)
    page = re.sub(r"<[^>]+>", "\n", client.get("/mesh/directory").text)  # the text a person reads
    for shown in ("地方公共団体", "民間事業者", "住所の変更", "死亡"):
        assert shown in page, shown
    for code in ("municipal", "private", "address_changed", "died", "authorization"):
        assert not re.search(rf"(?<![\w/-]){code}(?![\w-])", page), code
    form = client.get("/mesh/directory/organizations/new").text
    assert '<option value="private">民間事業者</option>' in form
    english = client.get("/lang/en?next=/mesh/directory", follow_redirects=True).text
    assert "Local government" in english and "Change of address" in english
