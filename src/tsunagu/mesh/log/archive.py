"""The message log's archive (X-Road's message-log archive): old entries leave the database for
files, each ending at a checkpoint the directory anchored, and verification walks the files and
then the database as one chain.

A file ``<dir>/<org>/<first>-<last>.jsonl.gz`` holds a header line (organization, first and
last seq, the hash before the first entry and of the last, and the signed checkpoints with the
directory's countersignatures inside the range) and then one JSON array per entry: exactly the
values the entry hash covers, then the stored previous and entry hashes. It is written to a
temporary name, synced, read back and checked, renamed, and only then are the entries deleted
from the database (checkpoints and anchors stay). Deleting or truncating a file, or changing a
line, breaks the walk at the first entry it no longer holds.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import delete, func, select

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import TsunaguError
from tsunagu.core.progress import ProgressReporter, SilentProgress
from tsunagu.mesh import metrics
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.log.models import MeshLogCheckpoint, MeshLogEntry
from tsunagu.mesh.settings import MeshSettings

log = structlog.get_logger(__name__)
_SUFFIX = ".jsonl.gz"


class ArchiveRefused(TsunaguError):
    status = 409
    code = "mesh-archive-refused"
    title = "The log cannot be archived"


@dataclass(frozen=True)
class Archived:
    path: Path
    first: int
    last: int


def files(archive_dir: Path, organization_code: str) -> list[Path]:
    """The organization's archive files, oldest first (names sort by their first entry)."""
    folder = archive_dir / organization_code
    return sorted(folder.glob(f"*{_SUFFIX}")) if folder.is_dir() else []


def _header(path: Path) -> dict[str, Any]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        header: dict[str, Any] = json.loads(stream.readline())
    return header


def live_count(database: Database, organization_code: str) -> int:
    """Entries still in the database."""
    with database.session() as db:
        return (
            db.scalar(
                select(func.count())
                .select_from(MeshLogEntry)
                .where(MeshLogEntry.organization_code == organization_code)
            )
            or 0
        )


def count(archive_dir: Path, organization_code: str) -> int:
    return sum(
        int(h["last"]) - int(h["first"]) + 1
        for h in (_header(p) for p in files(archive_dir, organization_code))
    )


def rows(archive_dir: Path, organization_code: str) -> Iterator[Sequence[Any]]:
    """Every archived entry, oldest first, as the chain's verification walks them."""
    for path in files(archive_dir, organization_code):
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            stream.readline()
            for line in stream:
                yield json.loads(line)


def _boundary(database: Database, organization_code: str, before: Any) -> tuple[int, int, str] | None:
    """(first seq in the database, last seq to archive, its hash): the newest anchored checkpoint
    whose entry is older than ``before``."""
    with database.session() as db:
        first = db.scalar(
            select(func.min(MeshLogEntry.seq)).where(MeshLogEntry.organization_code == organization_code)
        )
        if first is None:
            return None
        found = db.execute(
            select(MeshLogCheckpoint.seq, MeshLogCheckpoint.entry_hash)
            .join(
                MeshLogEntry,
                (MeshLogEntry.organization_code == MeshLogCheckpoint.organization_code)
                & (MeshLogEntry.seq == MeshLogCheckpoint.seq),
            )
            .where(
                MeshLogCheckpoint.organization_code == organization_code,
                MeshLogCheckpoint.anchor.is_not(None),
                MeshLogCheckpoint.seq >= first,
                MeshLogEntry.at < before,
            )
            .order_by(MeshLogCheckpoint.seq.desc())
            .limit(1)
        ).first()
    return None if found is None else (int(first), int(found[0]), str(found[1]))


def archive(
    database: Database,
    organization_code: str,
    archive_dir: Path,
    older_than: timedelta,
    reporter: ProgressReporter | None = None,
) -> Archived | None:
    """Move the entries older than ``older_than`` up to the newest anchored checkpoint among them
    into one archive file; None when there is nothing to move."""
    reporter = reporter or SilentProgress()
    bounds = _boundary(database, organization_code, clock.now() - older_than)
    if bounds is None:
        return None
    first, last, last_hash = bounds
    with database.engine.connect() as connection:
        moved = [list(row) for row in message_log.chain_rows(connection, organization_code) if row[0] <= last]
    with database.session() as db:
        points = [
            {"seq": p.seq, "hash": p.entry_hash, "signature": p.signature, "anchor": p.anchor}
            for p in db.scalars(
                select(MeshLogCheckpoint)
                .where(
                    MeshLogCheckpoint.organization_code == organization_code,
                    MeshLogCheckpoint.seq.between(first, last),
                )
                .order_by(MeshLogCheckpoint.seq)
            )
        ]
    _check(moved, first, last, last_hash)
    reporter.start(f"archiving the log of {organization_code}", len(moved))
    folder = archive_dir / organization_code
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{first:012d}-{last:012d}{_SUFFIX}"
    temporary = path.with_name(path.name + ".part")
    header = {
        "org": organization_code,
        "first": first,
        "last": last,
        "prev_hash": moved[0][-2],
        "last_hash": last_hash,
        "checkpoints": points,
        "archived_at": clock.now().isoformat(),
    }
    with gzip.open(temporary, "wt", encoding="utf-8") as stream:
        stream.write(json.dumps(header, ensure_ascii=False) + "\n")
        for number, row in enumerate(moved, start=1):
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
            if number % 5000 == 0:
                reporter.advance(5000)
    with temporary.open("rb") as synced:
        os.fsync(synced.fileno())
    reread = [list(row) for row in _rows_of(temporary)]
    if reread != moved:
        temporary.unlink()
        raise ArchiveRefused(f"the archive of {organization_code} did not read back as written")
    temporary.rename(path)
    with database.write_transaction("mesh-log:" + organization_code) as connection:
        connection.execute(
            delete(MeshLogEntry).where(
                MeshLogEntry.organization_code == organization_code, MeshLogEntry.seq <= last
            )
        )
    reporter.advance(len(moved) % 5000)
    log.info("mesh log archived", organization=organization_code, first=first, last=last, path=str(path))
    return Archived(path, first, last)


def _rows_of(path: Path) -> Iterator[Sequence[Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        stream.readline()
        for line in stream:
            yield json.loads(line)


def _check(moved: list[list[Any]], first: int, last: int, last_hash: str) -> None:
    """Archive only a whole, linked run of entries that ends at its anchored checkpoint."""
    if not moved or moved[0][0] != first or moved[-1][0] != last or len(moved) != last - first + 1:
        raise ArchiveRefused(f"entries {first}–{last} are not all in the database: verify the log first")
    for before, after in itertools.pairwise(moved):
        if after[-2] != before[-1]:
            raise ArchiveRefused(f"entry {after[0]} does not link to entry {before[0]}: verify the log first")
    if moved[-1][-1] != last_hash:
        raise ArchiveRefused(f"entry {last} differs from its checkpoint: verify the log first")


@dataclass(frozen=True)
class DiskStatus:
    path: Path
    free_bytes: int
    total_bytes: int

    @property
    def free_ratio(self) -> float:
        return self.free_bytes / self.total_bytes if self.total_bytes else 0.0


def disk_status(path: Path) -> DiskStatus:
    """Free space where the log (or its archive) is written: the nearest existing folder."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    usage = shutil.disk_usage(probe)
    return DiskStatus(path, usage.free, usage.total)


def archive_dir_of(settings: MeshSettings, data_dir: Path) -> Path:
    return settings.archive_dir or data_dir / "mesh-archive"


def watched_paths(database_url: str, archive_dir: Path | None) -> list[Path]:
    """The folders whose disks hold the log: the SQLite file's (a server database's disk is the
    database server's to watch) and the archive's (resolved by ``Settings``: under ``data_dir``
    unless ``TSUNAGU_MESH_ARCHIVE_DIR`` names it)."""
    paths = [] if archive_dir is None else [archive_dir]
    if database_url.startswith("sqlite:///") and ":memory:" not in database_url:
        paths.append(Path(database_url.removeprefix("sqlite:///")).parent)
    return paths


def watch(database_url: str, settings: MeshSettings) -> None:
    """The disk alarm of this process's log (a gauge at /metrics and a warning in the log)."""
    for path in watched_paths(database_url, settings.archive_dir):
        metrics.watch_disk(path, lambda p: disk_status(p).free_ratio, settings.disk_alarm_ratio)
