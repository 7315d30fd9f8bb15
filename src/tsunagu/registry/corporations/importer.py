"""Loading published records into the registry: current state plus append-only history.

A file is read once. Its good records are written in batches, as driver tuples (``bulk``: one
executemany on SQLite, COPY on PostgreSQL), inside a savepoint of the caller's transaction.
A bad line stops the writing unless ``skip_invalid``; the rest of the file is still checked so
that every bad line is reported, and the savepoint is rolled back: an import either completes
or leaves nothing behind.

Each corporation is linked to its municipality: prefectureCode + cityCode with its check digit
is the 全国地方公共団体コード, kept when the address registry knows it; unknown codes are
reported per line and leave the link empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.progress import ProgressReporter, SilentProgress
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.corporations import nta_format
from tsunagu.registry.corporations.models import Corporation, CorporationChange
from tsunagu.registry.corporations.nta_format import NtaRecord, RowError
from tsunagu.registry.residents.bulk import insert_rows, loading, savepoint, update_rows

BATCH_SIZE = 5000
REPORTED_ERRORS = 100

# Columns written from a record in this order, as one ``attrgetter`` call per record.
_SHARED_COLUMNS = (
    "number",
    "name",
    "furigana",
    "kind",
    "prefecture_name",
    "city_name",
    "street_number",
    "prefecture_code",
    "city_code",
    "post_code",
    "address_outside",
    "close_date",
    "close_cause",
    "successor_number",
    "update_date",
    "change_date",
)
_STATE_ONLY = ("en_name", "en_prefecture_name", "en_city_name", "en_address_outside", "assignment_date")
_CHANGE_ONLY = ("process", "correction", "change_cause", "latest")
_state_values = attrgetter(*_SHARED_COLUMNS, *_STATE_ONLY, "process", "hidden")
_change_values = attrgetter(*_SHARED_COLUMNS, *_CHANGE_ONLY)
STATE_COLUMNS = (
    *_SHARED_COLUMNS,
    *_STATE_ONLY,
    "last_process",
    "hidden",
    "deleted",
    "municipality_code",
    "imported_at",
)
CHANGE_COLUMNS = (*_SHARED_COLUMNS, *_CHANGE_ONLY, "fingerprint", "imported_at")
_CORPORATIONS = cast(Table, Corporation.__table__)
_CHANGES = cast(Table, CorporationChange.__table__)


class ImportRejected(ValidationFailed):
    """The file has bad rows and the import is all-or-nothing: nothing was written."""

    code = "corporations-import-rejected"
    title = "Corporate number file rejected"


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    created: int = 0
    updated: int = 0
    history_added: int = 0
    linked: int = 0
    errors: list[RowError] = field(default_factory=list)
    unknown_municipalities: list[RowError] = field(default_factory=list)
    unknown_municipality_lines: int = 0

    @property
    def skipped(self) -> int:
        return len(self.errors)


def import_file(
    db: Session, path: Path, *, skip_invalid: bool = False, progress: ProgressReporter | None = None
) -> ImportReport:
    """Import a 全件 or 差分 file; bad rows reject the whole file unless ``skip_invalid``."""
    progress = progress or SilentProgress()
    report = ImportReport()
    progress.start(f"importing {path.name}", None)
    with savepoint(db), _loading(db):
        writer = _Writer(db, report, progress)
        for line, item in nta_format.read(path):
            report.rows += 1
            if isinstance(item, RowError):
                report.errors.append(item)
            elif skip_invalid or not report.errors:
                writer.add(line, item)
        if report.errors and not skip_invalid:
            shown = report.errors[:REPORTED_ERRORS]
            raise ImportRejected(
                f"{path.name}: {len(report.errors)} of {report.rows} rows are invalid, nothing was "
                f"imported (first: line {shown[0].line}: {shown[0].reason}); fix them or use --skip-invalid",
                errors=[
                    {"location": ["line", error.line], "message": error.reason, "type": "bad-row"}
                    for error in shown
                ],
            )
        writer.flush()
    return report


def import_records(
    db: Session, records: Iterable[NtaRecord], progress: ProgressReporter | None = None
) -> ImportReport:
    """Import already validated records (the synthetic generator uses this)."""
    report = ImportReport()
    with savepoint(db), _loading(db):
        writer = _Writer(db, report, progress or SilentProgress())
        for line, record in enumerate(records, start=1):
            writer.add(line, record)
        writer.flush()
    report.rows = report.imported
    return report


def _loading(db: Session) -> AbstractContextManager[None]:
    """Into empty tables the secondary indexes are built once at the end (``bulk.loading``); the
    look-ups of a batch use only the primary key and the unique fingerprint, which stay."""
    empty = db.scalar(select(Corporation.number).limit(1)) is None
    return loading(db, [_CORPORATIONS, _CHANGES], empty=empty)


class _Writer:
    """Collects good records and writes them a batch at a time (``flush`` writes the rest)."""

    def __init__(self, db: Session, report: ImportReport, progress: ProgressReporter) -> None:
        self.db, self.report, self.progress = db, report, progress
        self.batch: list[tuple[int, NtaRecord]] = []
        self.now = clock.now()
        self.municipalities = frozenset(m.code for m in addresses.list_municipalities(db))

    def add(self, line: int, record: NtaRecord) -> None:
        self.batch.append((line, record))
        if len(self.batch) >= BATCH_SIZE:
            self.flush()

    def municipality_code(self, line: int, record: NtaRecord) -> str:
        """The record's 全国地方公共団体コード if the address registry has it, else "" (reported)."""
        code = nta_format.municipality_code(record.prefecture_code, record.city_code)
        if not code or code in self.municipalities:
            return code
        self.report.unknown_municipality_lines += 1
        if len(self.report.unknown_municipalities) < REPORTED_ERRORS:
            self.report.unknown_municipalities.append(
                RowError(
                    line,
                    f"municipality {code} (prefectureCode {record.prefecture_code} + cityCode "
                    f"{record.city_code}) is not in the address registry",
                )
            )
        return ""

    def flush(self) -> None:
        if not self.batch:
            return
        db, report, batch = self.db, self.report, self.batch
        numbers = {record.number for _line, record in batch}
        existing = set(db.scalars(select(Corporation.number).where(Corporation.number.in_(numbers))))
        fingerprints = {record.fingerprint(): (line, record) for line, record in batch}
        known = set(
            db.scalars(
                select(CorporationChange.fingerprint).where(CorporationChange.fingerprint.in_(fingerprints))
            )
        )
        # A change already in the history was applied when it was first imported: importing it
        # again (the same file, or an older one) neither repeats it nor turns the state back.
        fresh = {fingerprint: item for fingerprint, item in fingerprints.items() if fingerprint not in known}
        current: dict[str, tuple[int, NtaRecord]] = {}
        for line, record in fresh.values():
            # A record becomes the current state when NTA marks it latest, or when it is the
            # first we hear of the corporation (a history line ahead of its latest one).
            if record.latest or (record.number not in existing and record.number not in current):
                current[record.number] = (line, record)
        created: list[tuple[Any, ...]] = []
        changed: list[tuple[Any, ...]] = []
        for number, (line, record) in current.items():
            code = self.municipality_code(line, record)
            report.linked += code != ""
            state = (*_state_values(record), record.process == "99", code, self.now)
            (changed if number in existing else created).append(state)
        insert_rows(db, _CORPORATIONS, STATE_COLUMNS, created)
        update_rows(
            db, _CORPORATIONS, STATE_COLUMNS[1:], [(*state[1:], state[0]) for state in changed], key="number"
        )
        insert_rows(
            db,
            _CHANGES,
            CHANGE_COLUMNS,
            [
                (*_change_values(record), fingerprint, self.now)
                for fingerprint, (_line, record) in fresh.items()
            ],
        )
        report.imported += len(batch)
        report.created += len(created)
        report.updated += len(changed)
        report.history_added += len(fresh)
        self.progress.advance(len(batch))
        batch.clear()
