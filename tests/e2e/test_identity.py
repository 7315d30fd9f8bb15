"""A demo resident logs in by QR: with the command-line card app (no JavaScript in the browser)
and with the mobile card page (WebCrypto), lands on マイページ and sees the login in the operation
history."""

from __future__ import annotations

import html
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from tests.e2e.conftest import PHONE, assert_accessible, assert_no_horizontal_scroll

AUTH_PIN, SIGN_PIN = "4321", "DEMO2026"


@pytest.fixture(scope="module")
def card_file(server_env: dict[str, str], base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = server_env["TSUNAGU_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        resident_id = connection.execute(
            "SELECT id FROM residents_people WHERE status = 'resident' ORDER BY id LIMIT 1"
        ).fetchone()[0]
    path = tmp_path_factory.mktemp("card") / "card.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tsunagu.cli.main",
            "card",
            "issue",
            "--resident",
            resident_id,
            "--out",
            str(path),
            "--auth-pin",
            AUTH_PIN,
            "--sign-pin",
            SIGN_PIN,
        ],
        env=server_env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return path


def _card_app_url(page: Page, base_url: str) -> str:
    """The QR code's URL, moved to this server's port (it names TSUNAGU_BASE_URL)."""
    url = html.unescape(page.locator("pre code").text_content() or "").split("'")[1]
    return base_url + "/identity/card-app" + url.split("/identity/card-app", 1)[1]


def test_qr_login_with_the_command_line_card_app(
    phone_without_js: Page, base_url: str, server_env: dict[str, str], card_file: Path
) -> None:
    page = phone_without_js
    page.goto(base_url + "/identity/login")
    assert page.locator("svg").count() == 1
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tsunagu.cli.main",
            "card",
            "login",
            _card_app_url(page, base_url),
            "--card",
            str(card_file),
            "--pin",
            AUTH_PIN,
        ],
        env=server_env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    page.get_by_role("button", name="ログインを続ける").click()
    assert page.locator("h1").inner_text() == "マイページ"  # login lands on the resident's home
    assert "こんにちは" in page.locator("main").inner_text()
    page.get_by_role("link", name="ログインと操作の履歴").click()
    assert page.locator("h1").inner_text() == "操作履歴"
    assert page.get_by_role("cell", name="ログイン").count() >= 1


def test_qr_login_with_the_mobile_card_page(browser: Browser, base_url: str, card_file: Path) -> None:
    desktop = browser.new_context(java_script_enabled=False, locale="ja-JP").new_page()
    desktop.goto(base_url + "/identity/login")
    url = _card_app_url(desktop, base_url)
    phone = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()
    phone.goto(url)
    phone.set_input_files("#card-file", str(card_file))
    phone.locator("#card-status", has_text="読み込み済み").wait_for()  # no eval: the page's CSP forbids it
    phone.fill("#card-pin", AUTH_PIN)
    phone.get_by_role("button", name="カードで署名して送信").click()
    phone.locator("#card-result", has_text="送信しました").wait_for(timeout=20_000)
    desktop.get_by_role("button", name="ログインを続ける").click()
    assert desktop.locator("h1").inner_text() == "マイページ"


def test_identity_pages_are_accessible_on_a_phone(phone: Page, base_url: str) -> None:
    for path in ("/identity/login", "/identity/staff/login", "/identity/card-app", "/identity/cards/demo"):
        phone.goto(base_url + path)
        assert_no_horizontal_scroll(phone)
        assert_accessible(phone)
