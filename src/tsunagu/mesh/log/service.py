"""Append to and verify an organization's hash-chained message log (X-Road style message log).

Each entry holds metadata only (never the data items' values): who, which organization, which
person code, which items, purpose, result and the SHA-256 of the signed message. Its hash covers
the previous entry's hash, so changing, removing or reordering any entry breaks every later one.
The node signs the head every ``checkpoint_every`` entries and at the first write after
``checkpoint_seconds`` (and at its first write in a process); each checkpoint is then sent to the
directory, which countersigns and keeps it (an anchor outside the node), so a node that deletes
its log's tail, recomputes its whole chain or deletes its own checkpoints is caught by verification
against the directory's anchors.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import structlog
from sqlalchemy import Connection, bindparam, func, insert, select, text
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.direct import DirectInsert, DirectSelect
from tsunagu.core.errors import TsunaguError
from tsunagu.core.groupcommit import GroupCommit, Job
from tsunagu.core.progress import ProgressReporter, SilentProgress
from tsunagu.mesh import crypto
from tsunagu.mesh.errors import BadSignature, CheckpointConflict
from tsunagu.mesh.log.models import MeshLogAnchor, MeshLogCheckpoint, MeshLogEntry

GENESIS = "0" * 64
CHECKPOINT_TYP = "tsunagu-mesh-log-checkpoint+jws"
ANCHOR_TYP = "tsunagu-mesh-log-anchor+jws"
_writers_guard = threading.Lock()
log = structlog.get_logger(__name__)
# a signed checkpoint → the directory's countersignature (registered by each node's context)
Anchorer = Callable[[str], str]
_anchorers: weakref.WeakKeyDictionary[Database, dict[str, Anchorer]] = weakref.WeakKeyDictionary()
# when each chain was last checkpointed (read from the database once per process, then kept)
_last_checkpoint: weakref.WeakKeyDictionary[Database, dict[str, datetime]] = weakref.WeakKeyDictionary()
_anchoring = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mesh-anchor")
_anchor_locks: dict[tuple[str, str], threading.Lock] = {}


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
    return _hash_fields(
        prev_hash,
        seq,
        _instant(at),
        event.role,
        event.kind,
        event.request_id,
        event.consumer,
        event.provider,
        event.service,
        event.purpose,
        event.subject_code,
        _items_text(event.items),
        event.result,
        event.message_sha256,
        event.person_link,
        _instant(event.visible_from),
    )


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


def append(
    database: Database,
    organization_code: str,
    events: Sequence[LogEvent],
    signing_key: crypto.SigningKey | None = None,
    checkpoint_every: int = 1000,
    *,
    checkpoint_seconds: float = 60.0,
) -> list[int]:
    """Write ``events`` at the end of the organization's chain, committed before it returns.

    The log must survive the refusal it records, so it never shares the caller's transaction.
    """
    return append_with(
        database,
        organization_code,
        lambda _: ([], list(events)),
        signing_key,
        checkpoint_every,
        checkpoint_seconds=checkpoint_seconds,
    )[1]


def append_with(
    database: Database,
    organization_code: str,
    work: Callable[[Connection], tuple[T, Sequence[LogEvent]]],
    signing_key: crypto.SigningKey | None = None,
    checkpoint_every: int = 1000,
    *,
    checkpoint_seconds: float = 60.0,
) -> tuple[T, list[int]]:
    """Run ``work`` and log the events it returns in one transaction (one commit on an exchange's
    path instead of two), which it may share with other exchanges' appends (group commit).

    If ``work`` raises, its events are not logged and the caller logs the refusal with
    :func:`append`; so that the other exchanges in the transaction keep their writes, ``work``
    must not write before it has decided (check, then write).
    """
    writer = _writer(database, organization_code)

    def write(batch: list[Job[Work[Any], Any]]) -> None:
        _write_batch(
            database,
            organization_code,
            batch,
            signing_key=signing_key,
            checkpoint_every=checkpoint_every,
            checkpoint_seconds=checkpoint_seconds,
        )

    return writer.submit(Job(work), write)


def _checkpoint_due(database: Database, organization_code: str, checkpoint_seconds: float) -> bool:
    """Whether the chain's last checkpoint (if any) is older than ``checkpoint_seconds``: a fresh
    chain is checkpointed at its first write, a quiet one at its first write after the interval."""
    known = _last_checkpoint.setdefault(database, {})
    if organization_code not in known:
        with database.session() as db:
            last = db.scalar(
                select(func.max(MeshLogCheckpoint.at)).where(
                    MeshLogCheckpoint.organization_code == organization_code
                )
            )
        if last is None:
            return True
        known[organization_code] = last
    interval = timedelta(seconds=checkpoint_seconds)
    return clock.now() - known[organization_code] >= interval


def _write_batch(
    database: Database,
    organization_code: str,
    batch: list[Job[Work[Any], Any]],
    *,
    signing_key: crypto.SigningKey | None,
    checkpoint_every: int,
    checkpoint_seconds: float,
) -> None:
    due = signing_key is not None and _checkpoint_due(database, organization_code, checkpoint_seconds)
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
        seqs, signed = _append(
            connection,
            organization_code,
            _head(connection, organization_code),
            events,
            signing_key=signing_key,
            checkpoint_every=checkpoint_every,
            due=due,
        )
    if signed:
        _last_checkpoint.setdefault(database, {})[organization_code] = clock.now()
        anchor_soon(database, organization_code)
    for job, result, count in zip(batch, results, counts, strict=True):
        if not job.done:
            job.finish((result, seqs[:count]))
        seqs = seqs[count:]


_CHAIN_LOCK = "mesh-log:"
_HEAD = DirectSelect(
    select(MeshLogEntry.seq, MeshLogEntry.entry_hash)
    .where(MeshLogEntry.organization_code == bindparam("org"))
    .order_by(MeshLogEntry.seq.desc())
    .limit(1),
    {"org": MeshLogEntry.organization_code},
)
_INSERT_ENTRIES = DirectInsert(
    MeshLogEntry,
    (
        "organization_code",
        "seq",
        "at",
        "role",
        "kind",
        "request_id",
        "consumer",
        "provider",
        "service",
        "purpose",
        "subject_code",
        "items",
        "result",
        "message_sha256",
        "person_link",
        "visible_from",
        "prev_hash",
        "entry_hash",
    ),
)


def _head(connection: Connection, organization_code: str) -> tuple[int, str]:
    head = _HEAD.first(connection, org=organization_code)
    return (int(head[0]), str(head[1])) if head else (0, GENESIS)


def _append(
    connection: Connection,
    organization_code: str,
    head: tuple[int, str],
    events: Sequence[LogEvent],
    *,
    signing_key: crypto.SigningKey | None,
    checkpoint_every: int,
    due: bool = False,
) -> tuple[list[int], bool]:
    """Direct inserts (not the ORM): the log is on the path of every exchange. Returns the new
    entries' seqs and whether a checkpoint was signed (``due``: the time-based one, at the last
    new entry)."""
    signed = False
    seq, prev = head
    at = clock.now()
    rows: list[dict[str, Any]] = []
    for event in events:
        seq += 1
        digest = entry_hash(prev, seq, at, event)
        rows.append(
            {
                "organization_code": organization_code,
                "seq": seq,
                "at": at,
                "role": event.role,
                "kind": event.kind,
                "request_id": event.request_id,
                "consumer": event.consumer,
                "provider": event.provider,
                "service": event.service,
                "purpose": event.purpose,
                "subject_code": event.subject_code,
                "items": list(event.items),
                "result": event.result,
                "message_sha256": event.message_sha256,
                "person_link": event.person_link,
                "visible_from": event.visible_from,
                "prev_hash": prev,
                "entry_hash": digest,
            }
        )
        last = seq == head[0] + len(events)
        if signing_key is not None and (seq % checkpoint_every == 0 or (due and last)):
            _add_checkpoint(connection, organization_code, seq, digest, signing_key)
            signed = True
        prev = digest
    if rows:
        _INSERT_ENTRIES.run(connection, rows)
    return [row["seq"] for row in rows], signed


def _add_checkpoint(
    connection: Connection, organization_code: str, seq: int, digest: str, signing_key: crypto.SigningKey
) -> None:
    at = clock.now()
    token = crypto.sign(
        signing_key, {"org": organization_code, "seq": seq, "hash": digest, "at": _iso(at)}, CHECKPOINT_TYP
    )
    connection.execute(
        insert(MeshLogCheckpoint).values(
            organization_code=organization_code, seq=seq, entry_hash=digest, at=at, signature=token
        )
    )


def checkpoint(database: Database, organization_code: str, signing_key: crypto.SigningKey) -> int:
    """Sign the current head now (e.g. at shutdown or on a timer) and have the directory anchor
    it; returns its seq (0: empty)."""
    with database.write_transaction(_CHAIN_LOCK + organization_code) as connection:
        seq, digest = _head(connection, organization_code)
        if seq == 0:
            return 0
        exists = connection.scalar(
            select(func.count())
            .select_from(MeshLogCheckpoint)
            .where(MeshLogCheckpoint.organization_code == organization_code, MeshLogCheckpoint.seq == seq)
        )
        if not exists:
            _add_checkpoint(connection, organization_code, seq, digest, signing_key)
    _last_checkpoint.setdefault(database, {})[organization_code] = clock.now()
    anchor_pending(database, organization_code)
    return seq


# --- anchors: the directory's countersigned copies of each node's checkpoints --------------------


def register_anchorer(database: Database, organization_code: str, anchorer: Anchorer) -> None:
    """How this process's node for ``organization_code`` has its checkpoints anchored."""
    with _writers_guard:
        _anchorers.setdefault(database, {})[organization_code] = anchorer


def has_anchorer(database: Database, organization_code: str) -> bool:
    return organization_code in _anchorers.get(database, {})


def anchoring_settled(timeout: float = 60.0) -> None:
    """Wait until the anchoring already asked for is done (tests: before their database is
    emptied for the next one, so that a late anchor cannot land in the next test's tables)."""
    _anchoring.submit(lambda: None).result(timeout=timeout)


def anchor_soon(database: Database, organization_code: str) -> None:
    """Anchor the chain's new checkpoints off the exchange's path (one background thread)."""
    if organization_code in _anchorers.get(database, {}):
        _anchoring.submit(_anchor_quietly, database, organization_code)


def _anchor_quietly(database: Database, organization_code: str) -> None:
    try:
        anchor_pending(database, organization_code)
    except Exception as exc:
        log.warning("mesh checkpoint not anchored yet", organization=organization_code, error=str(exc))


def anchor_pending(database: Database, organization_code: str) -> int:
    """Send the chain's checkpoints the directory has not countersigned yet, oldest first, and
    keep each countersignature; returns how many were anchored (a failure leaves the rest for
    the next time)."""
    chain = (database.url, organization_code)
    anchorer = _anchorers.get(database, {}).get(organization_code)
    if anchorer is None:
        return 0
    with _writers_guard:
        guard = _anchor_locks.setdefault(chain, threading.Lock())
    with guard:
        with database.session() as db:
            pending = db.execute(
                select(MeshLogCheckpoint.id, MeshLogCheckpoint.signature)
                .where(
                    MeshLogCheckpoint.organization_code == organization_code,
                    MeshLogCheckpoint.anchor.is_(None),
                )
                .order_by(MeshLogCheckpoint.seq)
            ).all()
        for point_id, token in pending:
            countersigned = anchorer(token)
            with database.session() as db:
                point = db.get(MeshLogCheckpoint, point_id)
                if point is not None:
                    point.anchor = countersigned
    return len(pending)


def countersign(db: Session, operator_key: crypto.SigningKey, token: str, payload: dict[str, Any]) -> str:
    """The directory keeps a node's verified checkpoint and countersigns it. The same checkpoint
    again gets the same countersignature; another hash for a kept entry is refused (a node cannot
    replace what it once anchored)."""
    org, seq, digest = str(payload.get("org")), int(payload.get("seq", 0)), str(payload.get("hash"))
    kept = db.scalar(
        select(MeshLogAnchor).where(MeshLogAnchor.organization_code == org, MeshLogAnchor.seq == seq)
    )
    if kept is not None:
        if kept.entry_hash != digest:
            raise CheckpointConflict(f"the directory keeps another hash for entry {seq} of {org}'s log")
        return kept.signature
    now = clock.now()
    signature = crypto.sign(
        operator_key,
        {
            "org": org,
            "seq": seq,
            "hash": digest,
            "anchored_at": _iso(now),
            "checkpoint_sha256": crypto.sha256_hex(token),
        },
        ANCHOR_TYP,
    )
    db.add(
        MeshLogAnchor(
            organization_code=org,
            seq=seq,
            entry_hash=digest,
            anchored_at=now,
            checkpoint=token,
            signature=signature,
        )
    )
    db.flush()
    return signature


def kept_anchors(db: Session, organization_code: str) -> list[str]:
    """The directory's countersignatures of a node's checkpoints, oldest entry first."""
    return list(
        db.scalars(
            select(MeshLogAnchor.signature)
            .where(MeshLogAnchor.organization_code == organization_code)
            .order_by(MeshLogAnchor.seq)
        )
    )


def anchored_heads(
    tokens: Sequence[str], operator_key: crypto.KeyResolver, organization_code: str
) -> dict[int, str]:
    """(seq → hash) of the directory's countersigned anchors for the chain, each verified."""
    heads = {}
    for token in tokens:
        payload = crypto.verify(token, operator_key, ANCHOR_TYP).payload
        if payload.get("org") == organization_code:
            heads[int(payload["seq"])] = str(payload["hash"])
    return heads


@dataclass
class VerifyReport:
    organization_code: str
    entries: int = 0
    checkpoints: int = 0
    anchors: int = 0
    broken_seq: int | None = None
    reason: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and not self.problems


# The columns in the order the entry hash covers them, then the stored link and hash.
# (":org" is also the sqlite3 driver's own named-parameter style.)
_CHAIN_SQL = (
    "SELECT seq, at, role, kind, request_id, consumer, provider, service, purpose, subject_code, "
    "items, result, message_sha256, person_link, visible_from, prev_hash, entry_hash "
    "FROM mesh_log_entries WHERE organization_code = :org ORDER BY seq"
)
_CHAIN = text(_CHAIN_SQL)
_HASHED = 15  # columns covered by the entry hash (seq … visible_from)
_BLOCK = 5000


def chain_rows(connection: Connection, organization_code: str) -> Iterator[Sequence[Any]]:
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


def _walk(
    rows: Iterator[Sequence[Any]], report: VerifyReport, signed_seqs: set[int], reporter: ProgressReporter
) -> dict[int, str]:
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


def verify(
    database: Database,
    organization_code: str,
    public_key: crypto.KeyResolver | None = None,
    reporter: ProgressReporter | None = None,
    anchors: dict[int, str] | None = None,
    *,
    archived: Iterable[Sequence[Any]] = (),
    archived_count: int = 0,
) -> VerifyReport:
    """Recompute the chain; name the first entry whose hash or link does not hold, and every
    checkpoint the directory anchored that the node no longer matches (``anchors``: seq → hash,
    from :func:`anchored_heads`; by default the anchors kept in this same database). ``archived``:
    the rows moved to archive files (``log.archive.rows``), walked before the database's."""
    reporter = reporter or SilentProgress()
    report = VerifyReport(organization_code)
    with database.session() as db:
        checkpoints = db.scalars(
            select(MeshLogCheckpoint)
            .where(MeshLogCheckpoint.organization_code == organization_code)
            .order_by(MeshLogCheckpoint.seq)
        ).all()
        if anchors is None:
            anchors = dict(
                db.execute(
                    select(MeshLogAnchor.seq, MeshLogAnchor.entry_hash).where(
                        MeshLogAnchor.organization_code == organization_code
                    )
                ).all()
            )
    collecting = gc.isenabled()
    gc.disable()  # rows hold only strings and numbers: no cycles, and collections cost a tenth
    try:
        with database.engine.connect() as connection:
            total = (
                connection.scalar(
                    select(func.count())
                    .select_from(MeshLogEntry)
                    .where(MeshLogEntry.organization_code == organization_code)
                )
                or 0
            )
            reporter.start(f"verifying the log of {organization_code}", total + archived_count)
            hashes = _walk(
                itertools.chain(archived, chain_rows(connection, organization_code)),
                report,
                {point.seq for point in checkpoints} | set(anchors),
                reporter,
            )
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
    _check_anchors(report, anchors, hashes, {point.seq for point in checkpoints})
    return report


def _check_anchors(
    report: VerifyReport, anchors: dict[int, str], hashes: dict[int, str], checkpointed: set[int]
) -> None:
    """What the directory keeps is what the node must still have: the anchored entries with the
    anchored hashes, and the checkpoints themselves."""
    for seq, digest in sorted(anchors.items()):
        report.anchors += 1
        if seq not in checkpointed:
            report.problems.append(
                f"the checkpoint at entry {seq}, anchored by the directory, is gone from the node"
            )
        if report.broken_seq is not None and seq >= report.broken_seq:
            continue
        if seq not in hashes:
            report.problems.append(
                f"entry {seq}, anchored by the directory, is missing: the log's tail was deleted"
            )
        elif hashes[seq] != digest:
            report.problems.append(
                f"entry {seq} differs from the checkpoint the directory anchored: the chain was rewritten"
            )


def recent(db: Session, organization_code: str, limit: int, offset: int) -> tuple[list[MeshLogEntry], int]:
    where = MeshLogEntry.organization_code == organization_code
    total = db.scalar(select(func.count()).select_from(MeshLogEntry).where(where)) or 0
    rows = db.scalars(
        select(MeshLogEntry).where(where).order_by(MeshLogEntry.seq.desc()).limit(limit).offset(offset)
    )
    return list(rows), total


def entries_of_request(db: Session, request_id: str) -> list[MeshLogEntry]:
    """Every organization's entries about one exchange (a staff member sees what their query left)."""
    return list(
        db.scalars(
            select(MeshLogEntry)
            .where(MeshLogEntry.request_id == request_id)
            .order_by(MeshLogEntry.organization_code, MeshLogEntry.seq)
        )
    )
