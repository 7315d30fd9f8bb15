"""給付金の支給 on a clerk's desktop: 横須賀市's run from 対象者の確認 to the 全銀 file and a return
list, in Chromium against the demo server; pressing 作成 again pays nobody twice."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page
from tests.e2e.conftest import assert_accessible
from tests.e2e.demo import shot

from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.procedures.benefits import zengin

from .demo import start_session

YOKOSUKA = "142018"
RUN = "/staff/benefits/yokosuka-2026-bukka"


def _desktop(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ja-JP", bypass_csp=True)
    return context.new_page()


def test_a_clerk_pays_a_benefit_run_once(browser: Browser, base_url: str, server_database: Database) -> None:
    clerk = _desktop(browser)
    start_session(
        clerk,
        base_url,
        server_database,
        sessions.Principal(
            kind="staff",
            subject_id="e2e-benefits-clerk",
            display_name="給付担当",
            organization_code=YOKOSUKA,
            roles=frozenset({"管理"}),
        ),
    )
    clerk.goto(base_url + "/staff/benefits")
    clerk.get_by_role("link", name="物価高騰対応給付金（令和8年度）").click()
    rule = clerk.locator("main").inner_text()
    assert "基準日の年齢が次以上: 18" in rule and "住所地の市区町村が次である: 神奈川県横須賀市" in rule

    clerk.locator("#reference_date-1").fill("令和8年11月1日")
    clerk.get_by_role("button", name="対象者数を確認する").click()
    checked = clerk.locator("main").inner_text()
    eligible = re.search(r"対象 ([\d,]+)人", checked)
    assert eligible and int(eligible.group(1).replace(",", "")) > 0

    clerk.locator("#reference_date-3").fill("2026-11-01")
    clerk.locator("#transfer_date-3").fill("2026-11-01")  # not in the future: named at its field
    clerk.get_by_role("button", name="振込データを作成する").click()
    assert "振込指定日は明日以降の日付を入力してください。" in clerk.locator("main").inner_text()
    assert clerk.locator("#transfer_date-3").get_attribute("aria-invalid") == "true"
    clerk.locator("#transfer_date-3").fill("令和9年1月15日")
    clerk.get_by_role("button", name="振込データを作成する").click()
    made = clerk.locator("main").inner_text()
    assert "第1回の振込データを作成しました" in made
    with clerk.expect_download() as download:
        clerk.get_by_role("link", name="振込データをダウンロード").click()
    records = list(zengin.read(Path(download.value.path()).read_bytes()))
    assert records[0]["record_type"] == "1" and records[-1]["record_type"] == "9"
    assert_accessible(clerk)
    shot(clerk, "benefits-run-desktop")

    clerk.locator("#reference_date-3").fill("2026-11-01")
    clerk.locator("#transfer_date-3").fill("令和9年1月15日")
    clerk.get_by_role("button", name="振込データを作成する").click()
    again = clerk.locator("main").inner_text()
    assert "第2回の振込データを作成しました" in again and "振込 0件 0円" in again
