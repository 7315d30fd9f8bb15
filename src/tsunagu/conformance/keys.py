"""Keys across files on disk (an SQLite file in a temporary folder): primary keys, unique columns,
foreign keys to another file's rows and counts per key, checked after every row has been read, so
that a million-row export never has its keys in memory."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

SEPARATOR = "\x1f"
_BATCH = 20_000


class KeyIndex:
    """Named key tables of (key, file, row); rows are buffered and written in batches.

    Table names are the checker's own (``pk:persons``), never input text: the f-string SQL is safe.
    """

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="tsunagu-conformance-")
        self._db = sqlite3.connect(Path(self._folder.name) / "keys.sqlite")
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE", "cache_size=-32000"):
            self._db.execute(f"PRAGMA {pragma}")
        self._files: dict[str, int] = {}
        self._pending: dict[str, list[tuple[str, int, int]]] = {}

    def __enter__(self) -> KeyIndex:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._db.close()
        self._folder.cleanup()

    def declare(self, name: str) -> None:
        self._db.execute(f'CREATE TABLE IF NOT EXISTS "{name}" (key TEXT, file INTEGER, row INTEGER)')
        self._pending.setdefault(name, [])

    def file_id(self, file: str) -> int:
        return self._files.setdefault(file, len(self._files))

    def file_name(self, file_id: int) -> str:
        return next(name for name, number in self._files.items() if number == file_id)

    def add(self, name: str, key: str, file_id: int, row: int) -> None:
        pending = self._pending[name]
        pending.append((key, file_id, row))
        if len(pending) >= _BATCH:
            self._flush(name)

    def buffer(self, name: str) -> list[tuple[str, int, int]]:
        """The pending rows of a key table, for a caller appending (key, file, row) itself; it calls
        :meth:`flush_full` now and then so that the buffers stay small."""
        return self._pending[name]

    def flush_full(self) -> None:
        for name, pending in self._pending.items():
            if len(pending) >= _BATCH:
                self._flush(name)

    def _flush(self, name: str) -> None:
        pending = self._pending[name]
        if pending:
            self._db.executemany(f'INSERT INTO "{name}" VALUES (?, ?, ?)', pending)  # noqa: S608
            pending.clear()

    def _ready(self, *names: str) -> None:
        for name in names:
            self._flush(name)
            self._db.execute(f'CREATE INDEX IF NOT EXISTS "ix_{name}" ON "{name}" (key)')

    def repeated(self, name: str) -> Iterator[tuple[str, int, int]]:
        """Every (key, file, row) whose key already appeared on an earlier row."""
        self._ready(name)
        yield from self._db.execute(
            f"SELECT key, file, row FROM (SELECT key, file, row, ROW_NUMBER() OVER "  # noqa: S608
            f'(PARTITION BY key ORDER BY file, row) AS n FROM "{name}") WHERE n > 1 ORDER BY file, row'
        )

    def dangling(self, name: str, target: str) -> Iterator[tuple[str, int, int]]:
        """Every (key, file, row) of ``name`` whose key is not in ``target``."""
        self._ready(name, target)
        yield from self._db.execute(
            f'SELECT key, file, row FROM "{name}" AS f WHERE NOT EXISTS '  # noqa: S608
            f'(SELECT 1 FROM "{target}" AS t WHERE t.key = f.key) ORDER BY file, row'
        )

    def counted(self, name: str, each: str, equals: int) -> Iterator[tuple[str, int, int, int]]:
        """Every (key, file, row, count) of ``each`` whose key is in ``name`` other than ``equals`` times."""
        self._ready(name, each)
        yield from self._db.execute(
            f'SELECT e.key, e.file, e.row, (SELECT COUNT(*) FROM "{name}" AS c WHERE c.key = e.key) AS n '  # noqa: S608
            f'FROM "{each}" AS e WHERE n != ? ORDER BY e.file, e.row',
            (equals,),
        )
