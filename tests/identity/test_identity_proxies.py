"""Proxies: registration, scope and end date, and both people's operation history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.identity.conftest import World

from tsunagu.core import clock
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.sessions import Principal
from tsunagu.identity.history import service as history
from tsunagu.identity.proxies import service


def test_proxy_acts_within_scope_and_both_histories_show_it(world: World) -> None:
    with world.database.session() as db:
        grant = service.register_proxy(
            db, world.hanako, world.taro, procedures=["moving-out"], ends_on=date(2027, 3, 31)
        )
        service.act_as_proxy(db, world.taro, world.hanako, "moving-out", "submitted")
        with pytest.raises(service.ProxyNotAuthorized):
            service.act_as_proxy(db, world.taro, world.hanako, "child-allowance", "submitted")
        with pytest.raises(service.ProxyNotAuthorized):  # not the other way round
            service.act_as_proxy(db, world.hanako, world.taro, "moving-out", "submitted")
        principal_side = [e.kind for e in history.events_of(db, "resident", world.hanako)[0]]
        proxy_side = [e.kind for e in history.events_of(db, "resident", world.taro)[0]]
    assert principal_side == ["acted-by-proxy", "proxy-registered"]
    assert proxy_side == ["acted-as-proxy", "proxy-granted"]
    assert grant.covers("moving-out") and not grant.covers("other")


def test_proxy_ends_on_its_end_date_and_on_withdrawal(world: World, fixed_clock: clock.FixedClock) -> None:
    with world.database.session() as db:
        grant = service.register_proxy(
            db, world.hanako, world.taro, procedures=None, ends_on=date(2026, 12, 1)
        )
        service.act_as_proxy(db, world.taro, world.hanako, "anything", "viewed")
    fixed_clock.advance(timedelta(days=10))
    with world.database.session() as db, pytest.raises(service.ProxyNotAuthorized):
        service.act_as_proxy(db, world.taro, world.hanako, "anything", "viewed")
    with world.database.session() as db:
        second = service.register_proxy(
            db, world.hanako, world.taro, procedures=None, ends_on=date(2027, 1, 1)
        )
        service.withdraw_proxy(db, world.hanako, second.id)
        with pytest.raises(service.ProxyNotAuthorized):
            service.act_as_proxy(db, world.taro, world.hanako, "anything", "viewed")
    assert grant.id != second.id


def test_registration_rules(world: World) -> None:
    with world.database.session() as db, pytest.raises(ValidationFailed) as problem:
        service.register_proxy(db, world.hanako, world.hanako, procedures=[" "], ends_on=date(2020, 1, 1))
    assert {e["type"] for e in problem.value.errors} == {"self", "date-past", "missing"}
    with world.database.session() as db, pytest.raises(ValidationFailed):
        service.register_proxy(
            db, world.hanako, "no-such-resident", procedures=None, ends_on=date(2027, 1, 1)
        )


def test_proxy_api_and_history_api(world: World, client: TestClient) -> None:
    login_as(client, world.database, Principal(kind="resident", subject_id=world.hanako))
    created = client.post("/api/v1/identity/proxies", json={"proxy_id": world.taro, "ends_on": "2027-01-31"})
    assert created.status_code == 201, created.text
    assert created.json()["procedures"] is None
    assert [g["proxy_id"] for g in client.get("/api/v1/identity/proxies").json()] == [world.taro]
    withdrawn = client.post(f"/api/v1/identity/proxies/{created.json()['id']}/withdraw")
    assert withdrawn.json()["withdrawn_at"] is not None
    page = client.get("/api/v1/identity/history").json()
    assert [item["kind"] for item in page["items"]] == ["proxy-withdrawn", "proxy-registered"]
    assert page["total"] == 2
    bad = client.post("/api/v1/identity/proxies", json={"proxy_id": world.hanako, "ends_on": "2027-01-31"})
    assert (bad.status_code, bad.json()["code"]) == (422, "validation-failed")


def test_staff_cannot_register_proxies(world: World, client: TestClient) -> None:
    login_as(
        client,
        world.database,
        Principal(kind="staff", subject_id="s1", organization_code="131016", roles=frozenset({"管理"})),
    )
    assert client.get("/api/v1/identity/proxies").status_code == 403
