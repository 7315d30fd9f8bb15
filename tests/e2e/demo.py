"""The demo as a new user meets it: seeded staff accounts (password + TOTP), synthetic residents
with a virtual My Number Card, and the log-in pages a person uses."""

from __future__ import annotations

import html
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pyotp
from playwright.sync_api import Browser, Page, ViewportSize
from tests.e2e.conftest import PHONE

from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.core.http.auth import SESSION_COOKIE

CHIYODA, YOKOSUKA = "131016", "142018"
AUTH_PIN, SIGN_PIN = "4321", "DEMO2026"
ACCOUNTS_FILE = Path("identity") / "demo-staff-accounts.txt"


@dataclass(frozen=True)
class StaffAccount:
    organization: str
    login_id: str
    password: str
    totp_secret: str


def staff_account(server_env: dict[str, str], login_id: str) -> StaffAccount:
    """One of the accounts ``tsunagu seed`` printed (and kept in var/identity/)."""
    path = Path(server_env["TSUNAGU_DATA_DIR"]) / ACCOUNTS_FILE
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        organization, found, password, secret, _roles = line.split("\t")
        if found == login_id:
            return StaffAccount(organization, found, password, secret)
    raise LookupError(f"no demo staff account {login_id}")


def resident_of(server_env: dict[str, str], municipality: str, index: int) -> str:
    """The ``index``-th synthetic resident of ``municipality`` in kana order; each test uses its own
    index (test_apply takes the last ones in this order, so these come from the front)."""
    database = server_env["TSUNAGU_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT id FROM residents_people WHERE status = 'resident' AND municipality_code = ? "
            "ORDER BY search_kana, birth_date, id LIMIT 1 OFFSET ?",
            (municipality, index),
        ).fetchone()
    if row is None:
        raise LookupError(f"no resident #{index} in {municipality}")
    return str(row[0])


def issue_card(server_env: dict[str, str], resident_id: str, directory: Path) -> Path:
    """A virtual card for the resident, issued with the command a demo user runs."""
    path = directory / f"card-{resident_id}.json"
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


def card_app_url(login_page: Page, base_url: str) -> str:
    """The QR code's URL, moved to this server's port (it names TSUNAGU_BASE_URL)."""
    url = html.unescape(login_page.locator("pre code").text_content() or "").split("'")[1]
    return base_url + "/identity/card-app" + url.split("/identity/card-app", 1)[1]


_CODES_USED: dict[str, str] = {}


def _fresh_code(account: StaffAccount) -> str:
    """The current one-time code, waiting for the next one if this account just used it (the
    server refuses a code twice, as a person's authenticator would show them a new one)."""
    totp = pyotp.TOTP(account.totp_secret)
    while (code := totp.now()) == _CODES_USED.get(account.login_id):
        time.sleep(1)
    _CODES_USED[account.login_id] = code
    return code


def log_in_as_staff(page: Page, base_url: str, account: StaffAccount) -> None:
    """職員ログイン with the password and the current one-time code, as a person types them."""
    page.goto(base_url + "/identity/staff/login")
    page.get_by_label("ログインID").fill(account.login_id)
    page.get_by_label("パスワード").fill(account.password)
    page.get_by_label("ワンタイムコード").fill(_fresh_code(account))
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/staff")


def start_session(page: Page, base_url: str, database: Database, principal: sessions.Principal) -> None:
    """A session started in the server's database the way a login does (for tests whose subject is
    not the login itself; the log-in pages have their own tests)."""
    with database.session() as db:
        token = sessions.start(db, principal)
    page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": token, "domain": urlparse(base_url).hostname or "", "path": "/"}]
    )


def phone_page(browser: Browser) -> Page:
    """A new phone (390×844, touch, mobile) with its own cookies; JavaScript on for axe-core."""
    viewport = ViewportSize(width=PHONE["width"], height=PHONE["height"])
    context = browser.new_context(
        viewport=viewport, has_touch=True, is_mobile=True, locale="ja-JP", bypass_csp=True
    )
    return context.new_page()


RESULTS = Path(__file__).parent / "results"


def shot(page: Page, name: str, folder: Path = RESULTS) -> None:
    """A full-page screenshot to look at after the run (tests/e2e/results by default)."""
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
