"""Appending to a chain (group commit, one writer per chain and process) and signing its checkpoints."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, func, insert, select

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.direct import DirectInsert, DirectSelect
from tsunagu.core.errors import TsunaguError
from tsunagu.core.groupcommit import GroupCommit, Job
from tsunagu.mesh import crypto
from tsunagu.mesh.log.models import MeshLogCheckpoint, MeshLogEntry
from tsunagu.mesh.log.service.anchors import anchor_pending, anchor_soon
from tsunagu.mesh.log.service.chain import CHECKPOINT_TYP, GENESIS, LogEvent, _iso, _writers_guard, entry_hash

# when each chain was last checkpointed (read from the database once per process, then kept)
_last_checkpoint: weakref.WeakKeyDictionary[Database, dict[str, datetime]] = weakref.WeakKeyDictionary()


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
