"""The data catalog on a phone without JavaScript: search in katakana, narrow by a facet, open
the address registry, see its live counts and download the CSV; accessible in both languages."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import httpx
from playwright.sync_api import Page
from tests.e2e.conftest import (
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_tables_read_on_a_phone,
    tsunagu_cli,
)
from tests.e2e.demo import log_in_as_staff, staff_account

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
    phone.goto(base_url + "/catalog/quality")  # seven narrow columns on a phone
    assert_tables_read_on_a_phone(phone)
    phone.screenshot(path=str(RESULTS / "catalog-quality-phone.png"), full_page=True)
    phone.goto(base_url + "/lang/en?next=/catalog/codes/era")
    assert phone.locator("h1").inner_text() == "Japanese eras"
    assert_accessible(phone)


def test_a_publisher_writes_and_publishes_a_dataset_on_a_phone(
    phone_without_js: Page, base_url: str, server_env: dict[str, str]
) -> None:
    """千代田区's administrator (管理 opens publishing) describes the 公衆トイレ一覧 on a phone without
    JavaScript: a wrong address comes back marked with the values kept, then the draft is saved,
    published and found; the daily link check records our own URLs as answering."""
    page = phone_without_js
    log_in_as_staff(page, base_url, staff_account(server_env, "chiyoda.admin"))
    page.goto(base_url + "/staff/catalog/new")
    page.get_by_label("識別子").fill("chiyoda-toilets")
    page.locator("#title_ja").fill("公衆トイレ一覧")
    page.locator("#title_en").fill("Public toilets")
    page.locator("#description_ja").fill("千代田区内の公衆トイレの場所とバリアフリー設備です。")
    page.locator("#description_en").fill(
        "Where Chiyoda City's public toilets are, with their accessible facilities."
    )
    page.get_by_label("行政・公共部門").check()
    page.locator("#keywords_ja").fill("公衆トイレ、バリアフリー")
    page.locator("#keywords_en").fill("public toilets")
    page.locator("#readings").fill("こうしゅうといれ")
    page.locator("#spatial_ja").fill("東京都千代田区")
    page.locator("#spatial_en").fill("Chiyoda City")
    page.locator("#legal_basis_ja").fill("官民データ活用推進基本法第11条")
    page.locator("#legal_basis_en").fill(
        "Basic Act on the Advancement of Public and Private Sector Data, Article 11"
    )
    page.locator("#contact_name_ja").fill("千代田区 環境政策課")
    page.locator("#contact_name_en").fill("Chiyoda City environment")
    page.locator("#contact_email").fill("kankyo@example.lg.jp")
    page.locator("#dist_0_title_ja").fill("公衆トイレ一覧（CSV）")
    page.locator("#dist_0_title_en").fill("Public toilets (CSV)")
    page.locator("#dist_0_url").fill("city.chiyoda.lg.jp/toilets.csv")
    page.get_by_role("button", name="下書きとして保存する").click()
    assert "入力に誤りがあります。保存していません。" in page.locator("main").inner_text()
    assert page.locator("#dist_0_url").get_attribute("aria-invalid") == "true"
    assert page.locator("#title_ja").input_value() == "公衆トイレ一覧"  # kept
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "catalog-console-error-phone.png"), full_page=True)
    assert_no_horizontal_scroll(page)
    page.locator("#dist_0_url").fill(base_url + "/api/v1/catalog/datasets/addresses/files/municipalities.csv")
    page.get_by_role("button", name="下書きとして保存する").click()
    assert "下書き" in page.locator("main").inner_text()
    page.get_by_role("button", name="公開する").click()
    assert "公開中" in page.locator("main").inner_text()
    tsunagu_cli(server_env, "catalog", "check-links")  # every own URL answers: exit 0
    page.goto(base_url + "/catalog?q=コウシュウトイレ")
    assert page.locator("main .cards h3").all_inner_texts() == ["公衆トイレ一覧"]
    page.get_by_role("link", name="公衆トイレ一覧").click()
    main = page.locator("main").inner_text()
    assert "東京都千代田区" in main and "応答あり" in main and "メタデータの品質" in main
    page.screenshot(path=str(RESULTS / "catalog-published-dataset-phone.png"), full_page=True)
    assert_no_horizontal_scroll(page)
    page.goto(base_url + "/catalog/quality")
    assert "東京都千代田区" in page.locator("main table").inner_text()
    page.screenshot(path=str(RESULTS / "catalog-quality-phone.png"), full_page=True)
    assert_no_horizontal_scroll(page)
