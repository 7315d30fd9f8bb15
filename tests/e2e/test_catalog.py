"""The data catalog on a phone without JavaScript: search in katakana, narrow by a facet, open
the address registry, see its live counts and download the CSV; accessible in both languages."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import httpx
from playwright.sync_api import Page
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll

RESULTS = Path(__file__).parent / "results"


def test_find_and_download_the_address_data_on_a_phone(phone_without_js: Page, base_url: str) -> None:
    page = phone_without_js
    page.goto(base_url + "/catalog")
    assert page.locator("h1").inner_text() == "データカタログ"
    page.get_by_label("キーワード").fill("ジュウショ")
    page.get_by_role("button", name="検索").click()
    assert "q=" in page.url
    results = page.locator("main .cards h3")
    assert results.all_inner_texts() == ["住所（アドレス・ベース・レジストリ）"]
    page.goto(base_url + "/catalog")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "catalog-list-phone.png"), full_page=True)
    page.get_by_role("link", name=re.compile("^国税庁$")).click()
    assert page.locator("main .cards h3").all_inner_texts() == ["法人（法人番号）"]
    page.goto(base_url + "/catalog")
    page.get_by_role("link", name="住所（アドレス・ベース・レジストリ）").click()
    assert page.locator("h1").inner_text() == "住所（アドレス・ベース・レジストリ）"
    facts = page.locator("main dl").inner_text()
    towns = re.search(r"町字の数\s+([\d,]+) 件", facts)
    assert towns is not None and int(towns.group(1).replace(",", "")) > 200_000  # the seeded registry
    assert "Geolonia 住所データ（CC BY 4.0）" in page.locator("main").inner_text()
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "catalog-dataset-phone.png"), full_page=True)
    assert_no_horizontal_scroll(page)
    href = page.get_by_role("link", name="市区町村一覧（CSV）").get_attribute("href")
    assert href is not None
    rows = list(csv.DictReader(io.StringIO(httpx.get(href, timeout=30).text)))
    assert next(r for r in rows if r["市区町村名"] == "千代田区")["全国地方公共団体コード"] == "131016"


def test_catalog_pages_are_accessible_in_english(phone: Page, base_url: str) -> None:
    errors: list[str] = []
    phone.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    phone.goto(base_url + "/lang/en?next=/catalog")
    assert phone.locator("h1").inner_text() == "Data catalog"
    assert_accessible(phone)
    phone.goto(base_url + "/catalog/procedures")
    assert phone.locator("h1").inner_text() == "Administrative procedures"
    assert_accessible(phone)
    assert_no_horizontal_scroll(phone)
    assert errors == []  # the schema.org block is data, not a script the CSP would refuse


def test_look_up_a_data_item_and_its_codes_on_a_phone(phone_without_js: Page, base_url: str) -> None:
    page = phone_without_js
    page.goto(base_url + "/catalog")
    page.get_by_role("link", name="データ・ディクショナリ").first.click()
    assert page.locator("h1").inner_text() == "データ・ディクショナリ"
    page.get_by_label("キーワード").fill("性別")
    page.get_by_role("button", name="検索").click()
    page.get_by_role("link", name="性別", exact=True).click()
    main = page.locator("main").inner_text()
    assert "住民票に記載された性別" in main and "JIS X 0303" in main and "住民基本台帳" in main
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "catalog-item-phone.png"), full_page=True)
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name="性別", exact=True).last.click()
    assert page.locator("h1").inner_text() == "性別"
    assert "女" in page.locator("main table").inner_text()
    page.goto(base_url + "/catalog/codes/local-government")
    table = page.locator("main table").inner_text()
    assert "東京都千代田区" in table and "131016" in table  # from the seeded address registry
    page.screenshot(path=str(RESULTS / "catalog-codes-phone.png"))
    assert_no_horizontal_scroll(page)


def test_dictionary_and_code_pages_are_accessible(phone: Page, base_url: str) -> None:
    for path in (
        "/catalog/dictionary",
        "/catalog/dictionary/address",
        "/catalog/codes",
        "/catalog/codes/era",
        "/catalog/apis",
        "/catalog/apis/131016/resident-basic/v1",
        "/catalog/population",
    ):
        phone.goto(base_url + path)
        assert_accessible(phone)
        assert_no_horizontal_scroll(phone)
        if path.startswith("/catalog/apis/"):
            assert "日本年金機構" in phone.locator("main").inner_text()  # the seeded mesh's 事務
            RESULTS.mkdir(exist_ok=True)
            phone.screenshot(path=str(RESULTS / "catalog-api-service-phone.png"), full_page=True)
    phone.goto(base_url + "/lang/en?next=/catalog/codes/era")
    assert phone.locator("h1").inner_text() == "Japanese eras"
    assert_accessible(phone)
