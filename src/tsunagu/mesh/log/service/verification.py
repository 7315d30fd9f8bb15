"""Verifying a chain: every entry's hash and link, the node's checkpoints and the directory's anchors."""

from __future__ import annotations

import gc
import hashlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select, text

from tsunagu.core.database import Database
from tsunagu.core.progress import ProgressReporter, SilentProgress
from tsunagu.mesh import crypto
from tsunagu.mesh.errors import BadSignature
from tsunagu.mesh.log.models import MeshLogAnchor, MeshLogCheckpoint, MeshLogEntry
from tsunagu.mesh.log.service.chain import (
    CHECKPOINT_TYP,
    GENESIS,
    _encode_array,
    _instant,
    _items_text,
)


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
