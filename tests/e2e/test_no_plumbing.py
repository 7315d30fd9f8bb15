"""No plumbing in front of people: a resident and a clerk use the product for real (apply, pay,
review, confirm, approve), then every main page each of them reaches — and every page linked from
their home — is read as a person sees it (the page's visible text in Chromium). The test fails when
an organization code, a slug, a hex id, a status enum, ``UTC``, an ISO timestamp or an English
sentence shows in the Japanese UI. Screenshots: the resident's マイページ on a phone (390×844)
and the clerk's 受付一覧 on a desktop, in tests/e2e/results/.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from playwright.sync_api import Browser, Page
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.e2e.demo import CHIYODA, log_in_as_staff, phone_page, resident_of, staff_account, start_session
from tests.e2e.recorder import RESULTS
from tests.plumbing import find_plumbing

from tsunagu.core import sessions
from tsunagu.core.database import Database

DESKTOP = {"width": 1280, "height": 900}
RESIDENT_PAGES = [
    "/",
    "/mypage",
    "/inbox",
    "/applications",
    "/mesh/history",
    "/mesh/consents",
    "/registry/me/accesses",
    "/identity/history",
    "/identity/proxies",
    "/procedures",
    "/procedures?q=ひっこし",
    "/procedures/tenshutsu",
    "/procedures/juminhyo-utsushi",
    "/procedures/juminhyo-utsushi/apply",
    "/moving",
    "/procedures/tennyu-yoyaku",
    "/catalog",
    "/catalog/addresses",
]
STAFF_PAGES = [
    "/staff",
    "/staff/applications",
    "/staff/applications?status=approved",
    "/staff/procedures",
    "/staff/appointments",
    "/staff/registry/residents",
]
#: links a crawl does not follow: other languages, downloads, machine endpoints, actions
SKIP = re.compile(r"^/(lang/|api/|static/|readyz|healthz|metrics|notices/.+\.pdf|logout|identity/card-app)")


def _visible_text(page: Page) -> str:
    return page.evaluate("document.body.innerText")


def _read(page: Page, base_url: str, path: str) -> list[str]:
    """The plumbing on one page, each as 'path: rule: …fragment…'."""
    response = page.goto(base_url + path)
    assert response is not None and response.status < 400, (path, response and response.status)
    return [f"{path}: {rule}: {fragment}" for rule, fragment in find_plumbing(_visible_text(page))]


def _links(page: Page, base_url: str, path: str) -> list[str]:
    page.goto(base_url + path)
    hrefs = page.locator("main a, header a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:")):
            continue
        parsed = urlparse(href)
        if parsed.netloc and base_url.split("//")[1] != parsed.netloc:
            continue
        local = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if local.startswith("/") and not SKIP.match(local):
            found.append(local)
    return list(dict.fromkeys(found))


def _crawl(page: Page, base_url: str, pages: list[str], homes: list[str]) -> list[str]:
    wanted = list(pages)
    for home in homes:
        wanted += _links(page, base_url, home)
    problems: list[str] = []
    for path in dict.fromkeys(wanted):
        problems += _read(page, base_url, path)
    return problems


def _apply_and_pay(page: Page, base_url: str) -> str:
    page.goto(base_url + "/procedures/juminhyo-utsushi/apply")
    page.get_by_label("本人のみ").check()
    page.get_by_label("通数").fill("1")
    page.get_by_label("各種手続").check()
    # radio buttons and checkboxes sit beside their labels, not stretched over the line
    box = page.get_by_label("本人のみ").bounding_box()
    assert box is not None and box["width"] < 40, box
    page.screenshot(path=str(RESULTS / "apply-form-phone.png"), full_page=True)
    page.get_by_role("button", name="確認へ進む").click()
    page.get_by_role("button", name="この内容で送信する").click()
    assert "申請を受け付けました。" in page.locator("main").inner_text()
    receipt = page.locator("dd strong").first.inner_text()
    with page.expect_navigation(url="**/test-provider/**"):
        page.get_by_role("button", name="手数料を支払う").click()
    with page.expect_navigation(url="**/applications/**"):
        page.get_by_role("button", name="支払う").click()
    return receipt


def test_resident_and_clerk_pages_show_no_plumbing(
    browser: Browser, base_url: str, server_env: dict[str, str], server_database: Database
) -> None:
    resident = phone_page(browser)
    person = resident_of(server_env, CHIYODA, 11)
    start_session(resident, base_url, server_database, sessions.Principal(kind="resident", subject_id=person))
    receipt = _apply_and_pay(resident, base_url)

    clerk = browser.new_context(viewport=DESKTOP, bypass_csp=True, locale="ja-JP").new_page()
    log_in_as_staff(clerk, base_url, staff_account(server_env, "chiyoda.clerk"))
    assert "千代田 住基担当" in clerk.locator("header").inner_text()
    clerk.goto(base_url + "/staff/applications?status=submitted")
    row = clerk.locator("tr", has=clerk.get_by_role("link", name=receipt))
    assert row.locator("td").nth(1).inner_text().strip(), "the inbox names the applicant"
    clerk.get_by_role("link", name=receipt).click()
    clerk.get_by_role("button", name="審査を開始する").click()
    assert "審査を開始しました。" in clerk.get_by_role("status").inner_text()
    clerk.get_by_role("button", name="承認する").click()
    assert clerk.locator("h1").inner_text() == "処理の確認"
    assert "審査中 → 承認" in clerk.locator("main").inner_text()
    assert_accessible(clerk)
    clerk.get_by_role("button", name="承認を確定する").click()
    assert "承認しました。" in clerk.get_by_role("status").inner_text()
    history = clerk.locator("main table").last.inner_text()
    assert "千代田 住基担当" in history and "審査中 → 承認" in history
    application_path = urlparse(clerk.url).path
    clerk.screenshot(path=str(RESULTS / "staff-application-decided-desktop.png"), full_page=True)
    clerk.goto(base_url + "/staff/applications")
    clerk.screenshot(path=str(RESULTS / "staff-inbox-desktop.png"), full_page=True)

    resident.goto(base_url + "/mypage")
    main = resident.locator("main").inner_text()
    assert re.search(r"未読 \d+ 件", main) and "住民票の写し交付請求: 承認" in main
    assert_no_horizontal_scroll(resident)
    assert_accessible(resident)
    resident.screenshot(path=str(RESULTS / "resident-mypage-phone.png"), full_page=True)

    problems = _crawl(resident, base_url, RESIDENT_PAGES, ["/mypage", "/inbox", "/applications"])
    records = [f"/staff/registry/residents/{person}", "/registry/corporations?name=株式会社"]
    problems += _crawl(
        clerk,
        base_url,
        [*STAFF_PAGES, application_path, *records],
        ["/staff", "/staff/applications", "/registry/corporations?name=株式会社"],
    )
    resident.goto(base_url + "/lang/en?next=/mypage")
    assert "My page" in resident.locator("h1").inner_text()
    assert_accessible(resident)
    resident.screenshot(path=str(RESULTS / "resident-mypage-phone-en.png"), full_page=True)
    assert not problems, "internal identifiers or untranslated text on people's pages:\n" + "\n".join(
        problems
    )
    resident.context.close()
    clerk.context.close()
