"""End-to-end fixtures: the real product in its own process, driven by real Chromium.

The server is started the way a user starts it (``tsunagu db upgrade``, ``tsunagu seed``,
uvicorn on a free loopback port) with its own SQLite file; Playwright drives the Debian
Chromium at /usr/bin/chromium (no browser download).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from tsunagu.core.database import Database

CHROMIUM = os.environ.get("TSUNAGU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # form controls follow the page's lang: a Japanese page's date field reads 年/月/日 (yyyy/mm/dd) as in
    # a Japanese person's browser, not the en-US mm/dd/yyyy of this Chromium's only UI locale
    "--enable-features=LangAttributeAwareFormControlUI",
]
PHONE = {"width": 390, "height": 844}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tsunagu_cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "tsunagu.cli.main", *args],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("e2e-var")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSUNAGU_")}
    env.update(
        {
            "TSUNAGU_ENVIRONMENT": "test",
            "TSUNAGU_DATA_DIR": str(var),
            "TSUNAGU_DATABASE_URL": f"sqlite:///{var / 'e2e.db'}",
            "TSUNAGU_SECRET_KEY": "e2e-secret-key-not-for-production",
            "TSUNAGU_LOG_LEVEL": "warning",
            # links the server writes (the QR login's card-app URL) must point at this server
            "TSUNAGU_BASE_URL": f"http://127.0.0.1:{free_port()}",
        }
    )
    return env


@pytest.fixture(scope="module")
def server_database(server_env: dict[str, str], base_url: str) -> Iterator[Database]:
    """The running server's database, for a test to set up or read what the pages cannot show."""
    database = Database(server_env["TSUNAGU_DATABASE_URL"], secret_key=server_env["TSUNAGU_SECRET_KEY"])
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def base_url(server_env: dict[str, str]) -> Iterator[str]:
    tsunagu_cli(server_env, "db", "upgrade")
    tsunagu_cli(server_env, "seed", "--residents", "60", "--corporations", "20")
    url = server_env["TSUNAGU_BASE_URL"]
    port = int(url.rsplit(":", 1)[1])
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "tsunagu.web.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120  # a busy shared machine starts the app slowly
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited: " + process.stderr.read().decode() if process.stderr else "")
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("server did not become ready within 120 s")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}; install it (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A phone-sized page with JavaScript on (axe-core needs it)."""
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="ja-JP")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_without_js(browser: Browser) -> Iterator[Page]:
    """A phone-sized page with JavaScript off: every page must work like this."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="ja-JP")
    page = context.new_page()
    yield page
    context.close()


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """No WCAG 2.1 A/AA violation that axe-core can detect on the current page."""
    page.wait_for_load_state("load")
    results = _axe.run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    )
    violations = results.response["violations"]
    summary = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    )
    assert not violations, f"accessibility violations on {page.url}:\n{summary}"


def assert_no_horizontal_scroll(page: Page) -> None:
    page.wait_for_load_state("load")  # a page still replacing the last one has no document yet
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px on a phone"


def assert_tables_read_on_a_phone(page: Page) -> None:
    """Every table header reads as words (no short header such as 理由 or 優良 stacked one character
    per line) and no table is cut off at the right edge outside a sideways-scrolling box."""
    page.wait_for_load_state("load")
    stacked = page.evaluate(
        """() => Array.from(document.querySelectorAll('th')).filter(th => {
            const text = th.innerText.trim();
            if (text.length < 2 || text.length > 8) return false;
            const range = document.createRange();
            range.selectNodeContents(th);
            const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
            return lines.size >= text.length;
        }).map(th => th.innerText.trim())"""
    )
    assert not stacked, f"{page.url}: header cells stacked one character per line: {stacked}"
    clipped = page.evaluate(
        """() => Array.from(document.querySelectorAll('table')).filter(table => {
            for (let box = table.parentElement; box; box = box.parentElement) {
                if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) return false;
            }
            return table.getBoundingClientRect().right > document.documentElement.clientWidth + 1;
        }).map(t => (t.caption || t.querySelector('th') || t).innerText.trim().slice(0, 30))"""
    )
    assert not clipped, f"{page.url}: tables cut off at the right edge: {clipped}"
