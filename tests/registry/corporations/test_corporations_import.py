"""Importing NTA 法人番号 files: full, diff, bad rows, all-or-nothing and re-import."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tsunagu.core.database import Database
from tsunagu.registry.corporations import service
from tsunagu.registry.corporations.models import Corporation, CorporationChange
from tsunagu.registry.corporations.nta_format import FileUnreadable

DATA = Path(__file__).parent / "data"
FULL = DATA / "full_13_tokyo.csv"
DIFF = DATA / "diff_20261120.csv"
BAD = DATA / "bad_rows.csv"


def _counts(database: Database) -> tuple[int, int]:
    with database.session() as db:
        return (
            db.scalar(select(func.count()).select_from(Corporation)) or 0,
            db.scalar(select(func.count()).select_from(CorporationChange)) or 0,
        )


def test_full_file_creates_current_records_and_history(database: Database) -> None:
    with database.session() as db:
        report = service.import_file(db, FULL)
    assert (report.rows, report.created, report.history_added, report.skipped) == (4, 4, 4, 0)
    with database.session() as db:
        library = service.require_corporation(db, "1000011000005")
    assert library.name == "国立国会図書館"
    assert library.kind_label == "国の機関"
    assert library.address == "東京都千代田区永田町１丁目１０－１"
    assert library.en_name == "National Diet Library"
    assert library.status == "active"


def test_diff_file_changes_names_addresses_and_closes_with_successor(database: Database) -> None:
    with database.session() as db:
        service.import_file(db, FULL)
    with database.session() as db:
        report = service.import_file(db, DIFF)
    assert (report.created, report.updated, report.history_added) == (1, 3, 4)
    with database.session() as db:
        renamed = service.require_corporation(db, "6010001000001")
        moved = service.require_corporation(db, "5020001000001")
        merged = service.require_corporation(db, "7010001000009")
        names = [change.name for change in service.history(db, "6010001000001")]
        merged_history = service.history(db, "7010001000009")
        new = service.get_corporation(db, "9010401000003")
    assert renamed.name == "つなぐホールディングス株式会社"
    assert names == ["つなぐ商事株式会社", "つなぐホールディングス株式会社"]
    assert moved.street_number == "本町２丁目１"
    assert moved.post_code == "2380041"
    assert merged.closed and merged.status == "closed"
    assert (merged.close_cause, merged.close_cause_label) == ("11", "合併による解散等")
    assert merged.successor_number == "6010001000001"
    assert [change.process_label for change in merged_history] == ["新規", "吸収合併"]
    assert "合併し解散" in merged_history[-1].change_cause
    assert new is not None and new.assignment_date is not None


def test_reimporting_the_same_file_adds_no_history(database: Database) -> None:
    with database.session() as db:
        service.import_file(db, FULL)
    with database.session() as db:
        report = service.import_file(db, FULL)
    assert (report.created, report.updated, report.history_added) == (0, 0, 0)
    assert _counts(database) == (4, 4)


def test_reimporting_an_older_file_does_not_turn_the_state_back(database: Database) -> None:
    for path in (FULL, DIFF, FULL):
        with database.session() as db:
            service.import_file(db, path)
    with database.session() as db:
        renamed = service.require_corporation(db, "6010001000001")
        merged = service.require_corporation(db, "7010001000009")
    assert renamed.name == "つなぐホールディングス株式会社"
    assert merged.closed


def test_bad_rows_reject_the_whole_file_naming_each_line(database: Database) -> None:
    with database.session() as db, pytest.raises(service.ImportRejected) as caught:
        service.import_file(db, BAD)
    problem = caught.value
    assert problem.code == "corporations-import-rejected"
    assert "4 of 6 rows are invalid, nothing was imported" in problem.detail
    reasons = {error["location"][1]: error["message"] for error in problem.errors}
    assert set(reasons) == {2, 3, 4, 5}
    assert "check digit of corporate number 2010001000002 is wrong" in reasons[2]
    assert "process '55' is not one of the codes" in reasons[3]
    assert "updateDate '2019-02-30' is not a calendar date" in reasons[4]
    assert "expected 30 columns, found 10" in reasons[5]
    assert _counts(database) == (0, 0)


def test_skip_invalid_keeps_the_good_rows(database: Database) -> None:
    with database.session() as db:
        report = service.import_file(db, BAD, skip_invalid=True)
    assert (report.rows, report.imported, report.skipped) == (6, 2, 4)
    assert [error.line for error in report.errors] == [2, 3, 4, 5]
    assert _counts(database) == (2, 2)


def test_a_failure_while_writing_leaves_nothing_behind(database: Database) -> None:
    with pytest.raises(RuntimeError), database.session() as db:
        service.import_file(db, FULL)
        raise RuntimeError("crash after the import, before commit")
    assert _counts(database) == (0, 0)


def test_zip_downloads_are_read(database: Database, tmp_path: Path) -> None:
    import zipfile

    archive = tmp_path / "13_tokyo_all_20261130.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(FULL, "13_tokyo_all_20261130.csv")
    with database.session() as db:
        assert service.import_file(db, archive).created == 4


def test_non_utf8_file_is_reported(database: Database, tmp_path: Path) -> None:
    shift_jis = tmp_path / "sjis.csv"
    shift_jis.write_bytes(FULL.read_text(encoding="utf-8").encode("shift_jis", errors="replace"))
    with database.session() as db, pytest.raises(FileUnreadable, match="not UTF-8"):
        service.import_file(db, shift_jis)


def test_synthetic_corporations_are_deterministic_and_valid(database: Database) -> None:
    with database.session() as db:
        report = service.load_synthetic(db, 200, seed=7)
    assert report is not None and report.created == 200
    with database.session() as db:
        assert service.load_synthetic(db, 200, seed=7, only_if_empty=True) is None
        records, total = service.search(db, limit=200)
        closed, closed_total = service.search(db, closed=True, limit=200)
    assert total == 200
    assert closed_total > 0
    assert all(record.successor_number or record.close_cause == "01" for record in closed)
    assert {record.kind_label for record in records} <= {"株式会社", "合同会社", "有限会社", "合資会社"}
    assert all(
        record.name.endswith(record.kind_label) or record.name.startswith(record.kind_label)
        for record in records
        if record.status == "active" and record.last_process == "01"
    )


def test_generated_file_round_trips_through_the_published_layout(database: Database, tmp_path: Path) -> None:
    from tsunagu.registry.corporations import generator, nta_format

    path = tmp_path / "diff.csv"
    written = nta_format.write(path, generator.corporations(50, seed=3))
    parsed = [item for _line, item in nta_format.read(path)]
    assert len(parsed) == written
    assert parsed == list(generator.corporations(50, seed=3))


def test_fingerprints_are_the_published_fields_joined_as_text() -> None:
    """Stored fingerprints stay valid: sequence and latest aside, "" for missing dates, str() else."""
    from dataclasses import astuple
    from hashlib import sha256

    from tsunagu.registry.corporations.nta_format import RECORD_FIELDS, NtaRecord, read

    records = [item for path in (FULL, DIFF) for _line, item in read(path) if isinstance(item, NtaRecord)]
    for record in records:
        text = "\x1f".join(
            "" if value is None else str(value)
            for name, value in zip(RECORD_FIELDS, astuple(record), strict=True)
            if name not in ("sequence_number", "latest")
        )
        assert record.fingerprint() == sha256(text.encode()).hexdigest()


def test_overlong_cells_are_named(tmp_path: Path) -> None:
    from tsunagu.registry.corporations.nta_format import BadRow, parse_row

    row = FULL.read_text(encoding="utf-8").splitlines()[1].split(",")
    assert parse_row(row).number == "6010001000001"
    with pytest.raises(BadRow, match="furigana is longer than 500 characters"):
        parse_row([*row[:28], "ア" * 501, row[29]])
