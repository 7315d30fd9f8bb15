"""Database plumbing that every part relies on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tsunagu.core import sessions
from tsunagu.core.clock import FixedClock
from tsunagu.core.database import Database
from tsunagu.core.errors import ConfigurationError


def test_timestamps_come_back_aware_in_utc(database: Database, fixed_clock: FixedClock) -> None:
    principal = sessions.Principal(kind="resident", subject_id="r1")
    with database.session() as db:
        sessions.start(db, principal)
    with database.session() as db:
        record = db.scalars(select(sessions.WebSession)).one()
    assert record.created_at == fixed_clock.now()
    assert record.created_at.tzinfo is not None


def test_naive_timestamps_are_refused(database: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), database.session() as db:
        db.add(
            sessions.WebSession(
                id="x",
                principal_kind="staff",
                subject_id="s",
                display_name="",
                roles=[],
                data={},
                created_at=datetime(2026, 1, 1),
                expires_at=datetime(2026, 1, 2, tzinfo=UTC),
            )
        )
        db.flush()


def test_other_timezones_are_stored_as_utc(database: Database) -> None:
    jst = timezone(timedelta(hours=9))
    with database.session() as db:
        db.add(
            sessions.WebSession(
                id="y",
                principal_kind="staff",
                subject_id="s",
                display_name="",
                roles=[],
                data={},
                created_at=datetime(2026, 1, 1, 9, tzinfo=jst),
                expires_at=datetime(2026, 1, 2, tzinfo=UTC),
            )
        )
    with database.session() as db:
        stored = db.get(sessions.WebSession, "y")
        assert stored is not None
        assert stored.created_at == datetime(2026, 1, 1, 0, tzinfo=UTC)


def test_unknown_url_scheme_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="TSUNAGU_DATABASE_URL"):
        Database("not a url")
