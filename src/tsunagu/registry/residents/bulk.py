"""Fast multi-row inserts for bulk loads: COPY on PostgreSQL, one prepared executemany on SQLite.

Values are converted once per column with the column types' own bind processors (so dates,
aware timestamps and JSON are stored exactly as the ORM would store them), then handed to the
driver without SQLAlchemy's per-row statement bookkeeping, which dominates at a million rows.
"""

from __future__ import annotations

import gc
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Dialect, LargeBinary, Table, TypeDecorator
from sqlalchemy.orm import Session

# For the load's own connection only, restored afterwards. The load runs in the caller's
# transaction, where SQLite refuses to change synchronous, journal_mode or temp_store.
SQLITE_LOAD_PRAGMAS = {"cache_size": str(-256 * 1024)}


def _memoized(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``process`` remembering its results: bulk rows repeat dates and share their timestamps."""
    memo: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            memo[value] = result = process(value)
            return result

    return convert


def _driver_values(
    rows: Sequence[tuple[Any, ...]], processors: list[Callable[[Any], Any] | None]
) -> Sequence[tuple[Any, ...]]:
    """Rows as driver tuples, converted column by column (one pass per typed column)."""
    if all(process is None for process in processors):
        return rows
    columns: list[Iterable[Any]] = list(zip(*rows, strict=True))
    for index, process in enumerate(processors):
        if process is not None:
            columns[index] = map(process, columns[index])
    return list(zip(*columns, strict=True))


def _processor(table: Table, name: str, dialect: Dialect, *, encoded: bool) -> Callable[[Any], Any] | None:
    column_type = table.c[name].type
    if isinstance(column_type, JSON):
        return None if encoded else _JSON.encode  # both drivers take JSON as its text
    if isinstance(column_type, LargeBinary):
        return None  # both drivers take bytes as they are
    process = column_type.bind_processor(dialect)
    # A decorated type (UTCDateTime) reports ``object``; the values are its implementation's.
    stored = column_type.impl_instance if isinstance(column_type, TypeDecorator) else column_type
    if dialect.name != "sqlite" or stored.python_type not in (date, datetime):
        return process
    # sqlite3 would call its adapter for every date; remembering the text does it once per value.
    adapt = sqlite3.adapters[(stored.python_type, sqlite3.PrepareProtocol)]
    return _memoized(adapt if process is None else lambda value: adapt(process(value)))


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
encode_json = _JSON.encode


def insert_rows(
    db: Session,
    table: Table,
    names: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    encoded: frozenset[str] = frozenset(),
) -> None:
    """Insert ``rows`` (values in the order of ``names``) into ``table`` in the session's transaction.

    The JSON columns named in ``encoded`` already hold their text, as ``encode_json`` writes it.
    """
    if not rows:
        return
    connection = db.connection()
    dialect = connection.dialect
    processors = [_processor(table, name, dialect, encoded=name in encoded) for name in names]
    converted = _driver_values(rows, processors)
    # Table and column names come from the model, never from input; values travel as parameters.
    target = dialect.identifier_preparer.format_table(table)
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    if dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None, "a checked-out connection has its driver connection"
        with driver.cursor() as cursor, cursor.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
            for values in converted:
                copy.write_row(values)
        return
    placeholders = ", ".join("?" for _ in names)
    statement = f"INSERT INTO {target} ({quoted}) VALUES ({placeholders})"  # noqa: S608
    connection.exec_driver_sql(statement, converted)


@contextmanager
def loading(db: Session, tables: Sequence[Table], *, empty: bool) -> Iterator[None]:
    """Settings for a large load: SQLite's ``SQLITE_LOAD_PRAGMAS`` and, into empty tables, indexes
    built once at the end (a sort) instead of row by row (random B-tree inserts).

    Unique indexes are checked when they are rebuilt, so a duplicate still fails the load.
    The cyclic garbage collector pauses meanwhile: a load allocates millions of row tuples, none
    of them in a cycle, and each full collection would walk every row still held by the caller.
    """
    connection = db.connection()
    sqlite = connection.dialect.name == "sqlite"
    previous: dict[str, str] = {}
    if sqlite:
        for pragma, value in SQLITE_LOAD_PRAGMAS.items():
            previous[pragma] = str(connection.exec_driver_sql(f"PRAGMA {pragma}").scalar_one())
            connection.exec_driver_sql(f"PRAGMA {pragma}={value}")
    deferred = [index for table in tables for index in table.indexes] if empty else []
    for index in deferred:
        index.drop(connection)
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
        for index in deferred:
            index.create(connection)
    finally:
        if collecting:
            gc.enable()
        for pragma, value in previous.items():
            connection.exec_driver_sql(f"PRAGMA {pragma}={value}")
