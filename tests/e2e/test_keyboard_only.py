"""住民票の写し from the form to the paid fee with the keyboard only (Tab, Space, Enter, typing):
every element that takes focus on the way shows a visible focus indicator (WCAG 2.4.7)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page
from tests.e2e.demo import CHIYODA, phone_page, resident_of, start_session

from tsunagu.core import sessions
from tsunagu.core.database import Database

MAX_TABS = 40
# the focused element, and whether a focus indicator is drawn for it (outline or box-shadow)
FOCUSED = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  return {tag: e.tagName, name: e.getAttribute("name") || "",
          text: (e.innerText || e.value || "").slice(0, 30), visible: outline || s.boxShadow !== "none"};
}"""


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element matching ``selector`` has focus, checking each stop's indicator."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] != "BODY":
            assert focused["visible"], f"no visible focus on {focused} at {page.url}"
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} not reached with {MAX_TABS} Tabs on {page.url}")


def test_a_certificate_with_the_keyboard_only(
    browser: Browser, base_url: str, server_env: dict[str, str], server_database: Database
) -> None:
    page = phone_page(browser)
    resident = resident_of(server_env, CHIYODA, 1)
    start_session(page, base_url, server_database, sessions.Principal(kind="resident", subject_id=resident))
    page.goto(base_url + "/procedures/juminhyo-utsushi/apply")
    assert page.locator("h1").inner_text() == "住民票の写し交付請求"

    tab_to(page, "input[name=scope][value=self]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=copies]")
    page.keyboard.type("2")
    tab_to(page, "input[name=purpose]")
    page.keyboard.press("Space")
    tab_to(page, "button[value=review]")
    with page.expect_navigation(url="**/apply"):  # the form posts to its own URL
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "申請内容の確認"
    assert "本人のみ" in page.locator("main").inner_text()

    tab_to(page, "button[value=submit]")
    with page.expect_navigation(url="**/applications/**"):
        page.keyboard.press("Enter")
    assert "申請を受け付けました。" in page.locator("main").inner_text()
    assert f"-{CHIYODA}-" in page.locator("dd strong").first.inner_text()

    tab_to(page, "form[action$='/payment'] button")
    with page.expect_navigation(url="**/test-provider/**"):
        page.keyboard.press("Enter")
    assert "600 円" in page.locator("main").inner_text()
    tab_to(page, "button[value=pay]")
    with page.expect_navigation(url="**/applications/**"):
        page.keyboard.press("Enter")
    assert "お支払い済み" in page.locator("#payment").locator("..").inner_text()
    page.context.close()


def test_a_date_field_shows_focus_on_each_of_its_stops(
    browser: Browser, base_url: str, server_env: dict[str, str], server_database: Database
) -> None:
    """A date input takes several Tab stops (its parts and the calendar button); each one shows focus."""
    page = phone_page(browser)
    resident = resident_of(server_env, CHIYODA, 1)
    start_session(page, base_url, server_database, sessions.Principal(kind="resident", subject_id=resident))
    page.goto(base_url + "/procedures/tenshutsu/apply")
    tab_to(page, "button[value=review]")
    page.context.close()
