"""Hot reload: new and changed valid files go live without a restart; invalid ones are refused."""

from __future__ import annotations

import os
from pathlib import Path

from tests.procedures.conftest import VALID

from tsunagu.procedures.registry import LiveRegistry


class Ticker:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    # Distinct mtimes even on file systems with coarse timestamps.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_new_file_goes_live_after_the_interval(tmp_path: Path) -> None:
    ticker = Ticker()
    registry = LiveRegistry(tmp_path, interval=1.0, monotonic=ticker)
    assert registry.snapshot().procedures == {}
    _write(tmp_path / "sample.yaml", VALID)
    assert registry.snapshot().procedures == {}, "polls at most once per interval"
    ticker.now = 1.0
    assert list(registry.snapshot().procedures) == ["sample"]


def test_changed_file_replaces_the_live_version(tmp_path: Path) -> None:
    ticker = Ticker()
    _write(tmp_path / "sample.yaml", VALID)
    registry = LiveRegistry(tmp_path, monotonic=ticker)
    first = registry.snapshot().procedures["sample"]
    _write(tmp_path / "sample.yaml", VALID.replace("processing_days: 7", "processing_days: 14"))
    ticker.now = 5.0
    second = registry.snapshot().procedures["sample"]
    assert (first.processing_days, second.processing_days) == (7, 14)
    assert first.revision != second.revision


def test_invalid_version_is_refused_and_the_old_one_stays(tmp_path: Path) -> None:
    ticker = Ticker()
    path = tmp_path / "sample.yaml"
    _write(path, VALID)
    registry = LiveRegistry(tmp_path, monotonic=ticker)
    assert registry.snapshot().procedures["sample"].processing_days == 7
    _write(
        path, VALID.replace("processing_days: 7", "processing_days: 14").replace("role: 審査", "role: 部長")
    )
    ticker.now = 1.0
    snapshot = registry.snapshot()
    assert snapshot.procedures["sample"].processing_days == 7
    assert [(p.path.name, p.line) for p in snapshot.problems] == [("sample.yaml", 26)]
    _write(path, VALID.replace("processing_days: 7", "processing_days: 21"))
    ticker.now = 2.0
    fixed = registry.snapshot()
    assert fixed.procedures["sample"].processing_days == 21 and fixed.problems == ()


def test_an_invalid_new_file_never_goes_live(tmp_path: Path) -> None:
    registry = LiveRegistry(tmp_path, interval=0)
    _write(tmp_path / "broken.yaml", "id: [")
    snapshot = registry.snapshot()
    assert snapshot.procedures == {} and snapshot.problems[0].path.name == "broken.yaml"


def test_removed_file_is_withdrawn(tmp_path: Path) -> None:
    path = tmp_path / "sample.yaml"
    _write(path, VALID)
    registry = LiveRegistry(tmp_path, interval=0)
    assert "sample" in registry.snapshot().procedures
    path.unlink()
    assert registry.snapshot().procedures == {}
