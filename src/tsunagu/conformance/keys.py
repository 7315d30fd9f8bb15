"""Keys across files on disk (an SQLite file in a temporary folder): primary keys, unique columns,
foreign keys to another file's rows and counts per key, checked after every row has been read, so
that a million-row export never has its keys in memory."""

from __future__ import annotations

import json
import re
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType

SEPARATOR = "\x1f"
_BATCH = 20_000
#: a row's place as one integer: the file's number above these bits, the row number below
ROW_BITS = 32
_ROW_MASK = (1 << ROW_BITS) - 1
_JSON_ESCAPED = re.compile(r"[\\\x00-\x1f]")  # what JSON would escape, besides the quote


def position(file_id: int, row: int) -> int:
    """The one integer that stands for (file, row) in the key tables (fewer values to bind per row)."""
    return (file_id << ROW_BITS) | row


class KeyIndex:
    """Named key tables of (key, position); rows are buffered and written in batches.

    Table names are the checker's own (``pk:persons``), never input text: the f-string SQL is safe.
    """

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="tsunagu-conformance-")
        self._db = sqlite3.connect(Path(self._folder.name) / "keys.sqlite")
        for pragma in (
            "page_size=16384",
            "journal_mode=OFF",
            "synchronous=OFF",
            "temp_store=FILE",
            "cache_size=-32000",
        ):
            self._db.execute(f"PRAGMA {pragma}")
        self._files: dict[str, int] = {}
        self._pending: dict[str, list[tuple[str, int]]] = {}

    def __enter__(self) -> KeyIndex:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._db.close()
        self._folder.cleanup()

    def declare(self, name: str) -> None:
        self._db.execute(f'CREATE TABLE IF NOT EXISTS "{name}" (key TEXT, pos INTEGER)')
        self._pending.setdefault(name, [])

    def file_id(self, file: str) -> int:
        return self._files.setdefault(file, len(self._files))

    def file_name(self, file_id: int) -> str:
        return next(name for name, number in self._files.items() if number == file_id)

    def buffer(self, name: str) -> list[tuple[str, int]]:
        """The pending rows of a key table, for a caller appending (key, :func:`position`) itself; it
        calls :meth:`flush_full` now and then so that the buffers stay small."""
        return self._pending[name]

    def run(self, name: str, keys: Sequence[str], first: int) -> None:
        """Rows of consecutive positions from ``first`` (the usual batch, every key present): written
        at once as one JSON array that SQLite unpacks itself, which binds one value instead of two per
        row and is what keeps a million-row check's index cheap."""
        joined = '","'.join(keys)
        # keys without a quote, backslash or control character (identifiers, codes) need no escaping
        plain = joined.count('"') == 2 * (len(keys) - 1) and not _JSON_ESCAPED.search(joined)
        array = f'["{joined}"]' if plain else json.dumps(keys, ensure_ascii=False)
        self._db.execute(
            f'INSERT INTO "{name}" SELECT value, ? + key FROM json_each(?)',  # noqa: S608
            (first, array),
        )

    def flush_full(self) -> None:
        for name, pending in self._pending.items():
            if len(pending) >= _BATCH:
                self._flush(name)

    def _flush(self, name: str) -> None:
        pending = self._pending[name]
        if pending:
            self._db.executemany(f'INSERT INTO "{name}" VALUES (?, ?)', pending)  # noqa: S608
            pending.clear()

    def _ready(self, *names: str) -> None:
        """The tables complete and indexed by key (a table only scanned needs no index)."""
        for name in names:
            self._flush(name)
            self._db.execute(f'CREATE INDEX IF NOT EXISTS "ix_{name}" ON "{name}" (key)')

    def repeated(self, name: str) -> Iterator[tuple[str, int, int]]:
        """Every (key, file, row) whose key already appeared on an earlier row.

        The keys that repeat at all are found first from the index alone (usually none); only their
        rows are then numbered, so a table without duplicates costs one scan of its index."""
        self._ready(name)
        yield from self._db.execute(
            f"SELECT key, pos >> {ROW_BITS}, pos & {_ROW_MASK} FROM (SELECT key, pos, ROW_NUMBER() OVER "  # noqa: S608
            f'(PARTITION BY key ORDER BY pos) AS n FROM "{name}" WHERE key IN '
            f'(SELECT key FROM "{name}" GROUP BY key HAVING COUNT(*) > 1)) WHERE n > 1 ORDER BY pos'
        )

    def dangling(self, name: str, target: str) -> Iterator[tuple[str, int, int]]:
        """Every (key, file, row) of ``name`` whose key is not in ``target``."""
        self._flush(name)  # scanned once: no index of its own
        self._ready(target)
        yield from self._db.execute(
            f'SELECT key, pos >> {ROW_BITS}, pos & {_ROW_MASK} FROM "{name}" AS f WHERE NOT EXISTS '  # noqa: S608
            f'(SELECT 1 FROM "{target}" AS t WHERE t.key = f.key) ORDER BY pos'
        )

    def counted(self, name: str, each: str, equals: int) -> Iterator[tuple[str, int, int, int]]:
        """Every (key, file, row, count) of ``each`` whose key is in ``name`` other than ``equals`` times."""
        self._ready(name, each)
        yield from self._db.execute(
            f"SELECT e.key, e.pos >> {ROW_BITS}, e.pos & {_ROW_MASK}, "  # noqa: S608
            f'(SELECT COUNT(*) FROM "{name}" AS c WHERE c.key = e.key) AS n '
            f'FROM "{each}" AS e WHERE n != ? ORDER BY e.pos',
            (equals,),
        )
