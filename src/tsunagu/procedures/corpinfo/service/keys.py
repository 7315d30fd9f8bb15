"""API keys of the open corporate information: one key per client, with rate limits and usage counts.

A key is shown once when issued; only its SHA-256 is kept (a key is 32 random bytes, so a plain
hash is enough: there is nothing to guess). Each request is admitted against the client's limit
per minute and per day (Asia/Tokyo) and counted per day, refused requests too.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tsunagu.core import authz, clock
from tsunagu.core.errors import NotAuthenticated, NotFound, TsunaguError, ValidationFailed
from tsunagu.core.sessions import Principal
from tsunagu.procedures.corpinfo.models import CorpinfoClient, CorpinfoUsage

__all__ = [
    "DEFAULT_PER_DAY",
    "DEFAULT_PER_MINUTE",
    "Admission",
    "ApiKeyInvalid",
    "ApiKeyMissing",
    "ClientNotFound",
    "ClientRecord",
    "DayUsage",
    "IssuedKey",
    "RateLimited",
    "admit",
    "clients",
    "issue_key",
    "may_manage",
    "revoke",
    "total_requests",
    "usage_of",
]

KEY_PREFIX = "tci_"
#: the open corporate information is run by the platform operator; its 管理 staff issue the keys
OPERATOR = "digital-agency"
DEFAULT_PER_MINUTE, DEFAULT_PER_DAY = 60, 10_000
MINUTE, DAY = "minute", "day"


class ApiKeyMissing(NotAuthenticated):
    code = "corpinfo-api-key-missing"
    title = "API key missing"


class ApiKeyInvalid(NotAuthenticated):
    code = "corpinfo-api-key-invalid"
    title = "API key unknown or revoked"


class RateLimited(TsunaguError):
    status = 429
    code = "corpinfo-rate-limited"
    title = "Rate limit reached"


class ClientNotFound(NotFound):
    code = "corpinfo-client-not-found"
    title = "No such API client"


@dataclass(frozen=True)
class ClientRecord:
    id: str
    name: str
    contact: str
    key_prefix: str
    per_minute: int
    per_day: int
    issued_by: str
    issued_at: datetime
    revoked_at: datetime | None
    requests_today: int = 0

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class IssuedKey:
    """A new client and its key — the only time the key is known to the platform."""

    client: ClientRecord
    key: str


@dataclass(frozen=True)
class DayUsage:
    day: date
    requests: int
    refused: int


@dataclass(frozen=True)
class Admission:
    """The outcome of one request's key check, committed whether admitted or not."""

    client: ClientRecord
    refusal: RateLimited | None = None

    def raise_if_refused(self) -> ClientRecord:
        if self.refusal is not None:
            raise self.refusal
        return self.client


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _record(row: CorpinfoClient | Row[Any], requests_today: int = 0) -> ClientRecord:
    return ClientRecord(
        row.id,
        row.name,
        row.contact,
        row.key_prefix,
        row.per_minute,
        row.per_day,
        row.issued_by,
        row.issued_at,
        row.revoked_at,
        requests_today,
    )


def _issuer(by: Principal | str) -> str:
    """Who issues or revokes: 管理 staff of the platform operator on the console, or the operator
    at the CLI (who holds the installation itself), recorded by the name given."""
    if isinstance(by, str):
        return by
    authz.require(by, authz.Operation.MANAGE_CLIENTS, organization=OPERATOR)
    return by.subject_id


def may_manage(principal: Principal) -> bool:
    return authz.allows(principal, authz.Operation.MANAGE_CLIENTS) and principal.organization_code == OPERATOR


def issue_key(
    db: Session,
    *,
    name: str,
    contact: str,
    issued_by: Principal | str,
    per_minute: int = DEFAULT_PER_MINUTE,
    per_day: int = DEFAULT_PER_DAY,
    note: str = "",
) -> IssuedKey:
    """A new client with its own key and limits (APIキーの発行)."""
    issuer = _issuer(issued_by)
    problems: list[dict[str, object]] = []
    if not name.strip() or len(name.strip()) > 200:
        problems.append({"location": ["name"], "message": "the client's name is required (at most 200)"})
    if "@" not in contact or len(contact.strip()) > 254:
        problems.append({"location": ["contact"], "message": "the contact is an e-mail address"})
    for field, value, most in (("per_minute", per_minute, 100_000), ("per_day", per_day, 100_000_000)):
        if not 1 <= value <= most:
            problems.append({"location": [field], "message": f"the limit is between 1 and {most:,}"})
    if per_day < per_minute:
        problems.append({"location": ["per_day"], "message": "the daily limit is at least the minute's"})
    if problems:
        raise ValidationFailed("the API client is invalid", errors=problems)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = CorpinfoClient(
        id=uuid.uuid4().hex,
        name=name.strip(),
        contact=contact.strip(),
        key_sha256=_hash(key),
        key_prefix=key[:12],
        per_minute=per_minute,
        per_day=per_day,
        issued_by=issuer,
        issued_at=clock.now(),
        note=note.strip(),
    )
    db.add(row)
    db.flush()
    return IssuedKey(_record(row), key)


def revoke(db: Session, client_id: str, by: Principal | str) -> ClientRecord:
    """The key stops working at once; the client and its usage stay on record."""
    _issuer(by)
    row = db.get(CorpinfoClient, client_id)
    if row is None:
        raise ClientNotFound(f"no API client {client_id}")
    if row.revoked_at is None:
        row.revoked_at = clock.now()
        db.flush()
    return _record(row)


def _day_start(now: datetime) -> datetime:
    local = now.astimezone(clock.JST)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(now.tzinfo)


def _minute_start(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def clients(db: Session, by: Principal | str) -> list[ClientRecord]:
    """Every client, newest first, with today's requests (JST)."""
    _issuer(by)
    today = _day_start(clock.now())
    today_counts = select(CorpinfoUsage.client_id, CorpinfoUsage.requests).where(
        CorpinfoUsage.kind == DAY, CorpinfoUsage.period == today
    )
    counts = {row.client_id: row.requests for row in db.execute(today_counts)}
    rows = db.scalars(select(CorpinfoClient).order_by(CorpinfoClient.issued_at.desc(), CorpinfoClient.id))
    return [_record(row, counts.get(row.id, 0)) for row in rows]


def usage_of(db: Session, client_id: str, days: int = 30) -> list[DayUsage]:
    """Requests and refusals of a client per day (JST), the latest ``days`` days that had any."""
    if db.get(CorpinfoClient, client_id) is None:
        raise ClientNotFound(f"no API client {client_id}")
    rows = db.execute(
        select(CorpinfoUsage.period, CorpinfoUsage.requests, CorpinfoUsage.refused)
        .where(CorpinfoUsage.client_id == client_id, CorpinfoUsage.kind == DAY)
        .order_by(CorpinfoUsage.period.desc())
        .limit(days)
    )
    return [DayUsage(period.astimezone(clock.JST).date(), n, refused) for period, n, refused in rows]


def _count_statement(dialect: str) -> Any:
    """The two-row upsert of :func:`_count` for a dialect, built once (Core, not the ORM's bulk
    path: this runs on every request)."""
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    usage = cast(Table, CorpinfoUsage.__table__)
    values = insert(usage).values(
        [
            {
                "client_id": bindparam("client"),
                "kind": kind,
                "period": bindparam(period),
                "requests": 1,
                "refused": 0,
            }
            for kind, period in ((DAY, "day"), (MINUTE, "minute"))
        ]
    )
    return values.on_conflict_do_update(
        index_elements=["client_id", "kind", "period"], set_={"requests": usage.c.requests + 1}
    ).returning(usage.c.kind, usage.c.requests)


_COUNT = {dialect: _count_statement(dialect) for dialect in ("sqlite", "postgresql")}
_CLIENT_BY_KEY = select(CorpinfoClient.__table__).where(CorpinfoClient.key_sha256 == bindparam("key"))


def _count(db: Session, client_id: str, day_start: datetime, minute_start: datetime) -> tuple[int, int]:
    """Add one request to the client's counters of today and of this minute (each made on its
    first request) in one statement — a two-row INSERT … ON CONFLICT DO UPDATE … RETURNING, on
    SQLite and PostgreSQL alike — and return both counts: concurrent requests of one client never
    lose a count."""
    statement = _COUNT[db.get_bind().dialect.name]
    found = db.execute(statement, {"client": client_id, "day": day_start, "minute": minute_start})
    counts = {kind: int(requests) for kind, requests in found}
    if counts[MINUTE] == 1:  # a new minute: the client's old minutes are not needed
        db.execute(
            delete(CorpinfoUsage).where(
                CorpinfoUsage.client_id == client_id,
                CorpinfoUsage.kind == MINUTE,
                CorpinfoUsage.period < minute_start - timedelta(minutes=5),
            )
        )
    return counts[DAY], counts[MINUTE]


def admit(db: Session, key: str | None) -> Admission:
    """Check the key and count the request against the client's limits; the caller commits this
    session whatever the outcome (so refusals are counted) and then raises the refusal."""
    if not key or not key.strip():
        raise ApiKeyMissing("send your API key in the X-API-Key header (apply for one at the console)")
    row = db.execute(_CLIENT_BY_KEY, {"key": _hash(key.strip())}).first()
    if row is None or row.revoked_at is not None:
        raise ApiKeyInvalid("the API key is unknown or was revoked")
    now = clock.now()
    minute_start, day_start = _minute_start(now), _day_start(now)
    today, this_minute = _count(db, row.id, day_start, minute_start)
    refusal: RateLimited | None = None
    if today > row.per_day:
        wait = (day_start + timedelta(days=1)) - now
        refusal = RateLimited(
            f"the daily limit of {row.per_day:,} requests is reached; it resets at midnight (JST)",
            retry_after=max(1, int(wait.total_seconds()) + 1),
            limit=row.per_day,
            period="day",
        )
    elif this_minute > row.per_minute:
        wait = (minute_start + timedelta(minutes=1)) - now
        refusal = RateLimited(
            f"the limit of {row.per_minute:,} requests a minute is reached",
            retry_after=max(1, int(wait.total_seconds()) + 1),
            limit=row.per_minute,
            period="minute",
        )
    if refusal is None:
        return Admission(_record(row, today))
    # a refused request is not a served one: counted as refused instead
    db.execute(
        update(CorpinfoUsage)
        .where(
            CorpinfoUsage.client_id == row.id,
            ((CorpinfoUsage.kind == DAY) & (CorpinfoUsage.period == day_start))
            | ((CorpinfoUsage.kind == MINUTE) & (CorpinfoUsage.period == minute_start)),
        )
        .values(
            requests=CorpinfoUsage.requests - 1,
            refused=CorpinfoUsage.refused + case((CorpinfoUsage.kind == DAY, 1), else_=0),
        )
        .execution_options(synchronize_session=False)
    )
    return Admission(_record(row, today - 1), refusal)


def total_requests(db: Session) -> int:
    """Every request admitted so far, all clients (the yearly figure seed 004 §8.3 targets)."""
    total = select(func.coalesce(func.sum(CorpinfoUsage.requests), 0)).where(CorpinfoUsage.kind == DAY)
    return int(db.scalar(total) or 0)
