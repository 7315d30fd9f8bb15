"""Fast multi-row writes for bulk loads: COPY on PostgreSQL, one prepared executemany on SQLite
(and one executemany of UPDATEs on both).

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
from typing import Any, cast

from sqlalchemy import JSON, Dialect, LargeBinary, Table, TypeDecorator
from sqlalchemy.orm import Session

# For the load's own connection only, restored afterwards. The load runs in the caller's
# transaction, where SQLite refuses to change synchronous, journal_mode or temp_store.
SQLITE_LOAD_PRAGMAS = {"cache_size": str(-256 * 1024)}


ColumnConverter = Callable[[Sequence[Any]], Iterable[Any]]


def _memoized(process: Callable[[Any], Any]) -> ColumnConverter:
    """A column converter calling ``process`` once per distinct value (bulk rows repeat dates
    and flags and share their timestamps), the rest being dictionary look-ups mapped in C.
    None stays None (NULL), as SQLAlchemy's own processors leave it."""
    memo: dict[Any, Any] = {None: None}
    look_up = memo.__getitem__

    def convert(values: Sequence[Any]) -> Iterable[Any]:
        try:
            return list(map(look_up, values))
        except KeyError:
            memo.update({value: process(value) for value in set(values).difference(memo)})
            return list(map(look_up, values))

    return convert


def _encoded_json(values: Sequence[Any]) -> Iterable[Any]:
    return map(_JSON.encode, values)


def _driver_values(
    rows: Sequence[tuple[Any, ...]], converters: list[ColumnConverter | None]
) -> Sequence[tuple[Any, ...]]:
    """Rows as driver tuples, converted column by column (one pass per typed column)."""
    if all(convert is None for convert in converters):
        return rows
    columns: list[Iterable[Any]] = list(zip(*rows, strict=True))
    for index, convert in enumerate(converters):
        if convert is not None:
            columns[index] = convert(cast(Sequence[Any], columns[index]))
    return list(zip(*columns, strict=True))


def _processor(table: Table, name: str, dialect: Dialect, *, encoded: bool) -> ColumnConverter | None:
    column_type = table.c[name].type
    if isinstance(column_type, JSON):
        return None if encoded else _encoded_json  # both drivers take JSON as its text
    if isinstance(column_type, LargeBinary):
        return None  # both drivers take bytes as they are
    process = column_type.bind_processor(dialect)
    # A decorated type (UTCDateTime) reports ``object``; the values are its implementation's.
    stored = column_type.impl_instance if isinstance(column_type, TypeDecorator) else column_type
    if dialect.name == "sqlite" and stored.python_type in (date, datetime):
        # sqlite3 would call its adapter for every date; remembering the text does it once per value.
        adapt = sqlite3.adapters[(stored.python_type, sqlite3.PrepareProtocol)]
        return _memoized(adapt if process is None else lambda value: adapt(process(value)))
    return None if process is None else _memoized(process)


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


def update_rows(
    db: Session, table: Table, names: Sequence[str], rows: Sequence[tuple[Any, ...]], *, key: str
) -> None:
    """Set the columns ``names`` of the rows whose ``key`` is each tuple's last value (one executemany)."""
    if not rows:
        return
    connection = db.connection()
    dialect = connection.dialect
    processors = [_processor(table, name, dialect, encoded=False) for name in (*names, key)]
    preparer = dialect.identifier_preparer
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    assignments = ", ".join(f"{preparer.quote(name)} = {mark}" for name in names)
    target, where = preparer.format_table(table), f"{preparer.quote(key)} = {mark}"
    statement = f"UPDATE {target} SET {assignments} WHERE {where}"  # noqa: S608
    connection.exec_driver_sql(statement, _driver_values(rows, processors))


@contextmanager
def savepoint(db: Session) -> Iterator[None]:
    """A savepoint in the caller's transaction, opening that transaction first on SQLite.

    pysqlite sends BEGIN only before a data change; a SAVEPOINT outside a transaction starts
    one of its own, which RELEASE commits, so the caller could no longer roll the load back.
    """
    connection = db.connection()
    driver = connection.connection.driver_connection
    if isinstance(driver, sqlite3.Connection) and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN")
    with db.begin_nested():
        yield


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
