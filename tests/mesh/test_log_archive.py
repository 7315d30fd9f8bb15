"""The log's archive: old entries move to files ending at an anchored checkpoint, verification
walks files and database as one chain, tampering with a file is found, and the disk alarm."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.mesh.conftest import World
from tests.mesh.test_log_anchors import _exchange, _settle
from typer.testing import CliRunner

from tsunagu.cli.main import app as cli
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.settings import Settings, get_settings
from tsunagu.mesh.log import archive
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.log.models import MeshLogEntry

ORG = "131016"


def _history(database: Database, world: World, fixed_clock: clock.FixedClock) -> int:
    """Three exchanges a minute apart (each after the checkpoint interval), then 100 days later one
    more; returns the chain's length."""
    for _ in range(3):
        _exchange(database, world)
        _settle(database)
        fixed_clock.advance(timedelta(seconds=61))
    fixed_clock.advance(timedelta(days=100))
    _exchange(database, world)
    _settle(database)
    with database.session() as db:
        return int(
            db.scalar(select(func.max(MeshLogEntry.seq)).where(MeshLogEntry.organization_code == ORG)) or 0
        )


def _live(database: Database) -> int:
    with database.session() as db:
        return int(
            db.scalar(
                select(func.count()).select_from(MeshLogEntry).where(MeshLogEntry.organization_code == ORG)
            )
            or 0
        )


def _verify(database: Database, folder: Path) -> message_log.VerifyReport:
    return message_log.verify(
        database, ORG, archived=archive.rows(folder, ORG), archived_count=archive.count(folder, ORG)
    )


def test_old_entries_move_to_an_archive_and_the_chain_still_verifies(
    database: Database, world: World, fixed_clock: clock.FixedClock, tmp_path: Path
) -> None:
    total = _history(database, world, fixed_clock)
    done = archive.archive(database, ORG, tmp_path, timedelta(days=90))
    assert done is not None and done.first == 1 and done.last < total
    assert _live(database) == total - done.last
    report = _verify(database, tmp_path)
    assert report.ok and report.entries == total and report.anchors >= 3, report
    # without its archive, the database alone is not a whole chain
    alone = message_log.verify(database, ORG)
    assert alone.broken_seq == 1 and "missing" in alone.reason
    assert archive.archive(database, ORG, tmp_path, timedelta(days=90)) is None  # nothing older left


@pytest.mark.parametrize("tamper", ["edit-a-line", "drop-the-file", "truncate"])
def test_a_changed_or_missing_archive_is_found(
    database: Database, world: World, fixed_clock: clock.FixedClock, tmp_path: Path, tamper: str
) -> None:
    _history(database, world, fixed_clock)
    done = archive.archive(database, ORG, tmp_path, timedelta(days=90))
    assert done is not None
    with gzip.open(done.path, "rt", encoding="utf-8") as stream:
        lines = stream.read().splitlines()
    if tamper == "drop-the-file":
        done.path.unlink()
    else:
        if tamper == "edit-a-line":
            row = json.loads(lines[2])
            row[9] = "someone-else"  # the person's code of entry 2
            lines[2] = json.dumps(row, ensure_ascii=False)
        else:
            lines = lines[:-1]  # the last archived entry is gone
        with gzip.open(done.path, "wt", encoding="utf-8") as stream:
            stream.write("\n".join(lines) + "\n")
    report = _verify(database, tmp_path)
    assert not report.ok
    expected = {"edit-a-line": 2, "drop-the-file": 1, "truncate": done.last}[tamper]
    assert report.broken_seq == expected, report


def test_the_commands_archive_verify_and_raise_the_disk_alarm(
    database: Database,
    world: World,
    fixed_clock: clock.FixedClock,
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    total = _history(database, world, fixed_clock)
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", database.url)
    monkeypatch.setenv("TSUNAGU_SECRET_KEY", settings.resolved_secret_key())
    monkeypatch.setenv("TSUNAGU_MESH_ARCHIVE_DIR", str(tmp_path))
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        archived = runner.invoke(cli, ["mesh", "archive-log", "--org", ORG, "--older-than-days", "90"])
        assert archived.exit_code == 0, archived.output
        assert "archived to" in archived.output
        verified = runner.invoke(cli, ["mesh", "verify-log", "--org", ORG])
        assert verified.exit_code == 0, verified.output
        assert f"{total} entries" in verified.output
        status = runner.invoke(cli, ["mesh", "log-status", "--org", ORG])
        assert status.exit_code == 0 and "1 archive files" in " ".join(status.output.split())
        monkeypatch.setenv("TSUNAGU_MESH_DISK_ALARM_RATIO", "0.999999")  # every real disk is "full"
        get_settings.cache_clear()  # the CLI reads the process settings once
        alarmed = runner.invoke(cli, ["mesh", "log-status", "--org", ORG])
        assert alarmed.exit_code == 2 and "alarm" in alarmed.output
    finally:
        get_settings.cache_clear()
