"""The queue of one SQLite database's writers, in and across processes.

SQLite lets one transaction write at a time; a writer that finds the lock taken is retried by
SQLite's busy handler, which sleeps between tries (up to 100 ms each), so under load most of a
writer's wait is sleep after the lock was already free, and the slowest requests wait seconds.
Writers that queue here first wake the moment the previous one is done: threads on a lock, and
processes (the workers of ``tsunagu serve --workers N``) on an ``flock`` of a file next to the
database, which the kernel hands over at once.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class WriteGate:
    """Held around a write transaction (``BEGIN IMMEDIATE`` … commit) of one SQLite database."""

    def __init__(self, database_file: Path | None) -> None:
        self.lock_file = (
            None if database_file is None else database_file.with_name(database_file.name + "-writer.lock")
        )
        self._threads = threading.Lock()
        self._held = threading.local()
        self._descriptor: int | None = None

    def _file(self) -> int | None:
        if self.lock_file is not None and self._descriptor is None:
            self._descriptor = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        return self._descriptor

    @contextmanager
    def held(self) -> Iterator[None]:
        if getattr(self._held, "depth", 0):  # nested in this thread's own write: the gate is held
            self._held.depth += 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        with self._threads:
            descriptor = self._file()
            if descriptor is not None:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            self._held.depth = 1
            try:
                yield
            finally:
                self._held.depth = 0
                if descriptor is not None:
                    fcntl.flock(descriptor, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
