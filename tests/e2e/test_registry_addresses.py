"""The address tools page on a phone: normalize and look up a postcode without JavaScript."""

from __future__ import annotations

from playwright.sync_api import Page
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll


def test_normalize_and_postcode_without_javascript(phone_without_js: Page, base_url: str) -> None:
    page = phone_without_js
    page.goto(base_url + "/registry/addresses")
    page.get_by_label("住所", exact=True).fill("千代田区霞が関２－１－１ 中央合同庁舎")
    page.get_by_role("button", name="正規化する").click()
    assert "霞が関二丁目" in page.locator("main").inner_text()
    assert "131016" in page.locator("main").inner_text()
    page.get_by_label("郵便番号（7桁）").fill("100-0013")
    page.get_by_role("button", name="検索する").click()
    assert "東京都千代田区霞が関一丁目" in page.locator("main").inner_text()
    assert "Geolonia" in page.locator("footer").inner_text()


def test_address_page_is_accessible(phone: Page, base_url: str) -> None:
    phone.goto(base_url + "/registry/addresses?address=横須賀市小川町11&postcode=12")
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)
