"""Server-side sessions: tokens hashed at rest, renewal at login, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tsunagu.core import sessions
from tsunagu.core.clock import FixedClock
from tsunagu.core.database import Database

STAFF = sessions.Principal(
    kind="staff",
    subject_id="s-1",
    display_name="審査 太郎",
    organization_code="131016",
    roles=frozenset({"審査"}),
)


def test_a_session_returns_its_principal(database: Database, fixed_clock: FixedClock) -> None:
    with database.session() as db:
        token = sessions.start(db, STAFF)
        assert sessions.principal_for(db, token) == STAFF


def test_the_token_is_not_stored(database: Database, fixed_clock: FixedClock) -> None:
    with database.session() as db:
        token = sessions.start(db, STAFF)
        stored_ids = list(db.scalars(select(sessions.WebSession.id)))
    assert token not in stored_ids
    assert len(stored_ids) == 1


def test_renewal_ends_the_previous_session(database: Database, fixed_clock: FixedClock) -> None:
    with database.session() as db:
        old = sessions.start(db, STAFF)
        new = sessions.start(db, STAFF, previous_token=old)
        assert sessions.principal_for(db, old) is None
        assert sessions.principal_for(db, new) == STAFF


def test_expired_and_unknown_tokens_have_no_principal(database: Database, fixed_clock: FixedClock) -> None:
    with database.session() as db:
        token = sessions.start(db, STAFF, ttl=timedelta(minutes=5))
        assert sessions.principal_for(db, "made-up") is None
        fixed_clock.advance(timedelta(minutes=6))
        assert sessions.principal_for(db, token) is None
        assert sessions.purge_expired(db) == 1


def test_a_login_purges_expired_sessions(
    database: Database, fixed_clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sessions, "_next_purge", 0.0)
    with database.session() as db:
        sessions.start(db, STAFF, ttl=timedelta(minutes=5))
        live = sessions.start(db, STAFF, ttl=timedelta(hours=1))
        fixed_clock.advance(timedelta(minutes=6))
        monkeypatch.setattr(sessions, "_next_purge", 0.0)
        newest = sessions.start(db, STAFF)
        assert db.scalar(select(func.count()).select_from(sessions.WebSession)) == 2
        assert sessions.principal_for(db, live) == STAFF
        assert sessions.principal_for(db, newest) == STAFF


def test_logins_purge_at_most_once_in_a_while(
    database: Database, fixed_clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sessions, "_next_purge", 0.0)
    with database.session() as db:
        sessions.start(db, STAFF, ttl=timedelta(minutes=5))
        fixed_clock.advance(timedelta(minutes=6))
        sessions.start(db, STAFF)  # within PURGE_EVERY_SECONDS of the first login: no purge
        assert db.scalar(select(func.count()).select_from(sessions.WebSession)) == 2
