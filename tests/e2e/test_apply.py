"""Apply → staff decide → signed notice in the inbox, on a phone, accessible, and without JS.

Sessions are started in the server's database the way identity does at login (the card and
staff login flows have their own browser tests).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

from playwright.sync_api import Browser, Page
from tests.e2e.conftest import PHONE, assert_accessible, assert_no_horizontal_scroll

from tsunagu.core import clock, sessions
from tsunagu.core.database import Database
from tsunagu.core.http.auth import SESSION_COOKIE
from tsunagu.registry.residents import service as residents

CHIYODA = "131016"


def _people(database: Database, count: int) -> list[str]:
    with database.session() as db:
        found, _total = residents.find_residents(db, CHIYODA, residents.SearchQuery(), limit=50)
    # one person per household: a 転出届 for 世帯全員 leaves the rest of the household with a move
    # in progress (a second one would be refused)
    households: dict[str, str] = {}
    for r in found:
        if r.status == "resident":
            households.setdefault(r.household_id, r.id)
    return list(households.values())[-count:]


def _log_in(page: Page, base_url: str, database: Database, principal: sessions.Principal) -> None:
    with database.session() as db:
        token = sessions.start(db, principal)
    page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": token, "domain": urlparse(base_url).hostname or "", "path": "/"}]
    )


def _apply(page: Page, base_url: str, *, check: bool) -> str:
    page.goto(base_url + "/procedures/tenshutsu/apply")
    assert page.locator("h1").inner_text() == "転出届"
    assert "公共サービスメッシュ経由" in page.locator("main").inner_text()
    if check:
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
    moving = (clock.today_jst() + timedelta(days=7)).date().isoformat()
    page.get_by_label("転出先の住所").fill("神奈川県横須賀市小川町1-1")
    page.get_by_label("転出予定日").fill(moving)
    page.get_by_label("世帯全員").check()
    page.get_by_label("日中の連絡先電話番号").fill("090-1234-5678")
    page.get_by_role("button", name="確認へ進む").click()
    assert page.locator("h1").inner_text() == "申請内容の確認"
    if check:
        assert_accessible(page)
    page.get_by_role("button", name="この内容で送信する").click()
    assert "申請を受け付けました。" in page.locator("main").inner_text()
    if check:
        assert_accessible(page)
    receipt = page.locator("dd strong").first.inner_text()
    assert receipt.startswith("20") and f"-{CHIYODA}-" in receipt
    return receipt


def test_apply_decide_and_read_the_signed_notice(
    browser: Browser, base_url: str, server_database: Database
) -> None:
    resident_id = _people(server_database, 2)[0]
    resident = browser.new_context(viewport=PHONE, bypass_csp=True, locale="ja-JP").new_page()
    _log_in(resident, base_url, server_database, sessions.Principal(kind="resident", subject_id=resident_id))
    receipt = _apply(resident, base_url, check=True)

    staff = browser.new_context(viewport=PHONE, bypass_csp=True, locale="ja-JP").new_page()
    _log_in(
        staff,
        base_url,
        server_database,
        sessions.Principal(
            kind="staff", subject_id="e2e-staff", organization_code=CHIYODA, roles=frozenset({"審査", "住基"})
        ),
    )
    staff.goto(base_url + "/staff/applications?status=submitted")
    assert_accessible(staff)
    staff.get_by_role("link", name=receipt).click()
    assert_accessible(staff)
    staff.get_by_role("button", name="審査を開始する").click()
    staff.get_by_role("button", name="承認する").click()
    staff.get_by_role("button", name="承認を確定する").click()
    assert "承認" in staff.locator("dl").first.inner_text()

    resident.goto(base_url + "/inbox")
    assert_accessible(resident)
    resident.get_by_role("link", name="転出届の受理について").click()
    assert receipt in resident.locator("main").inner_text()
    assert_accessible(resident)
    resident.get_by_role("button", name="この文書を検証する").click()
    assert "有効な文書です" in resident.locator("main").inner_text()
    assert_accessible(resident)


def test_apply_without_javascript(phone_without_js: Page, base_url: str, server_database: Database) -> None:
    resident_id = _people(server_database, 2)[1]
    _log_in(
        phone_without_js,
        base_url,
        server_database,
        sessions.Principal(kind="resident", subject_id=resident_id),
    )
    _apply(phone_without_js, base_url, check=False)
