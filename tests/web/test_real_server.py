"""The web server as it is launched (``tsunagu serve``), attacked over real sockets.

On the main of 2026-12-04 (30f2d71) a chunked body was read whole into the worker's memory (a
512 MiB body took it from 473 to 1,996 MiB), ``X-Forwarded-For`` from 127.0.0.1 was believed (a
locked-out address logged in by sending one, and the audit log recorded the fake client), and
the SQLite file was created readable by every account of the machine.
"""

from __future__ import annotations

import os
import select
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select as sql_select

from tsunagu import migrations
from tsunagu.core.database import Database
from tsunagu.identity.history.models import AuthAuditEntry

pytestmark = pytest.mark.multiprocess

LIMIT = 1024 * 1024
SENT_AT_MOST = 48 * 1024 * 1024  # what the client is willing to stream before giving up
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Server:
    port: int
    pid: int
    url: str
    data_dir: Path
    database_url: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("served") / "var"  # made by the server's database setup
    port = _free_port()
    database_url = f"sqlite:///{data_dir / 'tsunagu.db'}"
    environment = {
        **os.environ,
        "TSUNAGU_ENVIRONMENT": "test",
        "TSUNAGU_DATA_DIR": str(data_dir),
        "TSUNAGU_SECRET_KEY": "real-server-test-secret-not-for-production",
        "TSUNAGU_DATABASE_URL": database_url,
        "TSUNAGU_MAX_BODY_BYTES": str(LIMIT),
        "TSUNAGU_LOG_LEVEL": "warning",
    }
    environment.pop("TSUNAGU_TRUSTED_PROXIES", None)
    database = Database(database_url)
    migrations.upgrade(database.engine)
    database.dispose()
    command = [
        str(Path(sys.executable).parent / "tsunagu"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    log = data_dir.parent / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield Server(port, process.pid, url, data_dir, database_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _send_chunked(port: int, path: str, content_type: str) -> tuple[bytes, int]:
    """Stream a chunked body until the server answers (or SENT_AT_MOST); (response, bytes sent)."""
    sent = 0
    chunk = b"x" * CHUNK
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode()
        )
        while sent < SENT_AT_MOST:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        else:
            sock.sendall(b"0\r\n\r\n")
        response = b""
        while True:
            try:
                part = sock.recv(65536)
            except ConnectionResetError:
                break
            if not part:
                break
            response += part
    return response, sent


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/identity/staff/login", "application/json"),
        ("/identity/staff/login", "application/x-www-form-urlencoded"),
        ("/oidc/token", "application/x-www-form-urlencoded"),
    ],
)
def test_a_chunked_body_is_cut_off_at_the_limit(server: Server, path: str, content_type: str) -> None:
    before = _rss_kib(server.pid)
    response, sent = _send_chunked(server.port, path, content_type)
    status_line = response.split(b"\r\n", 1)[0]
    assert b" 413 " in status_line, response[:500]
    assert b"payload-too-large" in response or "データが大きすぎます".encode() in response
    assert sent < SENT_AT_MOST  # the server answered long before the client was done
    grown_mib = (_rss_kib(server.pid) - before) / 1024
    assert grown_mib < 16, f"the worker grew by {grown_mib:.0f} MiB"


def test_forwarded_for_from_loopback_is_not_believed_by_default(server: Server) -> None:
    response = httpx.post(
        f"{server.url}/api/v1/identity/staff/login",
        json={"login_id": "nobody", "password": "wrong", "totp": "000000"},
        headers={"x-forwarded-for": "203.0.113.9"},
    )
    assert response.status_code == 401
    database = Database(server.database_url)
    try:
        with database.session() as db:
            clients = set(db.scalars(sql_select(AuthAuditEntry.client)))
    finally:
        database.dispose()
    assert clients == {"127.0.0.1"}


def test_the_database_and_its_directory_are_private(server: Server) -> None:
    assert stat.S_IMODE(server.data_dir.stat().st_mode) == 0o700
    for name in ("tsunagu.db", "tsunagu.db-wal", "secret_key"):
        path = server.data_dir / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
