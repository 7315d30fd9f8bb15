"""The public URL follows the port unless TSUNAGU_BASE_URL says otherwise (``tsunagu demo --port``,
``tsunagu serve --port``, ``TSUNAGU_PORT``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tsunagu.cli.main import listen_on
from tsunagu.core.errors import ConfigurationError
from tsunagu.core.settings import Settings, get_settings, load_settings


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("TSUNAGU_BASE_URL", "TSUNAGU_PORT", "TSUNAGU_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env file of the checkout


@pytest.mark.parametrize(
    ("host", "port", "base_url"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
        ("127.0.0.1", 9123, "http://127.0.0.1:9123"),
        ("0.0.0.0", 9123, "http://127.0.0.1:9123"),
        ("::", 9123, "http://127.0.0.1:9123"),
        ("::1", 9123, "http://[::1]:9123"),
        ("localhost", 8080, "http://localhost:8080"),
    ],
)
def test_the_base_url_follows_host_and_port(host: str, port: int, base_url: str) -> None:
    assert Settings(host=host, port=port).base_url == base_url


def test_an_explicit_base_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_PORT", "9123")
    monkeypatch.setenv("TSUNAGU_BASE_URL", "https://tsunagu.example.jp")
    assert load_settings().base_url == "https://tsunagu.example.jp"
    monkeypatch.setenv("TSUNAGU_BASE_URL", "")
    assert load_settings().base_url == "http://127.0.0.1:9123"


def test_tsunagu_port_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_PORT", "8765")
    assert load_settings().base_url == "http://127.0.0.1:8765"
    monkeypatch.setenv("TSUNAGU_PORT", "70000")
    with pytest.raises(ConfigurationError, match="TSUNAGU_PORT"):
        load_settings()


def test_the_port_option_reaches_the_server_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--port`` goes into the environment, where uvicorn's app (and every worker) reads it."""
    monkeypatch.setenv("TSUNAGU_PORT", "8000")  # restored after the test
    monkeypatch.setenv("TSUNAGU_HOST", "127.0.0.1")
    try:
        config = listen_on(None, 9321)
        assert (config.port, config.base_url) == (9321, "http://127.0.0.1:9321")
        assert get_settings().base_url == "http://127.0.0.1:9321"
        monkeypatch.setenv("TSUNAGU_BASE_URL", "https://tsunagu.example.jp")
        assert listen_on("0.0.0.0", 9322).base_url == "https://tsunagu.example.jp"
    finally:
        get_settings.cache_clear()
