"""OpenID Connect in real Chromium, with the content security policy enforced (no ``bypass_csp``).

The demo relying party (``tsunagu oidc demo-rp``) runs as its own process on another loopback
port, so every return to it is a cross-origin redirect after a form (同意する / 同意しない,
ログインを続ける, ログアウトする) — exactly what ``form-action`` governs in Chromium. A resident
logs in with the command-line card app (JavaScript off in the browser), refuses, consents with
and without remembering, and comes back with a remembered consent (no consent screen).

Screenshots at phone size are written to ``test-results/oidc/``.
"""

from __future__ import annotations

import html
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from tests.e2e.conftest import PHONE, assert_no_horizontal_scroll, free_port
from tests.e2e.demo import AUTH_PIN, CHIYODA, issue_card, resident_of

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "oidc"
RP_TITLE = "つなぐデモサービス"


@pytest.fixture(scope="module")
def relying_party(
    server_env: dict[str, str],
    base_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """``tsunagu oidc demo-rp`` in its own process, talking to the provider over loopback HTTP."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("demo-rp") / "demo-rp.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "tsunagu.cli.main", "oidc", "demo-rp", "--port", str(port)],
            env=server_env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise RuntimeError("demo-rp exited: " + log.read_text(errors="replace"))
        try:
            if httpx.get(url + "/", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("demo-rp did not start: " + log.read_text(errors="replace"))
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def card(server_env: dict[str, str], base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return issue_card(server_env, resident_of(server_env, CHIYODA, 5), tmp_path_factory.mktemp("oidc-card"))


def _phone(browser: Browser) -> BrowserContext:
    """A phone with JavaScript off and the pages' content security policy enforced."""
    return browser.new_context(viewport=PHONE, java_script_enabled=False, locale="ja-JP", bypass_csp=False)


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _start_at_the_service(page: Page, relying_party: str) -> None:
    page.goto(relying_party + "/")
    assert page.locator("h1").inner_text() == RP_TITLE
    page.get_by_role("button", name="つなぐでログイン").click()


def _log_in_with_the_card(page: Page, base_url: str, server_env: dict[str, str], card: Path) -> None:
    """The provider's login page: the command-line card app answers the QR code, then 続ける."""
    assert page.url.startswith(base_url + "/identity/login?next=%2Foidc%2Fauthorize"), page.url
    url = html.unescape(page.locator("pre code").text_content() or "").split("'")[1]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tsunagu.cli.main",
            "card",
            "login",
            url,
            "--card",
            str(card),
            "--pin",
            AUTH_PIN,
        ],
        env=server_env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    page.get_by_role("button", name="ログインを続ける").click()


def _back_at_the_service(page: Page, relying_party: str) -> None:
    page.wait_for_url(relying_party + "/**")
    assert page.locator("h1").inner_text() == RP_TITLE


def test_consent_refused_then_given_then_remembered(
    browser: Browser, base_url: str, relying_party: str, server_env: dict[str, str], card: Path
) -> None:
    context = _phone(browser)
    page = context.new_page()
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )

    # 1. first visit: login, then the consent screen; the resident refuses
    _start_at_the_service(page, relying_party)
    _log_in_with_the_card(page, base_url, server_env, card)
    assert page.locator("h1").inner_text() == "情報提供の同意"
    assert page.get_by_role("heading", name=RP_TITLE).count() == 1
    assert page.get_by_text("デジタル庁").count() >= 1, "the operator is named, not coded"
    assert_no_horizontal_scroll(page)
    _shot(page, "1-consent")
    page.get_by_role("button", name="同意しない").click()
    _back_at_the_service(page, relying_party)
    alert = page.get_by_role("alert")
    assert "同意しなかった" in alert.inner_text()
    assert "access_denied" not in page.content()
    _shot(page, "2-refused")

    # 2. again (still logged in at the provider): the consent screen, consent without remembering
    page.get_by_role("button", name="つなぐでログイン").click()
    assert page.locator("h1").inner_text() == "情報提供の同意"
    page.get_by_role("button", name="同意する").click()
    _back_at_the_service(page, relying_party)
    assert page.get_by_role("heading", name="確認済みの情報").count() == 1
    assert page.get_by_role("rowheader", name="生年月日", exact=True).count() == 1
    subject = page.locator("#subject").inner_text()
    assert subject
    _shot(page, "3-signed-in")
    _log_out(page, base_url, relying_party)

    # 3. not remembered: the next login asks again; this time the consent is remembered
    _start_at_the_service(page, relying_party)
    _log_in_with_the_card(page, base_url, server_env, card)
    assert page.locator("h1").inner_text() == "情報提供の同意"
    page.get_by_label("次回からこの同意を記憶する").check()
    page.get_by_role("button", name="同意する").click()
    _back_at_the_service(page, relying_party)
    assert page.locator("#subject").inner_text() == subject, "the same pairwise subject each time"
    _log_out(page, base_url, relying_party)
    context.close()

    # 4. remembered, on a new phone: login, then straight back to the service (no consent screen);
    #    the redirect chain starts at the login form, so its policy must allow the service too
    context = _phone(browser)
    page = context.new_page()
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )
    _start_at_the_service(page, relying_party)
    _log_in_with_the_card(page, base_url, server_env, card)
    _back_at_the_service(page, relying_party)
    assert page.locator("#subject").inner_text() == subject
    _shot(page, "4-remembered")

    # 5. the resident withdraws the consent at 連携中のサービス: the service asks again
    page.goto(base_url + "/oidc/consents")
    service = page.locator("li", has=page.get_by_role("heading", name=RP_TITLE))
    assert "デジタル庁" in service.inner_text() and "UTC" not in service.inner_text()
    assert_no_horizontal_scroll(page)
    _shot(page, "5-consents")
    service.get_by_role("button", name="同意を取り消す").click()
    assert page.get_by_role("status").inner_text().startswith("同意を取り消しました")
    page.goto(relying_party + "/logout")
    page.get_by_role("button", name="ログアウトする").click()
    _back_at_the_service(page, relying_party)
    page.get_by_role("button", name="つなぐでログイン").click()
    _log_in_with_the_card(page, base_url, server_env, card)
    assert page.locator("h1").inner_text() == "情報提供の同意"
    context.close()
    assert not blocked, blocked


def _log_out(page: Page, base_url: str, relying_party: str) -> None:
    """RP-initiated logout: the provider asks, then returns to the service."""
    page.get_by_role("link", name="ログアウト").click()
    assert page.url.startswith(base_url + "/oidc/logout"), page.url
    assert page.locator("h1").inner_text() == "ログアウト"
    page.get_by_role("button", name="ログアウトする").click()
    _back_at_the_service(page, relying_party)
    assert page.get_by_role("button", name="つなぐでログイン").count() == 1
