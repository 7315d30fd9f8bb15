"""Loading published records into the registry: current state plus append-only history.

A file is read twice: first every line is validated, then (if the file may be imported) the
good records are written in batches inside the caller's one transaction, so an import either
completes or leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.progress import ProgressReporter, SilentProgress
from tsunagu.registry.corporations import nta_format
from tsunagu.registry.corporations.models import Corporation, CorporationChange
from tsunagu.registry.corporations.nta_format import NtaRecord, RowError

BATCH_SIZE = 2000
REPORTED_ERRORS = 100


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
    errors: list[RowError] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.errors)


def import_file(db: Session, path: Path, *, skip_invalid: bool = False,
                progress: ProgressReporter | None = None) -> ImportReport:
    """Import a 全件 or 差分 file; bad rows reject the whole file unless ``skip_invalid``."""
    progress = progress or SilentProgress()
    report = ImportReport()
    progress.start(f"checking {path.name}", None)
    for _line, item in nta_format.read(path):
        report.rows += 1
        if isinstance(item, RowError):
            report.errors.append(item)
        progress.advance()
    if report.errors and not skip_invalid:
        shown = report.errors[:REPORTED_ERRORS]
        raise ImportRejected(
            f"{path.name}: {len(report.errors)} of {report.rows} rows are invalid, nothing was imported "
            f"(first: line {shown[0].line}: {shown[0].reason}); fix them or use --skip-invalid",
            errors=[{"location": ["line", error.line], "message": error.reason, "type": "bad-row"}
                    for error in shown],
        )
    progress.start(f"importing {path.name}", report.rows - report.skipped)
    good = (item for _line, item in nta_format.read(path) if isinstance(item, NtaRecord))
    _apply(db, good, report, progress)
    return report


def import_records(db: Session, records: Iterable[NtaRecord],
                   progress: ProgressReporter | None = None) -> ImportReport:
    """Import already validated records (the synthetic generator uses this)."""
    report = ImportReport()
    _apply(db, records, report, progress or SilentProgress())
    report.rows = report.imported
    return report


def _batches(records: Iterable[NtaRecord]) -> Iterator[list[NtaRecord]]:
    iterator = iter(records)
    while batch := list(islice(iterator, BATCH_SIZE)):
        yield batch


def _apply(db: Session, records: Iterable[NtaRecord], report: ImportReport,
           progress: ProgressReporter) -> None:
    for batch in _batches(records):
        numbers = {record.number for record in batch}
        existing = set(db.scalars(select(Corporation.number).where(Corporation.number.in_(numbers))))
        fingerprints = {record.fingerprint(): record for record in batch}
        known = set(db.scalars(select(CorporationChange.fingerprint)
                               .where(CorporationChange.fingerprint.in_(fingerprints))))
        now = clock.now()
        current: dict[str, NtaRecord] = {}
        for record in batch:
            # A record becomes the current state when NTA marks it latest, or when it is the
            # first we hear of the corporation (a history line ahead of its latest one).
            if record.latest or (record.number not in existing and record.number not in current):
                current[record.number] = record
        new_rows = [_state(record, now) for number, record in current.items() if number not in existing]
        changed_rows = [_state(record, now) for number, record in current.items() if number in existing]
        if new_rows:
            db.execute(insert(Corporation), new_rows)
        if changed_rows:
            db.execute(update(Corporation), changed_rows)
        history = [_change(record, fingerprint, now) for fingerprint, record in fingerprints.items()
                   if fingerprint not in known]
        if history:
            db.execute(insert(CorporationChange), history)
        report.imported += len(batch)
        report.created += len(new_rows)
        report.updated += len(changed_rows)
        report.history_added += len(history)
        progress.advance(len(batch))


def _address_columns(record: NtaRecord) -> dict[str, Any]:
    return {
        "name": record.name, "furigana": record.furigana, "kind": record.kind,
        "prefecture_name": record.prefecture_name, "city_name": record.city_name,
        "street_number": record.street_number, "prefecture_code": record.prefecture_code,
        "city_code": record.city_code, "post_code": record.post_code,
        "address_outside": record.address_outside, "close_date": record.close_date,
        "close_cause": record.close_cause, "successor_number": record.successor_number,
        "update_date": record.update_date, "change_date": record.change_date,
    }


def _state(record: NtaRecord, now: datetime) -> dict[str, Any]:
    return {
        "number": record.number, **_address_columns(record), "en_name": record.en_name,
        "en_prefecture_name": record.en_prefecture_name, "en_city_name": record.en_city_name,
        "en_address_outside": record.en_address_outside, "assignment_date": record.assignment_date,
        "last_process": record.process, "deleted": record.process == "99", "hidden": record.hidden,
        "imported_at": now,
    }


def _change(record: NtaRecord, fingerprint: str, now: datetime) -> dict[str, Any]:
    return {
        "number": record.number, "fingerprint": fingerprint, **_address_columns(record),
        "process": record.process, "correction": record.correction, "change_cause": record.change_cause,
        "latest": record.latest, "imported_at": now,
    }
