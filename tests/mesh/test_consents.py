"""同意の管理: the person sees the consents they gave and can withdraw each one."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.mesh.conftest import World, csrf_token, post_form

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import service as directory

POWER = "tsunagu-power"
API = "/api/v1/mesh/consents"


def _resident(world: World) -> Principal:
    return Principal(kind="resident", subject_id=world.resident_id)


def _consent(database: Database, resident_id: str, days: int = 30, source: str = "test") -> int:
    with database.session() as db:
        return directory.grant_consent(
            db,
            subscriber=POWER,
            resident_id=resident_id,
            scope="moving",
            expires_at=clock.now() + timedelta(days=days),
            source=source,
        ).id


def _live(database: Database, world: World) -> bool:
    with database.session() as db:
        link = codes.link_of_resident(db, world.resident_id)
        assert link is not None
        return directory.consented(db, POWER, link, "address_changed", clock.now())


def test_the_person_lists_and_withdraws_a_consent_by_api(
    client: TestClient, database: Database, world: World
) -> None:
    consent_id = _consent(database, world.resident_id)
    login_as(client, database, _resident(world))
    [listed] = client.get(API).json()
    assert (listed["id"], listed["status"], listed["company"]["code"]) == (consent_id, "active", POWER)
    headers = {"x-csrf-token": csrf_token(client.get("/mesh/consents").text)}
    withdrawn = client.post(f"{API}/{consent_id}/withdraw", headers=headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert not _live(database, world)
    again = client.post(f"{API}/{consent_id}/withdraw", headers=headers)
    assert again.json()["withdrawn_at"] == withdrawn.json()["withdrawn_at"]
    with database.session() as db:
        trail, _ = directory.audit_trail(db, 10, 0)
    assert [e.action for e in trail].count("consent.withdraw") == 1


def test_another_persons_consent_is_not_found(client: TestClient, database: Database, world: World) -> None:
    own, foreign = _consent(database, world.resident_id), _consent(database, "someone-else")
    login_as(client, database, _resident(world))
    headers = {"x-csrf-token": csrf_token(client.get("/mesh/consents").text)}
    refused = client.post(f"{API}/{foreign}/withdraw", headers=headers)
    assert refused.status_code == 404 and refused.headers["content-type"] == "application/problem+json"
    assert [c["id"] for c in client.get(API).json()] == [own]


def test_withdrawing_needs_the_forms_token_and_a_resident(
    client: TestClient, database: Database, world: World
) -> None:
    consent_id = _consent(database, world.resident_id)
    assert client.get(API).status_code == 401
    login_as(client, database, _resident(world))
    del client.headers["x-csrf-token"]  # a request without its token
    assert client.post(f"{API}/{consent_id}/withdraw").status_code == 403
    assert _live(database, world)


def test_the_page_withdraws_without_javascript_and_says_so(
    client: TestClient, database: Database, world: World
) -> None:
    consent_id = _consent(database, world.resident_id)
    expired = _consent(database, world.resident_id, days=-1, source="an earlier move")
    login_as(client, database, _resident(world))
    page = client.get("/mesh/consents").text
    assert page.count('action="/mesh/consents/') == 1 and "期限切れ" in page
    done = post_form(client, "/mesh/consents", f"/mesh/consents/{consent_id}/withdraw", {})
    assert done.status_code == 200 and "同意を撤回しました" in done.text and "撤回済み" in done.text
    assert not _live(database, world) and expired != consent_id
