"""Another port, no TSUNAGU_BASE_URL: ``tsunagu serve --port P`` names P in every link it writes, so
the QR login works as it is (the card app is given the URL exactly as the page shows it) and the
OpenID Connect issuer is the URL the browser uses."""

from __future__ import annotations

import html
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser
from tests.e2e.conftest import PHONE, free_port
from tests.e2e.demo import AUTH_PIN, CHIYODA, issue_card, resident_of


@pytest.fixture(scope="module")
def served_on_another_port(
    server_env: dict[str, str], base_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A second server over the same installation (database, CA), started the way a user starts it,
    with only ``--port`` and no public URL configured."""
    port = free_port()
    environment = {k: v for k, v in server_env.items() if k != "TSUNAGU_BASE_URL"}
    log = tmp_path_factory.mktemp("port") / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "tsunagu.cli.main", "serve", "--port", str(port)],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise RuntimeError("tsunagu serve exited: " + log.read_text(errors="replace"))
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("tsunagu serve did not start: " + log.read_text(errors="replace"))
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_qr_login_on_another_port(
    browser: Browser, served_on_another_port: str, server_env: dict[str, str], tmp_path: Path
) -> None:
    url = served_on_another_port
    environment = {k: v for k, v in server_env.items() if k != "TSUNAGU_BASE_URL"}
    card = issue_card(environment, resident_of(server_env, CHIYODA, 6), tmp_path)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="ja-JP")
    page = context.new_page()
    page.goto(url + "/identity/login")
    shown = html.unescape(page.locator("pre code").text_content() or "").split("'")[1]
    assert shown.startswith(url + "/identity/card-app?"), shown
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tsunagu.cli.main",
            "card",
            "login",
            shown,
            "--card",
            str(card),
            "--pin",
            AUTH_PIN,
        ],
        env=environment,
        check=True,
        capture_output=True,
        timeout=120,
    )
    page.get_by_role("button", name="ログインを続ける").click()
    assert page.url == url + "/mypage", page.url
    context.close()
    assert httpx.get(url + "/.well-known/openid-configuration").json()["issuer"] == url
