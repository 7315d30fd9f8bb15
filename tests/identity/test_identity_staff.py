"""Staff accounts: password + TOTP login, lockout, organization boundaries."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import send_csrf_header
from tests.identity.conftest import World

from tsunagu.core import clock
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http.auth import SESSION_COOKIE
from tsunagu.identity.history import service as history
from tsunagu.identity.staff import service
from tsunagu.identity.staff.models import StaffAccount

PASSWORD = "correct horse battery"


@pytest.fixture
def clerk(world: World) -> service.NewStaff:
    with world.database.session() as db:
        return service.create_staff(
            db,
            "131016",
            "chiyoda.clerk",
            display_name="千代田 住基担当",
            roles={"住基", "閲覧"},
            password=PASSWORD,
        )


def _code(clerk: service.NewStaff) -> str:
    return pyotp.TOTP(clerk.totp_secret).at(clock.now())


def _login(
    client: TestClient, password: str = PASSWORD, totp: str = "", login_id: str = "chiyoda.clerk"
) -> dict[str, object]:
    response = client.post(
        "/api/v1/identity/staff/login", json={"login_id": login_id, "password": password, "totp": totp}
    )
    send_csrf_header(client)  # the token of the new session, as the page's script would fetch it
    return {"status": response.status_code, **response.json()}


def test_login_with_password_and_totp(world: World, client: TestClient, clerk: service.NewStaff) -> None:
    result = _login(client, totp=_code(clerk))
    assert result["status"] == 200, result
    assert result["organization_code"] == "131016"
    me = client.get("/api/v1/identity/me").json()
    assert (me["kind"], me["organization_code"], sorted(me["roles"])) == ("staff", "131016", ["住基", "閲覧"])
    set_cookie = client.post(
        "/api/v1/identity/staff/login", json={"login_id": "chiyoda.clerk", "password": PASSWORD, "totp": ""}
    ).headers.get("set-cookie")
    assert set_cookie is None  # a failure never hands out a session


def test_session_cookie_flags(world: World, client: TestClient, clerk: service.NewStaff) -> None:
    response = client.post(
        "/api/v1/identity/staff/login",
        json={"login_id": "chiyoda.clerk", "password": PASSWORD, "totp": _code(clerk)},
    )
    cookie = response.headers["set-cookie"].lower()
    assert SESSION_COOKIE in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_missing_totp(world: World, client: TestClient, clerk: service.NewStaff) -> None:
    assert _login(client)["code"] == "totp-required"


def test_wrong_or_reused_totp(world: World, client: TestClient, clerk: service.NewStaff) -> None:
    assert _login(client, totp="000000" if _code(clerk) != "000000" else "111111")["code"] == "totp-invalid"
    code = _code(clerk)
    assert _login(client, totp=code)["status"] == 200
    assert _login(client, totp=code)["code"] == "totp-invalid"  # one code, one login


def test_wrong_password_and_unknown_account_look_the_same(
    world: World, client: TestClient, clerk: service.NewStaff
) -> None:
    wrong = _login(client, password="not the password", totp=_code(clerk))
    unknown = _login(client, login_id="nobody.here", totp=_code(clerk))
    assert (wrong["status"], wrong["code"]) == (401, "credentials-invalid")
    assert unknown["code"] == wrong["code"] and unknown["detail"] == wrong["detail"]


def test_failures_from_one_address_make_it_wait(
    world: World, client: TestClient, clerk: service.NewStaff, fixed_clock: clock.FixedClock
) -> None:
    """Three failures are free; the fourth makes this address wait before the next attempt on this
    account (test_login_throttle.py: the waits double, and no one else is locked out)."""
    for _ in range(4):
        assert _login(client, password="wrong password!")["code"] == "credentials-invalid"
    locked = client.post(
        "/api/v1/identity/staff/login",
        json={"login_id": "chiyoda.clerk", "password": PASSWORD, "totp": _code(clerk)},
    )
    assert (locked.status_code, locked.json()["code"]) == (429, "too-many-attempts")
    assert int(locked.headers["retry-after"]) > 0
    fixed_clock.advance(timedelta(minutes=16))
    assert _login(client, totp=_code(clerk))["status"] == 200
    with world.database.session() as db:
        outcomes = [entry.outcome for entry in history.audit_entries(db, limit=20)]
    assert outcomes.count("credentials-invalid") == 4 and "too-many-attempts" in outcomes


def test_page_login_shows_the_reason_and_needs_csrf(
    world: World, client: TestClient, clerk: service.NewStaff
) -> None:
    page = client.get("/identity/staff/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    no_csrf = client.post(
        "/identity/staff/login",
        data={"login_id": "chiyoda.clerk", "password": PASSWORD},
        headers={"accept": "text/html"},
    )
    assert no_csrf.status_code == 403
    missing = client.post(
        "/identity/staff/login", data={"login_id": "chiyoda.clerk", "password": PASSWORD, "csrf_token": token}
    )
    assert missing.status_code == 401 and "one-time code" in missing.text
    done = client.post(
        "/identity/staff/login",
        data={"login_id": "chiyoda.clerk", "password": PASSWORD, "totp": _code(clerk), "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303


def test_admin_manages_only_their_own_organization(world: World, client: TestClient) -> None:
    with world.database.session() as db:
        admin = service.create_staff(
            db, "142018", "yokosuka.admin", display_name="横須賀 管理者", roles={"管理"}, password=PASSWORD
        )
        service.create_staff(
            db, "131016", "chiyoda.other", display_name="千代田", roles={"閲覧"}, password=PASSWORD
        )
    _login(client, login_id="yokosuka.admin", totp=_code(admin))
    created = client.post(
        "/api/v1/identity/staff",
        json={"login_id": "yokosuka.new", "display_name": "新任", "roles": ["審査"], "password": PASSWORD},
    )
    assert created.status_code == 201
    assert created.json()["organization_code"] == "142018"
    listed = [s["login_id"] for s in client.get("/api/v1/identity/staff").json()]
    assert listed == ["yokosuka.admin", "yokosuka.new"]


def test_create_staff_rules(world: World) -> None:
    with world.database.session() as db, pytest.raises(ValidationFailed) as problem:
        service.create_staff(db, "999999", "Bad Id", display_name="", roles={"神"}, password="short")
    fields = {error["location"][0] for error in problem.value.errors}
    assert fields == {"organization_code", "login_id", "display_name", "roles", "password"}


def test_totp_secret_is_encrypted_at_rest(world: World, clerk: service.NewStaff) -> None:
    with world.database.session() as db:
        stored = db.scalars(select(StaffAccount.totp_secret)).one()
    assert clerk.totp_secret not in stored
    assert len(stored) <= 64
