"""The procedure search and procedure pages on a phone: accessible, no sideways scroll, no JS."""

from __future__ import annotations

from playwright.sync_api import Page
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll


def test_search_page_on_a_phone(phone: Page, base_url: str) -> None:
    phone.goto(base_url + "/procedures?q=てんしゅつ")
    assert phone.locator("h1").inner_text() == "手続をさがす"
    assert phone.get_by_role("link", name="転出届").is_visible()
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)


def test_procedure_page_on_a_phone(phone: Page, base_url: str) -> None:
    phone.goto(base_url + "/procedures/jido-teate-nintei")
    assert phone.locator("h1").inner_text() == "児童手当 認定請求"
    assert "所得課税証明書" in phone.locator("#no-attachments").locator("..").inner_text()
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)


def test_procedure_page_in_english_is_accessible(phone: Page, base_url: str) -> None:
    phone.goto(base_url + "/lang/en?next=/procedures/juminhyo-utsushi")
    assert phone.locator("h1").inner_text() == "Request for a copy of the resident record"
    assert_accessible(phone)


def test_search_from_the_top_page_without_javascript(phone_without_js: Page, base_url: str) -> None:
    phone_without_js.goto(base_url + "/")
    phone_without_js.get_by_label("手続をさがす").fill("じゅうみんひょう")
    phone_without_js.get_by_role("button", name="検索").click()
    assert "/procedures?q=" in phone_without_js.url
    phone_without_js.get_by_role("link", name="住民票の写し交付請求").click()
    assert phone_without_js.locator("h1").inner_text() == "住民票の写し交付請求"
    assert "300 円" in phone_without_js.locator("main").inner_text()


def test_life_event_filter_without_javascript(phone_without_js: Page, base_url: str) -> None:
    phone_without_js.goto(base_url + "/procedures")
    phone_without_js.get_by_label("ライフイベント").select_option("child_rearing")
    phone_without_js.locator("main form").get_by_role("button", name="検索").click()
    names = phone_without_js.locator("main .cards h3").all_inner_texts()
    expected = ["児童手当 認定請求", "子ども医療費助成 受給者証交付申請"]
    expected.append("保育所等の利用申込（保育認定申請）")
    assert sorted(names) == sorted(expected)  # and no other
