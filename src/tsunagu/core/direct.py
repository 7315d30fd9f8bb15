"""Statements run straight on the database driver, inside a SQLAlchemy transaction.

For the few statements on a hot path (a mesh exchange writes its log, remembers its request id
and reads one record at every node): SQLAlchemy's bookkeeping per execution (execution context,
parameter processing, result set-up) cost several times what SQLite spends on such a statement.
Each statement is still built with SQLAlchemy, compiled once per dialect, and its values pass
through the columns' own bind and result processors, so what is stored and read back is the
same as through the ORM on every backend. A constraint violation is raised as SQLAlchemy's
``IntegrityError``, as a normal execution would.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.types import TypeEngine

from tsunagu.core.database import Base

Processor = Callable[[Any], Any] | None


class Typed(Protocol):
    """A column, or an ORM attribute of one: what a parameter is compared with."""

    @property
    def type(self) -> TypeEngine[Any]: ...


@dataclass(frozen=True)
class _Prepared:
    sql: str
    names: tuple[str, ...]  # parameter names in the order a positional driver wants them
    positional: bool
    processors: dict[str, Processor]
    defaults: dict[str, Any]  # values the statement itself binds (e.g. a LIMIT)


def _cursor(connection: Connection) -> Any:
    return connection.connection.driver_connection.cursor()  # type: ignore[union-attr]


def _run(connection: Connection, prepared: _Prepared, run: Callable[[Any], None], params: Any) -> None:
    try:
        run(params)
    except connection.dialect.loaded_dbapi.IntegrityError as exc:
        raise IntegrityError(prepared.sql, params, exc) from exc


class _Statement(ABC):
    def __init__(self) -> None:
        self._prepared: dict[str, _Prepared] = {}

    @abstractmethod
    def _compile(self, dialect: Dialect) -> _Prepared: ...

    def prepared(self, dialect: Dialect) -> _Prepared:
        found = self._prepared.get(dialect.name)
        if found is None:
            found = self._prepared[dialect.name] = self._compile(dialect)
        return found

    def _values(self, prepared: _Prepared, values: Mapping[str, Any]) -> Any:
        given = {**prepared.defaults, **values}
        processed = {
            name: (process(given[name]) if (process := prepared.processors.get(name)) else given[name])
            for name in prepared.names
        }
        return tuple(processed[name] for name in prepared.names) if prepared.positional else processed


def _bind_processors(columns: Mapping[str, Typed], dialect: Dialect) -> dict[str, Processor]:
    """Each column's processor as the dialect adapts its type (what a normal execution applies)."""
    return {
        name: column.type.dialect_impl(dialect).bind_processor(dialect) for name, column in columns.items()
    }


class DirectInsert(_Statement):
    """``INSERT`` of rows (the values of ``columns``) into an entity's table. With ``if_absent``,
    a row that would break a unique constraint is skipped instead (``ON CONFLICT DO NOTHING``, as
    SQLite and PostgreSQL both write it), which leaves the transaction usable on PostgreSQL too."""

    def __init__(
        self,
        entity: type[Base],
        columns: Sequence[str],
        *,
        if_absent: bool = False,
        returning: str | None = None,
    ) -> None:
        super().__init__()
        self.entity, self.table, self.columns = entity, entity.__table__, tuple(columns)
        self.if_absent, self.returning = if_absent, returning

    def _compile(self, dialect: Dialect) -> _Prepared:
        statement = insert(self.entity)  # inline: no RETURNING of the key that PostgreSQL adds itself
        if self.returning:
            statement = statement.returning(self.table.c[self.returning])
        else:
            statement = statement.inline()
        compiled = statement.compile(dialect=dialect, column_keys=list(self.columns))
        names = tuple(compiled.positiontup or ()) if compiled.positional else self.columns
        sql = compiled.string
        if self.if_absent:  # SQLite and PostgreSQL both write it so, before any RETURNING
            head, returning, tail = sql.partition(" RETURNING ")
            sql = f"{head} ON CONFLICT DO NOTHING{returning}{tail}"
        return _Prepared(
            sql,
            names,
            compiled.positional,
            _bind_processors({name: self.table.c[name] for name in self.columns}, dialect),
            {},
        )

    @classmethod
    def of(cls, entity: type[Base], *, returning: str | None = None) -> DirectInsert:
        """Every column of the entity's table but an autoincrementing primary key."""
        table = entity.__table__
        generated = table.autoincrement_column if isinstance(table, Table) else None
        return cls(
            entity, [column.key for column in table.columns if column is not generated], returning=returning
        )

    def add(self, connection: Connection, instances: Sequence[Base]) -> int:
        """Insert new (transient) ORM objects as they are, without the session's unit of work;
        every column in ``columns`` must be set on them (no ORM defaults are applied)."""
        return self.run(
            connection, [{name: getattr(instance, name) for name in self.columns} for instance in instances]
        )

    def add_returning(self, connection: Connection, instance: Base) -> Any:
        """Insert one new ORM object (as :meth:`add`); returns the value of the ``returning``
        column (e.g. its generated id)."""
        prepared = self.prepared(connection.dialect)
        cursor = _cursor(connection)
        values = self._values(prepared, {name: getattr(instance, name) for name in self.columns})
        _run(connection, prepared, lambda p: cursor.execute(prepared.sql, p), values)
        return cursor.fetchone()[0]

    def run(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert ``rows``; returns how many were inserted."""
        prepared = self.prepared(connection.dialect)
        cursor = _cursor(connection)
        params = [self._values(prepared, row) for row in rows]
        if len(params) == 1:
            _run(connection, prepared, lambda p: cursor.execute(prepared.sql, p[0]), params)
        else:
            _run(connection, prepared, lambda p: cursor.executemany(prepared.sql, p), params)
        return int(cursor.rowcount)


class DirectSelect(_Statement):
    """A ``SELECT`` (or an ``UPDATE … RETURNING``) whose bind parameters are all named in
    ``parameters`` (name → the column it is compared with, for its bind processor); :meth:`first`
    returns the first row or None."""

    def __init__(
        self, statement: Select[*tuple[Any, ...]] | UpdateBase, parameters: Mapping[str, Typed]
    ) -> None:
        super().__init__()
        self.statement, self.parameters = statement, dict(parameters)
        self._results: dict[str, tuple[Processor, ...]] = {}

    def _compile(self, dialect: Dialect) -> _Prepared:
        compiled = self.statement.compile(dialect=dialect)
        self._results[dialect.name] = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in self.statement.exported_columns
        )
        names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.params)
        defaults = {name: value for name, value in compiled.params.items() if name not in self.parameters}
        return _Prepared(
            compiled.string, names, compiled.positional, _bind_processors(self.parameters, dialect), defaults
        )

    def first(self, connection: Connection, **values: Any) -> tuple[Any, ...] | None:
        prepared = self.prepared(connection.dialect)
        cursor = _cursor(connection)
        cursor.execute(prepared.sql, self._values(prepared, values))
        row = cursor.fetchone()
        if row is None:
            return None
        return tuple(
            process(value) if process else value
            for process, value in zip(self._results[connection.dialect.name], row, strict=True)
        )
