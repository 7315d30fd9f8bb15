"""Server-side sessions: tokens hashed at rest, renewal at login, expiry."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tsunagu.core import sessions
from tsunagu.core.clock import FixedClock
from tsunagu.core.database import Database

STAFF = sessions.Principal(kind="staff", subject_id="s-1", display_name="審査 太郎",
                           organization_code="131016", roles=frozenset({"審査"}))


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
