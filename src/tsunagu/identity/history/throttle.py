"""Rate limits and lockout on authentication attempts, counted in the database.

Counters live in a table rather than in memory so that they hold across worker processes and
hosts. Each key (an account, a client address) allows ``limit`` failures per ``window``; the
next failure locks the key for ``lockout``. Success does not erase an address counter, only an
account counter, so spraying many accounts from one address is still limited.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.identity.history.models import AttemptCounter
from tsunagu.identity.history.service import AuthenticationFailed


class TooManyAttempts(AuthenticationFailed):
    status = 429
    code = "too-many-attempts"
    title = "Too many attempts"


@dataclass(frozen=True)
class Policy:
    limit: int
    window: timedelta
    lockout: timedelta


ACCOUNT = Policy(limit=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
CLIENT = Policy(limit=30, window=timedelta(minutes=5), lockout=timedelta(minutes=5))


def ensure_allowed(db: Session, key: str) -> None:
    """Raise TooManyAttempts while ``key`` is locked."""
    row = db.get(AttemptCounter, key)
    if row is not None and row.locked_until is not None and row.locked_until > clock.now():
        retry = math.ceil((row.locked_until - clock.now()).total_seconds())
        raise TooManyAttempts(f"too many failed attempts; try again in {retry} seconds",
                              retry_after=retry)


def record_failure(db: Session, key: str, policy: Policy) -> None:
    """Count one failure under ``key``; lock it once the policy's limit is passed."""
    at = clock.now()
    row = _locked_row(db, key)
    if row is None:
        row = AttemptCounter(key=key, window_started_at=at, failures=0)
        try:
            with db.begin_nested():
                db.add(row)
        except IntegrityError:  # another process created it first
            row = _locked_row(db, key)
            assert row is not None
    if row.window_started_at + policy.window <= at:
        row.window_started_at, row.failures, row.locked_until = at, 0, None
    row.failures += 1
    if row.failures >= policy.limit:
        row.locked_until = at + policy.lockout
        row.window_started_at, row.failures = at, 0
    db.flush()


def clear(db: Session, key: str) -> None:
    db.execute(delete(AttemptCounter).where(AttemptCounter.key == key))


def _locked_row(db: Session, key: str) -> AttemptCounter | None:
    return db.scalars(select(AttemptCounter).where(AttemptCounter.key == key)
                      .with_for_update()).first()
