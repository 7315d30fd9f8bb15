"""法人設立ワンストップ on a phone with JavaScript off: the representative of a demo company opens the
prime account, logs in and files every post-registration notification from one form — the
registered data come through the mesh, each question is asked once; a missing answer is marked and
the others kept; then each office's part is shown with its own status and receipt number.

Screenshots at phone size are written to ``test-results/business/``.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser
from tests.e2e.conftest import PHONE, assert_accessible, assert_no_horizontal_scroll
from tests.e2e.demo import issue_card
from tests.e2e.test_business_filing import _log_in, _secret
from tests.e2e.test_business_web import _apply_and_sign, _representatives, _shot

JST = ZoneInfo("Asia/Tokyo")
PARTS = (
    "法人設立届出書（税務署）",
    "法人設立・設置届出書（東京都）",
    "法人設立・設置届出書（横須賀市）",
    "健康保険・厚生年金保険 新規適用届",
    "労働保険 保険関係成立届",
)


def test_the_company_set_up_one_stop_files_to_every_office_at_once(
    browser: Browser, base_url: str, server_env: dict[str, str], tmp_path: Path
) -> None:
    company = _representatives(server_env)[6]
    card = issue_card(server_env, company.resident_id, tmp_path)
    page = browser.new_context(
        viewport=PHONE, java_script_enabled=False, locale="ja-JP", accept_downloads=True
    ).new_page()
    prime_id = f"setup-{company.corporate_number}@example.jp"
    _apply_and_sign(page, base_url, server_env, card, tmp_path, company, prime_id, company.name)
    secret = _secret(page)
    _log_in(page, base_url, prime_id, secret)
    page.get_by_role("navigation", name="メニュー").get_by_role("link", name="事業者のホーム").click()
    page.get_by_role("link", name="法人設立ワンストップ（設立後の届出をまとめて提出）").click()
    assert page.locator("h1").inner_text() == "法人設立ワンストップ"
    where = page.locator("section", has=page.get_by_role("heading", name="提出する届出と提出先")).inner_text()
    assert all(name in where for name in PARTS)
    assert company.corporation in page.locator("dl").inner_text()
    assert page.locator("input[type=file]").count() == 0
    assert page.get_by_label("事業の目的（主なもの）").count() == 1  # asked once for all five
    page.get_by_label("事業の目的（主なもの）").fill("各種商品の販売")
    page.get_by_label("事業年度の終了月").fill("3")
    page.get_by_label("担当者の電話番号").fill("046-822-4000")
    assert_no_horizontal_scroll(page)
    _shot(page, "10-setup-form-phone")
    page.get_by_role("button", name="すべての届出を提出する").click()
    assert "入力内容を確認してください。" in page.locator("main").inner_text()
    assert page.get_by_label("事業の目的（主なもの）").input_value() == "各種商品の販売"
    _shot(page, "11-setup-errors-phone")
    today = datetime.now(JST).date().isoformat()
    for label, value in (
        ("適用年月日（従業員を使用した日）", today),
        ("被保険者の数（役員を含む）", "3"),
        ("給与の締日", "25"),
        ("保険関係成立年月日（労働者を雇った日）", today),
        ("常時使用労働者数", "2"),
    ):
        page.get_by_label(label).fill(value)
    page.get_by_label("卸売業・小売業").check()
    page.get_by_role("button", name="すべての届出を提出する").click()
    main = page.locator("main").inner_text()
    assert page.locator("h1").inner_text() == "法人設立ワンストップの提出状況", main
    assert main.count("受付済み") == 5 and "提出されていません" not in main
    assert "麹町税務署" in main and "日本年金機構" in main and "横須賀市" in main
    assert_no_horizontal_scroll(page)
    _shot(page, "12-setup-filed-phone")
    status_url = page.get_by_role("link", name="この提出状況を開き直す").get_attribute("href")
    page.context.close()

    scripted = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()  # axe needs scripts
    _log_in(scripted, base_url, prime_id, secret, ahead=30)
    scripted.goto(base_url + str(status_url))
    assert scripted.locator("main").inner_text().count("受付済み") == 5
    assert_accessible(scripted)
    scripted.goto(base_url + "/business/company-setup")
    assert_accessible(scripted)
    scripted.context.close()


def test_the_open_corporate_information_pages_on_a_phone(
    browser: Browser, base_url: str, server_env: dict[str, str]
) -> None:
    """法人活動情報 for anyone: search by name, a company's page with its 登記 in words (資本金 in 万円)."""
    company = _representatives(server_env)[6]
    page = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()
    page.goto(base_url + "/corporate-info")
    assert page.locator("h1").inner_text() == "法人活動情報"
    page.get_by_label("商号又は名称").fill(company.corporation)
    page.get_by_role("button", name="検索").click()
    assert_accessible(page)
    page.get_by_role("link", name=company.corporation).first.click()
    assert page.locator("h1").inner_text() == company.corporation
    basic = page.locator("section", has=page.get_by_role("heading", name="基本情報")).inner_text()
    assert company.corporate_number in basic and company.title in basic
    assert re.search(r"資本金\s*[0-9,]+万円", basic), basic  # the seed's capitals are whole 万円
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    _shot(page, "13-corporate-info-phone")
    page.context.close()
