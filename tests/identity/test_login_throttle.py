"""Lockout that cannot be turned against the real user (NIST SP 800-63B §5.2.2).

On the main of 2026-12-04 (30f2d71) five wrong passwords from anywhere locked a staff account
for 15 minutes, and thirty from one address locked every user behind it, the real ones with
their one-time code included.
"""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from tests.identity.conftest import World
from tests.identity.test_identity_staff import PASSWORD

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.identity.history import throttle
from tsunagu.identity.history.service import AuthenticationFailed
from tsunagu.identity.staff import service


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


def _attempt(
    database: Database,
    *,
    client: str,
    password: str = "wrong password!",
    code: str = "",
    login_id: str = "chiyoda.clerk",
) -> str:
    """One login through the service (its own transaction, committed even when it fails)."""
    with database.session() as db:
        try:
            service.login(db, login_id, password, code, client=client)
        except AuthenticationFailed as failed:
            return failed.code  # the block ends normally: the failure is committed, as by the API
    return "success"


def _code(clerk: service.NewStaff) -> str:
    return pyotp.TOTP(clerk.totp_secret).at(clock.now())


def _refused(kind: str) -> float:
    return float(throttle.THROTTLED.labels(kind)._value.get())


def test_guessing_from_many_addresses_does_not_lock_out_the_user_with_the_code(
    world: World, clerk: service.NewStaff, fixed_clock: clock.FixedClock
) -> None:
    locks_before = _refused("account")
    for n in range(throttle.LOGIN_ACCOUNT.limit + 2):
        outcome = _attempt(world.database, client=f"198.51.100.{n}")
        assert outcome in {"credentials-invalid", "too-many-attempts"}
    assert _refused("account") == locks_before + 1  # the lock was counted (and logged) once
    # the account is locked: a guess gets "too many attempts", right password or not, without its code
    assert _attempt(world.database, client="203.0.113.7") == "too-many-attempts"
    assert _attempt(world.database, client="203.0.113.7", password=PASSWORD) == "too-many-attempts"
    # the real user, with the password and the one-time code, passes the lock
    fixed_clock.advance(timedelta(seconds=31))
    assert _attempt(world.database, client="192.0.2.10", password=PASSWORD, code=_code(clerk)) == "success"


def test_one_address_is_slowed_more_and_more_for_one_account(
    world: World, clerk: service.NewStaff, fixed_clock: clock.FixedClock
) -> None:
    for _ in range(throttle.FREE_FAILURES):
        assert _attempt(world.database, client="198.51.100.1") == "credentials-invalid"
    waits = []
    for _ in range(5):
        assert _attempt(world.database, client="198.51.100.1") == "credentials-invalid"
        with world.database.session() as db, pytest.raises(throttle.TooManyAttempts) as refused:
            throttle.LoginThrottle("staff-login", "chiyoda.clerk", "198.51.100.1").before(db)
        waits.append(refused.value.extra["retry_after"])
        fixed_clock.advance(timedelta(seconds=waits[-1]))
    assert waits == [1, 2, 4, 8, 16]
    # another address is not slowed: the real user logs in meanwhile
    assert _attempt(world.database, client="192.0.2.10", password=PASSWORD, code=_code(clerk)) == "success"


def test_a_locked_address_still_lets_its_real_users_in(
    world: World, clerk: service.NewStaff, fixed_clock: clock.FixedClock
) -> None:
    shared = "203.0.113.99"  # an office behind one NAT address
    for n in range(throttle.CLIENT.limit + 1):
        _attempt(world.database, client=shared, login_id=f"sprayed.{n}")
    assert _attempt(world.database, client=shared, login_id="chiyoda.clerk") == "too-many-attempts"
    fixed_clock.advance(timedelta(seconds=31))
    assert _attempt(world.database, client=shared, password=PASSWORD, code=_code(clerk)) == "success"
