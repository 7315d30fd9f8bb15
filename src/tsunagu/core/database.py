"""Database engine, sessions and the declarative base shared by every part's models."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from tsunagu.core.errors import ConfigurationError, DatabaseUnavailable
from tsunagu.core.writegate import WriteGate

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base: every table of every part is registered on this metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC timestamp on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


SQLITE_POOL_SIZE, SQLITE_POOL_OVERFLOW = 48, 96


def make_engine(url: str) -> Engine:
    """Create an engine, naming TSUNAGU_DATABASE_URL in the error when the URL is unusable."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(f"TSUNAGU_DATABASE_URL is not a database URL: {url!r}") from None
    try:
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database
            pool: dict[str, int] = {}
            if database and database != ":memory:" and not database.startswith("file:"):
                _private_file(Path(database))
                # connections are cheap file handles: one per request thread (and the mesh
                # logs' own short transactions), so a busy worker never waits for the pool
                pool = {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_OVERFLOW}
            engine = create_engine(parsed, connect_args={"check_same_thread": False}, **pool)
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)
    except (NoSuchModuleError, ImportError) as exc:
        raise ConfigurationError(f"TSUNAGU_DATABASE_URL names an unsupported driver: {exc}") from None


def _private_file(path: Path) -> None:
    """The database file readable by this account only (0600; its WAL and shared-memory files
    take the same mode), in a directory made 0700 if it is made here: it holds personal data."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        found = path.stat()
        if found.st_mode & 0o077 and found.st_uid == os.getuid():
            path.chmod(0o600)  # a file an earlier version left readable by others


def insert_missing(db: Session, model: type[Base], values: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Insert the row unless one with the same ``keys`` exists — also when another process inserts
    it at the same moment (ON CONFLICT DO NOTHING, on SQLite and PostgreSQL alike), where a
    read-then-add would fail on the unique constraint for the second writer."""
    dialect = db.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    db.flush()
    db.execute(insert(model).values(values).on_conflict_do_nothing(index_elements=list(keys)))


def check_connection(engine: Engine) -> None:
    """Raise DatabaseUnavailable (naming the URL without its password) if it cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        safe_url = engine.url.render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnavailable(
            f"cannot reach the database at TSUNAGU_DATABASE_URL={safe_url}: {reason}"
        ) from None


_INFO_KEY = "tsunagu.installation_secret"


def installation_secret(db: Session) -> str:
    """The installation secret bound to the database this session came from (``Database.bind_secret``)."""
    secret = db.info.get(_INFO_KEY)
    if not secret:
        raise ConfigurationError(
            "no installation secret is bound to this database: open it with "
            "Database(url, secret_key=settings.resolved_secret_key())"
        )
    return str(secret)


class Database:
    """An engine and its session factory; one per process, held by the app or the CLI."""

    def __init__(self, url: str, *, secret_key: str = "") -> None:
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, info={_INFO_KEY: secret_key})
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        database_file = self.engine.url.database if self.is_sqlite else None
        self.write_gate = (
            WriteGate(Path(database_file) if database_file and database_file != ":memory:" else None)
            if self.is_sqlite
            else None
        )

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    def bind_secret(self, secret_key: str) -> None:
        """The installation secret (``Settings.resolved_secret_key``) that the rules reach through
        their session (:func:`installation_secret`): the app or the CLI binds its own, so two apps
        in one process keep their secrets apart and no rule reads the process's settings."""
        self.sessions.configure(info={_INFO_KEY: secret_key})

    def session_on(self, connection: Connection) -> Session:
        """An ORM session on a connection already in a transaction, with this database's secret."""
        return Session(connection, info=dict(self.sessions.kw["info"]))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction that commits on success and rolls back on error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def write_transaction(self, key: str | None = None) -> Iterator[Connection]:
        """A connection in a transaction that is the only writer of ``key`` until it ends, across
        processes: on SQLite the database's write lock from its first statement (after the write
        gate), on PostgreSQL a transaction-level advisory lock on ``key`` (none without a key:
        PostgreSQL's own row locks and constraints are enough for the caller)."""
        with self._gate(), self.engine.begin() as connection:
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            if self.is_sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            elif key is not None and connection.dialect.name == "postgresql":
                lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (lock_id,))
            yield connection

    def _gate(self) -> AbstractContextManager[None]:
        return self.write_gate.held() if self.write_gate is not None else nullcontext()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.write_gate is not None:
            self.write_gate.close()
