"""The policy dashboard and the procedure inventory in a real browser: filled on the demo's first
start, readable on a phone without JavaScript (charts are SVG, each with its table and CSV),
accessible (axe) in Japanese and English; the oversight console imports a file in the published
layout from the form and lists a bad file's problems by line."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.e2e.demo import log_in_as_staff, staff_account
from tests.oversight.files import R7_ROWS, csv_bytes

from tsunagu.oversight import layouts

RESULTS = Path(__file__).parent / "results"


def test_the_dashboard_on_a_phone_without_javascript(phone_without_js: Page, base_url: str) -> None:
    page = phone_without_js
    page.goto(base_url + "/")
    page.get_by_role("link", name="政策ダッシュボード").click()
    assert page.locator("h1").inner_text() == "政策ダッシュボード"
    main = page.locator("main")
    assert "令和7年度調査・全府省庁・6,000 手続" in main.inner_text()
    tiles = page.locator(".kpi-value").all_inner_texts()
    assert len(tiles) >= 4 and all(re.fullmatch(r"\d+\.\d%", t) for t in tiles[:4]), tiles
    assert page.locator("main svg[role=img]").count() >= 4  # trend, ministries, Pareto, costs
    page.get_by_text("数値の表を見る").first.click()  # <details> opens without JavaScript
    assert page.locator("table caption", has_text="オンライン化の推移").is_visible()
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "oversight-dashboard-phone.png"), full_page=True)
    assert_no_horizontal_scroll(page)
    href = page.get_by_role("link", name="CSV でダウンロード").first.get_attribute("href")
    assert href is not None
    rows = list(csv.reader(io.StringIO(httpx.get(base_url + href, timeout=30).content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["令和5年度", "令和6年度", "令和7年度"]
    page.get_by_label("府省庁", exact=True).select_option("国土交通省")
    page.get_by_role("button", name="表示する").click()
    assert "令和7年度調査・国土交通省・" in page.locator("main").inner_text()


def test_the_map_and_the_place_filters_without_javascript(phone_without_js: Page, base_url: str) -> None:
    """The prefecture tile map (from the address registry), a tile as a link to that prefecture,
    its municipalities in a table and one municipality's areas — all without JavaScript."""
    page = phone_without_js
    page.goto(base_url + "/dashboard")
    tiles = page.locator("svg.map a")
    assert tiles.count() == 47
    labels = [tiles.nth(i).get_attribute("aria-label") or "" for i in range(47)]
    assert any(label.startswith("北海道 ") for label in labels) and any(
        label.startswith("沖縄県 ") for label in labels
    )
    page.locator("svg.map").scroll_into_view_if_needed()
    page.screenshot(path=str(RESULTS / "oversight-map-phone.png"), full_page=True)
    page.locator('svg.map a[aria-label^="神奈川県 "]').click()
    assert "prefecture=" in page.url
    assert "神奈川県の市区町村別の移行状況" in page.locator("main").inner_text()
    page.get_by_label("市区町村", exact=True).select_option(label="横須賀市")
    page.get_by_role("button", name="表示する").click()
    assert (
        "横須賀市で標準準拠システムへの移行を管理している市区町村×事務 20 件"
        in page.locator("main").inner_text()
    )
    page.screenshot(path=str(RESULTS / "oversight-municipality-phone.png"), full_page=True)
    assert_no_horizontal_scroll(page)


def test_the_dashboard_on_a_desktop_and_a_phone_with_javascript(
    browser: Browser, phone: Page, base_url: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    desktop = context.new_page()
    desktop.goto(base_url + "/dashboard")
    assert desktop.locator("svg.map a").count() == 47
    desktop.screenshot(path=str(RESULTS / "oversight-dashboard-desktop.png"), full_page=True)
    assert_accessible(desktop)
    context.close()
    phone.goto(base_url + "/dashboard?prefecture=%E6%9D%B1%E4%BA%AC%E9%83%BD")
    phone.screenshot(path=str(RESULTS / "oversight-dashboard-phone-js.png"), full_page=True)
    assert_accessible(phone)
    assert_no_horizontal_scroll(phone)
    phone.goto(base_url + "/lang/en?next=/dashboard")
    text = phone.locator("main").inner_text()
    assert "Migration rate by prefecture" in text and "都道府県別" not in text
    phone.screenshot(path=str(RESULTS / "oversight-dashboard-phone-en.png"), full_page=True)
    phone.goto(base_url + "/lang/ja?next=/dashboard")


def test_search_the_inventory_and_see_a_procedures_history(phone_without_js: Page, base_url: str) -> None:
    page = phone_without_js
    page.goto(base_url + "/inventory")
    page.get_by_label("キーワード").fill("道路運送車両法")
    page.get_by_label("オンライン化の状況", exact=True).select_option(label="実施済")
    page.get_by_role("button", name="検索").click()
    assert "online_status=1" in page.url
    first = page.locator("main table tbody th a").first
    name = first.inner_text()
    assert "道路運送車両法" in name
    page.screenshot(path=str(RESULTS / "oversight-inventory-phone.png"), full_page=True)
    assert_no_horizontal_scroll(page)
    first.click()
    assert page.locator("h1").inner_text() == name
    history = page.locator("main table tbody tr").all_inner_texts()
    assert [h.split("\t")[0] for h in history] == ["令和5年度調査", "令和6年度調査", "令和7年度調査"]
    page.screenshot(path=str(RESULTS / "oversight-entry-phone.png"), full_page=True)
    assert_no_horizontal_scroll(page)


def test_pages_are_accessible_in_both_languages(phone: Page, base_url: str) -> None:
    for path in ("/dashboard", "/inventory", "/inventory/100003"):
        phone.goto(base_url + path)
        assert_accessible(phone)
    phone.goto(base_url + "/lang/en?next=/dashboard")
    assert phone.locator("h1").inner_text() == "Policy dashboard"
    assert_accessible(phone)
    phone.goto(base_url + "/lang/ja?next=/dashboard")


def test_the_console_imports_a_survey_year_from_the_form(
    phone_without_js: Page, base_url: str, server_env: dict[str, str], tmp_path: Path
) -> None:
    page = phone_without_js
    log_in_as_staff(page, base_url, staff_account(server_env, "da.oversight"))
    page.get_by_role("link", name="統括・監理").first.click()
    assert page.locator("h1").inner_text() == "統括・監理"
    bad = [dict(r) for r in R7_ROWS]
    bad[1]["総手続件数"] = "2,400,000"
    bad_file = tmp_path / "inventory-bad.csv"
    bad_file.write_bytes(csv_bytes(layouts.R7_COLUMNS, bad))
    page.get_by_label("ファイル", exact=False).first.set_input_files(str(bad_file))
    page.get_by_label("調査年度（西暦、空欄なら様式から）").fill("2019")
    page.get_by_role("button", name="取り込む").click()
    alert = page.get_by_role("alert").first.inner_text()
    assert "4行目" in alert and "桁区切りのカンマ" in alert
    page.screenshot(path=str(RESULTS / "oversight-console-problems-phone.png"), full_page=True)
    good_file = tmp_path / "inventory.csv"
    good_file.write_bytes(csv_bytes(layouts.R7_COLUMNS, R7_ROWS))
    page.get_by_label("ファイル", exact=False).first.set_input_files(str(good_file))
    page.get_by_label("調査年度（西暦、空欄なら様式から）").fill("2019")
    page.get_by_role("button", name="取り込む").click()
    status = page.get_by_role("status").first.inner_text()
    assert "令和元年度調査" in status and "4 件を取り込みました" in status
    assert "府省庁名を一覧の名称にそろえました" in status
    page.screenshot(path=str(RESULTS / "oversight-console-imported-phone.png"), full_page=True)
    assert_no_horizontal_scroll(page)


def test_the_satisfaction_survey_on_a_phone(phone_without_js: Page, phone: Page, base_url: str) -> None:
    """The one-question survey without JavaScript: an answer is required (the form again, the
    comment kept), then thanks; accessible with its error shown."""
    page = phone_without_js
    page.goto(base_url + "/feedback/tenshutsu")
    assert page.locator("h1").inner_text() == "満足度のアンケート"
    page.get_by_label("改善のためのご意見（任意）").fill("郵便番号から住所が出ると助かります")
    page.get_by_role("button", name="送信する").click()
    assert "満足度を5つの中から選んでください。" in page.locator("main").inner_text()
    assert (
        page.get_by_label("改善のためのご意見（任意）").input_value() == "郵便番号から住所が出ると助かります"
    )
    page.screenshot(path=str(RESULTS / "oversight-survey-error-phone.png"), full_page=True)
    page.get_by_label("満足", exact=True).check()
    page.get_by_role("button", name="送信する").click()
    assert page.locator("h1").inner_text() == "ご回答ありがとうございました"
    phone.goto(base_url + "/feedback/tenshutsu")
    assert_accessible(phone)
    phone.get_by_role("button", name="送信する").click()
    assert_accessible(phone)
    assert_no_horizontal_scroll(phone)


#: words in Latin letters a Japanese page may show: names of formats and of the API
ALLOWED_LATIN = {"API", "JSON", "CSV", "ID", "PMO"}  # PMO: the Digital Agency's own name (標準化 PMO ツール)
LABELS = "main h1, main h2, main h3, main th[scope=col], main label, main button, main legend, main caption"


def _japanese_only(page: Page) -> None:
    """No English word, code in Latin letters (a slug) or UTC time in the main part of a Japanese
    page."""
    text = page.locator("main").inner_text()
    words = set(re.findall(r"[A-Za-z][A-Za-z_-]+", text)) - ALLOWED_LATIN
    assert not words, f"{page.url}: English or codes on a Japanese page: {sorted(words)[:20]}"
    assert "UTC" not in text, f"{page.url}: a UTC time"


def _labels_in_english(page: Page, data: tuple[str, ...] = ()) -> None:
    """Every heading, column heading, label and button of an English page is English (the data —
    procedure and law names of the national survey, the address registry's place names given in
    ``data`` — stays as published)."""
    labels = page.locator(LABELS).all_inner_texts()
    for name in data:
        labels = [t.replace(name, "") for t in labels]
    japanese = [t for t in labels if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", t)]
    assert not japanese, f"{page.url}: Japanese labels on an English page: {japanese[:10]}"


def test_a_new_user_finds_our_procedures_linked_to_the_inventory(
    phone_without_js: Page, browser: Browser, base_url: str
) -> None:
    """The demo's first start: a procedure page names its national inventory entry and says how
    it was matched (the article of its legal basis); the entry says it is served here; the
    inventory lists this platform's procedures with their entries — on a phone without
    JavaScript, in Japanese and English, and on a desktop (axe-clean)."""
    page = phone_without_js
    page.goto(base_url + "/procedures/tenshutsu")
    law = page.locator("section[aria-labelledby=law]").inner_text()
    assert "国の行政手続の棚卸データ: 転出届（総務省）" in law
    assert "根拠法令の条項（住民基本台帳法第24条）で対応づけています" in law
    page.screenshot(path=str(RESULTS / "oversight-procedure-linked-phone.png"), full_page=True)
    page.locator("section[aria-labelledby=law]").get_by_role("link", name="転出届").click()
    assert page.locator("h1").inner_text() == "転出届"
    served = page.locator("section[aria-labelledby=served-heading]").inner_text()
    assert "つなぐで申請できます" in served and "根拠法令の条項による（住民基本台帳法第24条）" in served
    page.screenshot(path=str(RESULTS / "oversight-entry-served-phone.png"), full_page=True)
    _japanese_only(page)
    page.goto(base_url + "/inventory?served_only=true")
    links = page.locator("section[aria-labelledby=links-heading]").inner_text()
    assert "転入予約" in links and "根拠法令の条項による" in links
    assert "根拠法令の条項が同じ手続が複数あります" in links  # 要介護・要支援認定: two entries, none claimed
    assert "根拠法令の条項が一致する手続のない、つなぐの手続" in links  # e.g. a municipal ordinance
    assert page.locator("main table tbody .badge").count() >= 10
    page.screenshot(path=str(RESULTS / "oversight-inventory-served-phone.png"), full_page=True)
    _japanese_only(page)
    assert_no_horizontal_scroll(page)
    page.goto(base_url + "/lang/en?next=/inventory%3Fserved_only%3Dtrue")
    assert page.locator("h1").inner_text() == "Inventory of administrative procedures"
    _labels_in_english(page)
    assert "How it was matched" in page.locator("main").inner_text()
    page.screenshot(path=str(RESULTS / "oversight-inventory-served-phone-en.png"), full_page=True)
    page.goto(base_url + "/lang/ja?next=/")
    desktop_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    desktop = desktop_context.new_page()
    desktop.goto(base_url + "/inventory?served_only=true")
    desktop.screenshot(path=str(RESULTS / "oversight-inventory-served-desktop.png"), full_page=True)
    assert_accessible(desktop)
    desktop.goto(base_url + "/procedures/kaigo-nintei")
    assert "根拠法令の条項が同じ手続が 2 件あります" in desktop.locator("main").inner_text()
    assert_accessible(desktop)
    desktop_context.close()


def test_the_pages_in_both_languages_on_a_phone_and_a_desktop(
    browser: Browser, base_url: str, server_env: dict[str, str]
) -> None:
    """The dashboard (with a place filter), the inventory, an entry and the import page, each on a
    phone (390×844) and a desktop, in Japanese (no English, codes or UTC) and English (labels in
    English), axe-clean."""
    pages = (
        ("dashboard", "/dashboard?prefecture=%E7%A5%9E%E5%A5%88%E5%B7%9D%E7%9C%8C"),
        ("inventory", "/inventory?q=%E4%BD%8F%E6%B0%91%E5%9F%BA%E6%9C%AC%E5%8F%B0%E5%B8%B3%E6%B3%95"),
        ("entry", "/inventory/100000"),
        ("console", "/oversight"),
    )
    for device, viewport in (
        ("phone", {"width": 390, "height": 844}),
        ("desktop", {"width": 1280, "height": 900}),
    ):
        context = browser.new_context(viewport=viewport, locale="ja-JP", bypass_csp=True)
        page = context.new_page()
        log_in_as_staff(page, base_url, staff_account(server_env, "da.oversight"))
        for language in ("ja", "en"):
            page.goto(base_url + f"/lang/{language}?next=/")
            for name, path in pages:
                page.goto(base_url + path)
                assert page.locator("h1").count() == 1, path
                if language == "ja":
                    if name != "console":  # the console shows the uploaded file's name as it was
                        _japanese_only(page)
                else:
                    # data published only in Japanese: the registry's place names, the survey's 手続名
                    _labels_in_english(page, ("神奈川県", "転出届"))
                assert_accessible(page)
                if device == "phone":
                    assert_no_horizontal_scroll(page)
                page.screenshot(
                    path=str(RESULTS / f"oversight-walk-{name}-{device}-{language}.png"), full_page=True
                )
        context.close()
