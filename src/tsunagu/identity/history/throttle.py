"""Rate limits and lockout on authentication attempts, counted in the database.

Counters live in a table rather than in memory so that they hold across worker processes and
hosts. Each key (an account, a client address) allows ``limit`` failures per ``window``; the
next failure locks the key for ``lockout``. Success does not erase an address counter, only an
account counter, so spraying many accounts from one address is still limited.

Password logins with a second factor (staff, GビズID) follow NIST SP 800-63B §5.2.2 (rate
limiting) without letting an attacker lock the real user out (:class:`LoginThrottle`):

- one account from one address: the first failures are free, then each further one doubles the
  wait before the next attempt (1 s, 2 s, 4 s … at most 15 minutes) — guessing is slowed where it
  happens, and no one else is affected;
- the whole account (from any address) and the whole address (against any account): past their
  limits they are locked, but the lock is one that the real user passes — an attempt with the
  right password *and* a valid one-time code still logs in, while any other attempt is answered
  "too many attempts" whatever was wrong (so the lock tells a guesser nothing);
- every lock and every refused attempt is logged (``authentication_throttled``) and counted in
  ``tsunagu_auth_throttled_total{scope}`` for alerting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from prometheus_client import Counter
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core import logging as core_logging
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
#: a password login's whole account (any address): well under SP 800-63B's 100 failures
LOGIN_ACCOUNT = Policy(limit=20, window=timedelta(hours=1), lockout=timedelta(minutes=15))
#: failures of one account from one address before the waits start, and the longest wait
FREE_FAILURES, LONGEST_WAIT = 3, timedelta(minutes=15)

log = core_logging.get_logger("tsunagu.identity")
THROTTLED = Counter(
    "tsunagu_auth_throttled_total",
    "Authentication attempts refused or keys locked by the rate limits",
    ["scope"],
)


def ensure_allowed(db: Session, key: str) -> None:
    """Raise TooManyAttempts while ``key`` is locked."""
    row = db.get(AttemptCounter, key)
    if row is not None and row.locked_until is not None and row.locked_until > clock.now():
        retry = math.ceil((row.locked_until - clock.now()).total_seconds())
        raise TooManyAttempts(f"too many failed attempts; try again in {retry} seconds", retry_after=retry)


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
    return db.scalars(select(AttemptCounter).where(AttemptCounter.key == key).with_for_update()).first()


def _locked_for(db: Session, key: str) -> int:
    """Seconds ``key`` stays locked (0 when it is not)."""
    row = db.get(AttemptCounter, key)
    if row is None or row.locked_until is None or row.locked_until <= clock.now():
        return 0
    return max(1, math.ceil((row.locked_until - clock.now()).total_seconds()))


@dataclass(frozen=True)
class LoginThrottle:
    """The limits of one password + second-factor login attempt (see the module doc)."""

    kind: str  # "staff-login", "business-login"
    login_id: str
    client: str

    @property
    def pair(self) -> str:
        return f"{self.kind}:{self.login_id}@{self.client}"

    @property
    def account(self) -> str:
        return f"{self.kind}:{self.login_id}"

    @property
    def address(self) -> str:
        return f"{self.kind}-client:{self.client}"

    def before(self, db: Session) -> int:
        """Raise TooManyAttempts while this account must wait at this address; else the seconds
        a lock of the whole account or address still holds (0: none), which only a fully right
        attempt passes."""
        wait = _locked_for(db, self.pair)
        if wait:
            self._refused("account-address", wait)
            raise TooManyAttempts(f"too many failed attempts; try again in {wait} seconds", retry_after=wait)
        return max(_locked_for(db, self.account), _locked_for(db, self.address))

    def failed(self, db: Session, locked: int) -> TooManyAttempts | None:
        """Count a failure; with a lock holding, the error to answer instead of the real one."""
        self._progress(db)
        wide = ((self.account, LOGIN_ACCOUNT, "account"), (self.address, CLIENT, "address"))
        for key, policy, scope in wide:
            record_failure(db, key, policy)
            if not locked and _locked_for(db, key):
                THROTTLED.labels(scope).inc()
                log.warning(
                    "authentication_throttled",
                    scope=scope,
                    action="locked",
                    kind=self.kind,
                    login_id=self.login_id,
                    client=self.client,
                )
        if locked:
            self._refused("locked", locked)
            return TooManyAttempts(
                f"too many failed attempts; try again in {locked} seconds", retry_after=locked
            )
        return None

    def succeeded(self, db: Session) -> None:
        clear(db, self.pair)
        clear(db, self.account)

    def _progress(self, db: Session) -> None:
        """One more failure of this account at this address: past the free ones, the next attempt
        waits twice as long as the last (capped at LONGEST_WAIT)."""
        at = clock.now()
        row = _locked_row(db, self.pair)
        if row is None:
            row = AttemptCounter(key=self.pair, window_started_at=at, failures=0)
            try:
                with db.begin_nested():
                    db.add(row)
            except IntegrityError:
                row = _locked_row(db, self.pair)
                assert row is not None
        if row.window_started_at + LONGEST_WAIT * 2 <= at:  # quiet for long enough: start afresh
            row.failures = 0
        row.failures += 1
        row.window_started_at = at
        if row.failures > FREE_FAILURES:
            wait = min(timedelta(seconds=2 ** min(row.failures - FREE_FAILURES - 1, 20)), LONGEST_WAIT)
            row.locked_until = at + wait
        db.flush()

    def _refused(self, scope: str, wait: int) -> None:
        THROTTLED.labels(scope).inc()
        log.warning(
            "authentication_throttled",
            scope=scope,
            action="refused",
            kind=self.kind,
            login_id=self.login_id,
            client=self.client,
            retry_after=wait,
        )
