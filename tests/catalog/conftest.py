"""Catalog fixtures: the address registry loaded from the small real sample the registry tests use."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI

from tsunagu.catalog import service
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.registry.addresses import service as addresses

SAMPLE = Path(__file__).resolve().parents[1] / "registry" / "addresses" / "data" / "towns_sample.csv.gz"


@pytest.fixture
def database(database: Database) -> Database:
    """The empty database with the registries' datasets registered, as ``tsunagu seed`` does."""
    with database.session() as db:
        service.register_shipped(db)
    return database


@pytest.fixture
def loaded(database: Database) -> Database:
    with database.session() as db:
        addresses.load(db, SilentProgress(), towns_file=SAMPLE)
    return database


@pytest.fixture
def server(app: FastAPI) -> Iterator[str]:
    """The app served by uvicorn on a loopback port (real HTTP, for ckanapi and the link checks)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)
