"""Append to and verify an organization's hash-chained message log (X-Road style message log).

Each entry holds metadata only (never the data items' values): who, which organization, which
person code, which items, purpose, result and the SHA-256 of the signed message. Its hash covers
the previous entry's hash, so changing, removing or reordering any entry breaks every later one;
every ``checkpoint_every`` entries the node signs the head so that a rewritten chain is caught too.
"""

from __future__ import annotations

import gc
import hashlib
import json
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, func, insert, select, text
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.direct import DirectInsert, DirectSelect
from tsunagu.core.errors import TsunaguError
from tsunagu.core.groupcommit import GroupCommit, Job
from tsunagu.core.progress import ProgressReporter, SilentProgress
from tsunagu.mesh import crypto
from tsunagu.mesh.errors import BadSignature
from tsunagu.mesh.log.models import MeshLogCheckpoint, MeshLogEntry

GENESIS = "0" * 64
CHECKPOINT_TYP = "tsunagu-mesh-log-checkpoint+jws"
_writers_guard = threading.Lock()


@dataclass(frozen=True)
class LogEvent:
    """One line of metadata about an exchange, as seen by one organization."""

    role: str  # consumer | provider | directory
    kind: str  # request | response | denial | authorization | notification
    request_id: str
    consumer: str
    provider: str
    service: str
    purpose: str
    subject_code: str
    items: tuple[str, ...]
    result: str
    message_sha256: str
    person_link: str | None = None
    visible_from: datetime | None = None


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


_INSTANT = "%Y-%m-%d %H:%M:%S.%f"


def _instant(value: datetime | str | None) -> str | None:
    """A UTC instant as SQLite stores it; PostgreSQL's datetimes are brought to the same text."""
    if value is None or isinstance(value, str):
        return value
    return value.astimezone(UTC).strftime(_INSTANT)


def _items_text(items: Any) -> str:
    """The items as the JSON column stores them (SQLite hands back this very text)."""
    return items if isinstance(items, str) else json.dumps(list(items))


def entry_hash(prev_hash: str, seq: int, at: datetime, event: LogEvent) -> str:
    return _hash_fields(prev_hash, seq, _instant(at), event.role, event.kind, event.request_id,
                        event.consumer, event.provider, event.service, event.purpose, event.subject_code,
                        _items_text(event.items), event.result, event.message_sha256, event.person_link,
                        _instant(event.visible_from))


# Arrays of the fields: one C encoder made once (``crypto.compact_encoder``).
_encode_array = crypto.compact_encoder(sort_keys=False)


def _hash_fields(prev_hash: str, *values: Any) -> str:
    """SHA-256 over a JSON array of the previous hash and the fields (unambiguous, C-encoded)."""
    return hashlib.sha256(_encode_array([prev_hash, *values]).encode()).hexdigest()


# Each chain's writer in this process (group commit). Between processes, a chain's transactions
# take turns on a write lock (Database.write_transaction), so the head they read is the head.
_writers: weakref.WeakKeyDictionary[Database, dict[str, GroupCommit]] = weakref.WeakKeyDictionary()
T = TypeVar("T")
Work = Callable[[Connection], tuple[T, Sequence[LogEvent]]]


def _writer(database: Database, organization_code: str) -> GroupCommit:
    with _writers_guard:
        return _writers.setdefault(database, {}).setdefault(organization_code, GroupCommit())


def append(database: Database, organization_code: str, events: Sequence[LogEvent],
           signing_key: crypto.SigningKey | None = None, checkpoint_every: int = 1000) -> list[int]:
    """Write ``events`` at the end of the organization's chain, committed before it returns.

    The log must survive the refusal it records, so it never shares the caller's transaction.
    """
    return append_with(database, organization_code, lambda _: ([], list(events)), signing_key,
                       checkpoint_every)[1]


def append_with(database: Database, organization_code: str,
                work: Callable[[Connection], tuple[T, Sequence[LogEvent]]],
                signing_key: crypto.SigningKey | None = None, checkpoint_every: int = 1000
                ) -> tuple[T, list[int]]:
    """Run ``work`` and log the events it returns in one transaction (one commit on an exchange's
    path instead of two), which it may share with other exchanges' appends (group commit).

    If ``work`` raises, its events are not logged and the caller logs the refusal with
    :func:`append`; so that the other exchanges in the transaction keep their writes, ``work``
    must not write before it has decided (check, then write).
    """
    writer = _writer(database, organization_code)

    def write(batch: list[Job[Work[Any], Any]]) -> None:
        _write_batch(database, organization_code, batch, signing_key=signing_key,
                     checkpoint_every=checkpoint_every)

    return writer.submit(Job(work), write)


def _write_batch(database: Database, organization_code: str, batch: list[Job[Work[Any], Any]], *,
                 signing_key: crypto.SigningKey | None, checkpoint_every: int) -> None:
    with database.write_transaction(_CHAIN_LOCK + organization_code) as connection:
        events: list[LogEvent] = []
        counts = []
        results: list[Any] = []
        for job in batch:
            try:
                result, logged = job.work(connection)
            except TsunaguError as exc:  # this exchange's refusal; anything else fails the batch
                job.refuse(exc)
                result, logged = None, ()
            results.append(result)
            events.extend(logged)
            counts.append(len(logged))
        seqs = _append(connection, organization_code, _head(connection, organization_code), events,
                       signing_key=signing_key, checkpoint_every=checkpoint_every)
    for job, result, count in zip(batch, results, counts, strict=True):
        if not job.done:
            job.finish((result, seqs[:count]))
        seqs = seqs[count:]


_CHAIN_LOCK = "mesh-log:"
_HEAD = DirectSelect(select(MeshLogEntry.seq, MeshLogEntry.entry_hash)
                     .where(MeshLogEntry.organization_code == bindparam("org"))
                     .order_by(MeshLogEntry.seq.desc()).limit(1), {"org": MeshLogEntry.organization_code})
_INSERT_ENTRIES = DirectInsert(MeshLogEntry, (
    "organization_code", "seq", "at", "role", "kind", "request_id", "consumer", "provider", "service",
    "purpose", "subject_code", "items", "result", "message_sha256", "person_link", "visible_from",
    "prev_hash", "entry_hash"))


def _head(connection: Connection, organization_code: str) -> tuple[int, str]:
    head = _HEAD.first(connection, org=organization_code)
    return (int(head[0]), str(head[1])) if head else (0, GENESIS)


def _append(connection: Connection, organization_code: str, head: tuple[int, str],
            events: Sequence[LogEvent], *, signing_key: crypto.SigningKey | None, checkpoint_every: int
            ) -> list[int]:
    """Direct inserts (not the ORM): the log is on the path of every exchange. Returns the new
    entries' seqs."""
    seq, prev = head
    at = clock.now()
    rows: list[dict[str, Any]] = []
    for event in events:
        seq += 1
        digest = entry_hash(prev, seq, at, event)
        rows.append({"organization_code": organization_code, "seq": seq, "at": at, "role": event.role,
                     "kind": event.kind, "request_id": event.request_id, "consumer": event.consumer,
                     "provider": event.provider, "service": event.service, "purpose": event.purpose,
                     "subject_code": event.subject_code, "items": list(event.items),
                     "result": event.result, "message_sha256": event.message_sha256,
                     "person_link": event.person_link, "visible_from": event.visible_from,
                     "prev_hash": prev, "entry_hash": digest})
        if signing_key is not None and seq % checkpoint_every == 0:
            _add_checkpoint(connection, organization_code, seq, digest, signing_key)
        prev = digest
    if rows:
        _INSERT_ENTRIES.run(connection, rows)
    return [row["seq"] for row in rows]


def _add_checkpoint(connection: Connection, organization_code: str, seq: int, digest: str,
                    signing_key: crypto.SigningKey) -> None:
    at = clock.now()
    token = crypto.sign(signing_key, {"org": organization_code, "seq": seq, "hash": digest,
                                      "at": _iso(at)}, CHECKPOINT_TYP)
    connection.execute(insert(MeshLogCheckpoint).values(organization_code=organization_code, seq=seq,
                                                        entry_hash=digest, at=at, signature=token))


def checkpoint(database: Database, organization_code: str, signing_key: crypto.SigningKey) -> int:
    """Sign the current head now (e.g. at shutdown or on a timer); returns its seq (0: empty)."""
    with database.write_transaction(_CHAIN_LOCK + organization_code) as connection:
        seq, digest = _head(connection, organization_code)
        if seq == 0:
            return 0
        exists = connection.scalar(select(func.count()).select_from(MeshLogCheckpoint).where(
            MeshLogCheckpoint.organization_code == organization_code, MeshLogCheckpoint.seq == seq))
        if not exists:
            _add_checkpoint(connection, organization_code, seq, digest, signing_key)
        return seq


@dataclass
class VerifyReport:
    organization_code: str
    entries: int = 0
    checkpoints: int = 0
    broken_seq: int | None = None
    reason: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and not self.problems


# The columns in the order the entry hash covers them, then the stored link and hash.
# (":org" is also the sqlite3 driver's own named-parameter style.)
_CHAIN_SQL = ("SELECT seq, at, role, kind, request_id, consumer, provider, service, purpose, subject_code, "
              "items, result, message_sha256, person_link, visible_from, prev_hash, entry_hash "
              "FROM mesh_log_entries WHERE organization_code = :org ORDER BY seq")
_CHAIN = text(_CHAIN_SQL)
_HASHED = 15  # columns covered by the entry hash (seq … visible_from)
_BLOCK = 5000


def _chain_rows(connection: Connection, organization_code: str) -> Iterator[Sequence[Any]]:
    """Rows as the entry hash covers them. SQLite hands back the very text that was hashed, so its
    rows come straight from the driver's cursor (no result objects, no conversion per row); other
    databases' datetimes and JSON are brought to that text."""
    if connection.dialect.name == "sqlite":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.arraysize = _BLOCK
        cursor.execute(_CHAIN_SQL, {"org": organization_code})
        yield from cursor
        return
    result = connection.execute(_CHAIN.execution_options(stream_results=True), {"org": organization_code})
    for block in result.partitions(_BLOCK):
        for row in block:
            values = list(row)
            values[1], values[10], values[14] = _instant(row[1]), _items_text(row[10]), _instant(row[14])
            yield values


def _walk(rows: Iterator[Sequence[Any]], report: VerifyReport, signed_seqs: set[int],
          reporter: ProgressReporter) -> dict[int, str]:
    """Recompute each entry's hash in order; stop at the first break. Returns the chain's hash at
    each signed checkpoint."""
    hashes: dict[int, str] = {}
    expected_seq, prev = 1, GENESIS
    sha256, encode, hashed = hashlib.sha256, _encode_array, _HASHED  # locals: looked up once per row
    for row in rows:
        seq, prev_hash, stored = row[0], row[hashed], row[hashed + 1]
        if seq != expected_seq:
            report.broken_seq, report.reason = expected_seq, f"entry {expected_seq} is missing"
            break
        if prev_hash != prev:
            report.broken_seq, report.reason = seq, "its link to the previous entry is wrong"
            break
        if sha256(encode([prev, *row[:hashed]]).encode()).hexdigest() != stored:  # _hash_fields, inlined
            report.broken_seq, report.reason = seq, "its content does not match its hash"
            break
        if seq in signed_seqs:
            hashes[seq] = stored
        prev, expected_seq = stored, seq + 1
        report.entries += 1
        if report.entries % _BLOCK == 0:
            reporter.advance(_BLOCK)
    reporter.advance(report.entries % _BLOCK)
    return hashes


def verify(database: Database, organization_code: str,
           public_key: crypto.KeyResolver | None = None,
           reporter: ProgressReporter | None = None) -> VerifyReport:
    """Recompute the chain; name the first entry whose hash or link does not hold."""
    reporter = reporter or SilentProgress()
    report = VerifyReport(organization_code)
    with database.session() as db:
        checkpoints = db.scalars(select(MeshLogCheckpoint)
                                 .where(MeshLogCheckpoint.organization_code == organization_code)
                                 .order_by(MeshLogCheckpoint.seq)).all()
    collecting = gc.isenabled()
    gc.disable()  # rows hold only strings and numbers: no cycles, and collections cost a tenth
    try:
        with database.engine.connect() as connection:
            total = connection.scalar(select(func.count()).select_from(MeshLogEntry)
                                      .where(MeshLogEntry.organization_code == organization_code)) or 0
            reporter.start(f"verifying the log of {organization_code}", total)
            hashes = _walk(_chain_rows(connection, organization_code), report,
                           {point.seq for point in checkpoints}, reporter)
    finally:
        if collecting:
            gc.enable()
    for point in checkpoints:
        report.checkpoints += 1
        if report.broken_seq is None and hashes.get(point.seq) != point.entry_hash:
            report.problems.append(f"checkpoint at entry {point.seq} does not match the chain")
        if public_key is not None:
            try:
                signed = crypto.verify(point.signature, public_key, CHECKPOINT_TYP).payload
            except BadSignature as exc:
                report.problems.append(f"checkpoint at entry {point.seq}: {exc.detail}")
                continue
            if signed.get("hash") != point.entry_hash or signed.get("seq") != point.seq:
                report.problems.append(f"checkpoint at entry {point.seq} differs from what was signed")
    return report


def recent(db: Session, organization_code: str, limit: int, offset: int) -> tuple[list[MeshLogEntry], int]:
    where = MeshLogEntry.organization_code == organization_code
    total = db.scalar(select(func.count()).select_from(MeshLogEntry).where(where)) or 0
    rows = db.scalars(select(MeshLogEntry).where(where).order_by(MeshLogEntry.seq.desc())
                      .limit(limit).offset(offset))
    return list(rows), total
