"""The live definitions of a running process: new or changed valid files go live on access.

Each process polls its procedures directory at most once per ``interval`` seconds when the
catalogue is read (no background thread, so several worker processes each converge on the same
files within a second). A file whose new version is invalid is refused: its previous valid
version stays live and the problems are kept for operators.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tsunagu.core import logging as core_logging
from tsunagu.procedures import loader
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.source import Problem

log = core_logging.get_logger("tsunagu.procedures")

Stamp = tuple[int, int, int]  # mtime_ns, size, inode: an atomic replace changes the inode


@dataclass(frozen=True)
class Snapshot:
    """What is live now and what was refused (with file:line problems)."""

    procedures: dict[str, Procedure]
    problems: tuple[Problem, ...]
    loaded_at: float


class LiveRegistry:
    def __init__(
        self, directory: Path, *, interval: float = 1.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.directory = directory
        self.interval = interval
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._stamps: dict[Path, Stamp] = {}
        self._latest: dict[Path, loader.FileResult] = {}
        self._valid: dict[Path, loader.FileResult] = {}
        self._checked_at: float | None = None
        self._snapshot = Snapshot({}, (), 0.0)

    def snapshot(self) -> Snapshot:
        """The current definitions, after picking up changes if the interval has passed."""
        now = self._monotonic()
        if self._checked_at is None or now - self._checked_at >= self.interval:
            with self._lock:
                if self._checked_at is None or now - self._checked_at >= self.interval:
                    self._refresh()
                    self._checked_at = now
        return self._snapshot

    def _refresh(self) -> None:
        stamps = self._scan()
        if stamps == self._stamps:
            return
        for path in self._stamps.keys() - stamps.keys():
            self._latest.pop(path, None)
            self._valid.pop(path, None)
            log.info("procedure_file_removed", file=str(path))
        for path, stamp in stamps.items():
            if self._stamps.get(path) == stamp:
                continue
            result = loader.load_file(path)
            self._latest[path] = result
            if result.procedure is not None:
                self._valid[path] = result
                log.info(
                    "procedure_loaded",
                    file=str(path),
                    procedure=result.procedure.id,
                    revision=result.procedure.revision[:12],
                )
            else:
                log.warning(
                    "procedure_refused",
                    file=str(path),
                    kept_previous=path in self._valid,
                    problems=[str(p) for p in result.problems],
                )
        self._stamps = stamps
        effective = [
            loader.FileResult(
                path,
                self._valid[path].procedure if path in self._valid else None,
                self._latest[path].problems,
                self._valid[path].id_line if path in self._valid else 1,
            )
            for path in sorted(stamps)
        ]
        merged = loader.merge(effective)
        self._snapshot = Snapshot(merged.procedures, merged.problems, time.time())

    def _scan(self) -> dict[Path, Stamp]:
        try:
            paths = loader.definition_files(self.directory)
        except OSError as exc:
            log.error("procedures_directory_unreadable", directory=str(self.directory), error=str(exc))
            return self._stamps
        stamps: dict[Path, Stamp] = {}
        for path in paths:
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            stamps[path] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        return stamps
