"""The portal top and staff console on a phone: accessible, no sideways scroll, no JS needed."""

from __future__ import annotations

from playwright.sync_api import Page
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll


def test_portal_top_on_a_phone(phone: Page, base_url: str) -> None:
    phone.goto(base_url + "/")
    assert phone.locator("h1").inner_text() == "手続を、一度で、スマートフォンから。"
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)


def test_switch_to_english_without_javascript(phone_without_js: Page, base_url: str) -> None:
    phone_without_js.goto(base_url + "/procedures")
    phone_without_js.get_by_role("link", name="English").click()
    assert phone_without_js.url.endswith("/procedures")
    assert phone_without_js.locator("h1").inner_text() == "Find a procedure"
    assert phone_without_js.locator("html").get_attribute("lang") == "en"


def test_an_anonymous_visitor_to_the_staff_console_is_sent_to_the_staff_login(
    phone_without_js: Page, base_url: str
) -> None:
    phone_without_js.goto(base_url + "/staff")
    assert phone_without_js.url.endswith("/identity/staff/login")


def test_staff_console_is_accessible_in_english(phone: Page, base_url: str) -> None:
    phone.goto(base_url + "/lang/en?next=/staff")
    assert_accessible(phone)
    assert_no_horizontal_scroll(phone)


def test_not_found_page_is_accessible(phone: Page, base_url: str) -> None:
    response = phone.goto(base_url + "/no-such-page")
    assert response is not None and response.status == 404
    assert "ページが見つかりません" in phone.locator("h1").inner_text()
    assert_accessible(phone)
