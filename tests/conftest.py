"""Test fixtures: every database-backed test runs on SQLite and, when available, PostgreSQL.

PostgreSQL comes from ``TSUNAGU_TEST_POSTGRES_URL`` (``.ci/run`` exports one) or, failing
that, from a throwaway cluster started here with the local ``initdb``/``pg_ctl``. Each test
gets an empty schema at head (tables are emptied between tests, not re-migrated).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests.postgres_cluster import throwaway_cluster

from tsunagu import migrations
from tsunagu.core import clock, sessions
from tsunagu.core.database import Database
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import SESSION_COOKIE
from tsunagu.core.settings import Settings
from tsunagu.migrations.schema import metadata
from tsunagu.web.app import create_app

#: the installation secret of the test database and its app (bound to the Database, no environment)
TEST_SECRET = "test-secret-key-not-for-production"


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str | None]:
    """A PostgreSQL server URL (maintenance database), or None when there is none."""
    url = os.environ.get("TSUNAGU_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    if os.environ.get("TSUNAGU_TEST_NO_POSTGRES"):
        yield None
        return
    with throwaway_cluster() as url:
        yield url


def _backends() -> list[str]:
    return ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def _migrated_urls(
    postgres_server_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"}
    created: list[str] = []
    if postgres_server_url:
        name = f"tsunagu_test_{worker}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        urls["postgresql"] = (
            make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
        )
        created.append(name)
    for url in urls.values():
        engine = Database(url).engine
        migrations.upgrade(engine)
        engine.dispose()
    yield urls
    if created and postgres_server_url:
        admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_all_tables(database: Database) -> None:
    tables = list(reversed(metadata.sorted_tables))
    with database.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture(params=_backends())
def database(request: pytest.FixtureRequest, _migrated_urls: dict[str, str]) -> Iterator[Database]:
    """An empty database at head, on each backend in turn."""
    backend: str = request.param
    if backend not in _migrated_urls:
        pytest.skip("PostgreSQL not available (set TSUNAGU_TEST_POSTGRES_URL or install it)")
    db = Database(_migrated_urls[backend], secret_key=TEST_SECRET)
    _empty_all_tables(db)
    yield db
    db.dispose()


@pytest.fixture
def settings(tmp_path: Path, database: Database) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path / "var",
        database_url=database.url,
        secret_key=TEST_SECRET,
        log_json=True,
        log_level="warning",
        _env_file=None,
    )  # type: ignore[call-arg]


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings, database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def fixed_clock() -> Iterator[clock.FixedClock]:
    fixed = clock.FixedClock(datetime(2026, 11, 22, 1, 0, tzinfo=UTC))
    previous = clock.set_clock(fixed)
    yield fixed
    clock.set_clock(previous)


def login_as(client: TestClient, database: Database, principal: sessions.Principal) -> None:
    """Give ``client`` a real server-side session for ``principal`` (as identity does at login),
    and send the session's CSRF token on every request, as a page's script does."""
    with database.session() as db:
        token = sessions.start(db, principal)
    client.cookies.set(SESSION_COOKIE, token)
    send_csrf_header(client)


def send_csrf_header(client: TestClient) -> None:
    """Send the ``X-CSRF-Token`` of the client's CSRF cookie (made here if it has none) and its
    current session on every request (call it again after a login changes the session)."""
    cookie = _cookie(client, csrf.COOKIE)
    if not cookie:
        cookie = csrf.new_cookie_value()
        client.cookies.set(csrf.COOKIE, cookie)
    secret: str = client.app.state.secret_key  # type: ignore[attr-defined]
    client.headers[csrf.HEADER] = csrf.token_for(secret, cookie, _cookie(client, SESSION_COOKIE))


def _cookie(client: TestClient, name: str) -> str:
    """The value the client sends for cookie ``name`` (the last set, if the server set one too)."""
    values = [cookie.value for cookie in client.cookies.jar if cookie.name == name]
    return (values[-1] or "") if values else ""
