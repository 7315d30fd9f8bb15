"""Durable before acknowledged: a server killed with SIGKILL keeps every receipt it gave out.

A real ``tsunagu serve`` process takes submissions from several threads; as soon as enough have
been acknowledged it is killed mid-flight (no shutdown, no flush). Every acknowledged receipt
must then be in the database, and a replay of its key must find it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import select
from tests.procedures.applying.conftest import World
from tests.procedures.applying.test_api import URL

from tsunagu.core import clock, sessions
from tsunagu.core.database import Database
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import SESSION_COOKIE
from tsunagu.core.settings import Settings
from tsunagu.procedures.models import ProceduresApplication, ProceduresIdempotencyKey

ACKNOWLEDGED_BEFORE_KILL = 12
# 住民票の写し: a person may ask for it many times (a 転出届 allows one open at a time)
REQUEST = {"procedure_id": "juminhyo-utsushi", "data": {"scope": "self", "copies": 1, "purpose": "procedure"}}


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _server(
    settings: Settings, database: Database, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _port()
    env = {
        **os.environ,
        "TSUNAGU_DATABASE_URL": database.url,
        "TSUNAGU_SECRET_KEY": settings.resolved_secret_key(),
        "TSUNAGU_DATA_DIR": str(tmp_path / "server"),
        "TSUNAGU_LOG_LEVEL": "warning",
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("tsunagu")), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # the import alone takes a minute on an overloaded machine
        while process.poll() is None and time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert process.poll() is None, "the server exited"
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def test_every_acknowledged_receipt_survives_sigkill(
    world: World, database: Database, settings: Settings, tmp_path: Path
) -> None:
    previous = clock.set_clock(clock.SystemClock())  # the server runs on real time: so must its session
    try:
        with database.session() as db:
            token = sessions.start(db, world.resident())
    finally:
        clock.set_clock(previous)
    cookie = csrf.new_cookie_value()
    cookies = {SESSION_COOKIE: token, csrf.COOKIE: cookie}
    csrf_token = csrf.token_for(settings.resolved_secret_key(), cookie, token)
    acknowledged: dict[str, str] = {}
    enough = threading.Event()
    with _server(settings, database, tmp_path) as (process, base):

        def submit(number: int) -> None:
            key = f"durable-{number:06d}"
            try:
                response = httpx.post(
                    f"{base}{URL}",
                    json=REQUEST,
                    timeout=60,
                    cookies=cookies,
                    headers={"Idempotency-Key": key, csrf.HEADER: csrf_token},
                )
            except httpx.HTTPError:
                return  # in flight when the server was killed: never acknowledged
            if response.status_code == 201:
                acknowledged[key] = response.json()["receipt_number"]
                if len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL:
                    enough.set()

        with ThreadPoolExecutor(max_workers=6) as pool:
            for number in range(ACKNOWLEDGED_BEFORE_KILL * 3):
                pool.submit(submit, number)
            assert enough.wait(timeout=300), f"only {len(acknowledged)} acknowledged"
            os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL

    with database.session() as db:
        stored: dict[str, str] = dict(
            db.execute(
                select(ProceduresIdempotencyKey.key, ProceduresApplication.receipt_number)
                .join(
                    ProceduresApplication, ProceduresApplication.id == ProceduresIdempotencyKey.application_id
                )
                .where(ProceduresIdempotencyKey.applicant_id == world.resident_id)
            ).all()
        )
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL
    assert {key: stored.get(key) for key in acknowledged} == acknowledged
