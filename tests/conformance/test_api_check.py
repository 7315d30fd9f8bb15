"""The linkage API check: schemathesis calls our own running registry API (a uvicorn server on a
loopback port) from the requirement set's OpenAPI document; non-loopback hosts are refused."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from tsunagu.conformance import api_check, requirements
from tsunagu.core.database import Database


@contextmanager
def _serve(app: FastAPI) -> Iterator[str]:
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


@pytest.fixture
def server(app: FastAPI, registry: Database) -> Iterator[str]:
    with _serve(app) as url:
        yield url


def test_our_registry_api_meets_its_linkage_requirement(
    server: str, juminkiroku: requirements.RequirementSet
) -> None:
    report = api_check.check_api(juminkiroku, server, max_examples=5)
    assert report.rows["resident-registry.openapi.yaml"] >= 6  # each of the six operations ran
    assert report.passed, [f.message_en for f in report.findings.kept]


def test_an_api_that_answers_errors_as_plain_json_fails(juminkiroku: requirements.RequirementSet) -> None:
    """A vendor system whose 404 is not problem+json and whose town lacks its fields is reported."""
    vendor = FastAPI()

    @vendor.get("/api/v1/registry/addresses/towns/{town_id}")
    def town(town_id: int) -> JSONResponse:
        if town_id % 2:
            return JSONResponse({"error": "not found"}, status_code=404)
        return JSONResponse({"id": town_id})

    with _serve(vendor) as url:
        report = api_check.check_api(juminkiroku, url, max_examples=10)
    failing = {f.column for f in report.findings.kept}
    assert "GET /api/v1/registry/addresses/towns/{town_id}" in failing and not report.passed


@pytest.mark.parametrize(
    "url", ["http://192.0.2.10:8000", "https://example.com", "ftp://127.0.0.1/", "http://10.0.0.1"]
)
def test_only_loopback_systems_are_called(url: str, juminkiroku: requirements.RequirementSet) -> None:
    with pytest.raises(api_check.BaseUrlRefused):
        api_check.check_api(juminkiroku, url)
