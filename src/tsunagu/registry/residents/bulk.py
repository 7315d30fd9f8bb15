"""Fast multi-row inserts for bulk loads: COPY on PostgreSQL, one prepared executemany on SQLite.

Values are converted once per column with the column types' own bind processors (so dates,
aware timestamps and JSON are stored exactly as the ORM would store them), then handed to the
driver without SQLAlchemy's per-row statement bookkeeping, which dominates at a million rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Dialect, Table
from sqlalchemy.orm import Session

SQLITE_LOAD_CACHE_KIB = 256 * 1024


def _driver_values(
    rows: Sequence[dict[str, Any]], names: list[str], processors: list[Callable[[Any], Any] | None]
) -> list[Sequence[Any]]:
    """Rows as driver tuples; a processed column repeating its last value reuses the result
    (bulk rows share their timestamps)."""
    pick = itemgetter(*names)
    processed = [(index, process) for index, process in enumerate(processors) if process is not None]
    if not processed:
        return [pick(row) for row in rows]
    memo: dict[int, tuple[Any, Any]] = {}
    converted: list[Sequence[Any]] = []
    for row in rows:
        values = list(pick(row))
        for index, process in processed:
            value = values[index]
            last = memo.get(index)
            if last is None or last[0] is not value:
                last = memo[index] = (value, process(value))
            values[index] = last[1]
        converted.append(tuple(values))
    return converted


def _processor(table: Table, name: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    column_type = table.c[name].type
    if dialect.name == "postgresql" and isinstance(column_type, JSON):
        return _json_text  # COPY takes JSON as its text
    return column_type.bind_processor(dialect)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def insert_rows(db: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) into ``table`` in the session's transaction."""
    if not rows:
        return
    connection = db.connection()
    dialect = connection.dialect
    names = list(rows[0])
    converted = _driver_values(rows, names, [_processor(table, name, dialect) for name in names])
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
    """Settings for a large load: a bigger SQLite page cache and, into empty tables, indexes
    built once at the end (a sort) instead of row by row (random B-tree inserts).

    Unique indexes are checked when they are rebuilt, so a duplicate still fails the load.
    """
    connection = db.connection()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        previous = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_LOAD_CACHE_KIB}")
    deferred = [index for table in tables for index in table.indexes] if empty else []
    for index in deferred:
        index.drop(connection)
    try:
        yield
        for index in deferred:
            index.create(connection)
    finally:
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA cache_size={previous}")
