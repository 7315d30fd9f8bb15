"""A sole proprietor (個人事業主) on a phone, without JavaScript: a demo resident logs in with the card
(the command-line card app answers the QR login), opens a sole-proprietor account (屋号, 事業所, 業種;
no 法人番号), switches to acting as the business — the header says so — and files the 開業届
(個人事業の開業・廃業等届出書) with 氏名・住所・生年月日 filled from the resident register through the
mesh; a clerk of the tax office decides it; the business's お知らせ holds the signed notice (PDF). A
corporation-only procedure is refused in words. The same pages pass axe-core with scripts on.

Screenshots (phone) are written to ``test-results/sole-proprietor/``.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page
from tests.e2e.conftest import PHONE, assert_accessible, assert_no_horizontal_scroll
from tests.e2e.demo import AUTH_PIN, card_app_url, issue_card, log_in_as_staff, staff_account

SHOTS = Path("test-results") / "sole-proprietor"
YOKOSUKA = "142018"
DESKTOP = {"width": 1280, "height": 900}
KAIGYO = "個人事業の開業・廃業等届出書（税務署）"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _adult_of_yokosuka(server_env: dict[str, str]) -> str:
    """A grown-up of 横須賀市 (the synthetic register has children too), from the front of the kana
    order as the other browser tests' residents are picked (test_apply takes the last ones)."""
    database = server_env["TSUNAGU_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT id FROM residents_people WHERE status = 'resident' AND municipality_code = ? "
            "AND birth_date < '1996-01-01' ORDER BY search_kana, birth_date, id LIMIT 1 OFFSET 1",
            (YOKOSUKA,),
        ).fetchone()
    assert row is not None, "no adult resident of 横須賀市 in the demo seed"
    return str(row[0])


def _card_login(page: Page, base_url: str, server_env: dict[str, str], card: Path) -> None:
    page.goto(base_url + "/identity/login?next=/business/sole-proprietor")
    subprocess.run(
        [
            *(sys.executable, "-m", "tsunagu.cli.main", "card", "login"),
            *(card_app_url(page, base_url), "--card", str(card), "--pin", AUTH_PIN),
        ],
        env=server_env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    page.get_by_role("button", name="ログインを続ける").click()


def _accessible_with_scripts(browser: Browser, page: Page, base_url: str, paths: list[str]) -> None:
    """axe-core needs scripts: the same session's pages, opened again in a phone with JavaScript."""
    checked = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()
    checked.context.add_cookies(page.context.cookies())
    for path in paths:
        checked.goto(base_url + path)
        assert_no_horizontal_scroll(checked)
        assert_accessible(checked)
    checked.context.close()


def test_a_resident_opens_a_sole_proprietorship_files_the_kaigyo_todoke_and_gets_the_notice(
    browser: Browser, base_url: str, server_env: dict[str, str], tmp_path: Path
) -> None:
    card = issue_card(server_env, _adult_of_yokosuka(server_env), tmp_path)
    page = browser.new_context(
        viewport=PHONE, java_script_enabled=False, locale="ja-JP", accept_downloads=True
    ).new_page()
    _card_login(page, base_url, server_env, card)
    assert page.locator("h1").inner_text() == "個人事業主のアカウント"
    assert "法人番号は不要です" in page.locator("main").inner_text()
    _shot(page, "1-open-form-phone")

    # a missing 業種 is marked on the page, the values kept
    page.get_by_label("屋号").fill("みどり雑貨店")
    page.get_by_label("業種").fill("")
    page.get_by_role("button", name="個人事業主のアカウントを開設する").click()
    assert "業種を入力してください" in page.locator("main").inner_text()
    assert page.get_by_label("業種").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("屋号").input_value() == "みどり雑貨店"
    _shot(page, "2-open-error-phone")
    page.get_by_label("業種").fill("小売業（雑貨）")
    page.get_by_role("button", name="個人事業主のアカウントを開設する").click()
    assert "個人事業主のアカウントを開設しました" in page.locator("main").inner_text()
    _shot(page, "3-opened-phone")

    page.get_by_role("button", name="個人事業主として操作する").click()
    assert page.locator("h1").inner_text() == "みどり雑貨店"
    assert page.locator(".who").inner_text() == "個人事業主として操作中：みどり雑貨店"
    assert "法人番号" not in page.locator("main").inner_text()
    _shot(page, "4-office-phone")

    # a corporation-only procedure is refused in words
    page.goto(base_url + "/business/procedures/hojin-setsuritsu-todokede")
    assert "この手続は法人が提出するものです" in page.locator("main").inner_text()
    _shot(page, "5-corporation-only-phone")

    page.goto(base_url + "/business/office")
    page.get_by_role("link", name=KAIGYO).click()
    known = page.locator(
        "section", has=page.get_by_role("heading", name="住民票に登録されている情報（入力不要）")
    )
    assert "横須賀市" in known.inner_text()  # the registered address and name, not typed
    assert page.get_by_label("氏名").count() == 0
    assert page.get_by_label("屋号").input_value() == "みどり雑貨店"  # as declared for the account
    assert (
        page.get_by_label("事業所等の所在地（新増設・移転後）").input_value().startswith("神奈川県横須賀市")
    )
    page.get_by_label("住所地").check()
    page.get_by_label("職業").fill("小売業")
    page.get_by_label("開業", exact=True).check()
    page.get_by_label("事業（農業）所得").check()
    page.get_by_label("開業・廃業等日").fill((date.today() + timedelta(days=60)).isoformat())
    page.get_by_label("事業の概要").fill("雑貨の店舗販売とインターネット販売")
    page.locator("fieldset", has_text="青色申告承認申請書").get_by_label("有").check()
    page.locator("fieldset", has_text="課税事業者選択届出書").get_by_label("無").check()
    page.get_by_label("電話番号").fill("03-3264-2111")
    page.get_by_role("button", name="申請する").click()
    _shot(page, "6-future-day-phone")
    error = page.locator("#e-started_on").inner_text()
    assert "以前の日付を入力してください" in error, error  # a day still to come
    page.get_by_label("開業・廃業等日").fill("2026-11-01")
    assert_no_horizontal_scroll(page)
    _shot(page, "7-filing-phone")
    page.get_by_role("button", name="申請する").click()
    receipt = page.locator("dd strong").first.inner_text()
    assert receipt.count("-") == 2, page.locator("main").inner_text()
    _shot(page, "8-received-phone")

    clerk = browser.new_context(viewport=DESKTOP, locale="ja-JP").new_page()
    log_in_as_staff(clerk, base_url, staff_account(server_env, "kojimachi.reviewer"))
    clerk.goto(base_url + "/staff/applications?status=submitted")
    clerk.get_by_role("link", name=receipt).click()
    decided = clerk.locator("main").inner_text()
    assert "雑貨の店舗販売とインターネット販売" in decided and "みどり雑貨店" in decided
    clerk.get_by_role("button", name="審査を開始する").click()
    clerk.get_by_role("button", name="承認する").click()
    clerk.get_by_role("button", name="承認を確定する").click()
    assert "承認" in clerk.locator("dl").first.inner_text()
    _shot(clerk, "9-clerk-desktop")
    clerk.context.close()

    page.goto(base_url + "/business/office")
    inbox = page.locator("main").inner_text()
    assert "個人事業の開業・廃業等届出書の受理について" in inbox and " 様" in inbox
    with page.expect_download() as download:
        page.get_by_role("link", name="通知書（電子署名付きPDF）をダウンロード").click()
    pdf = tmp_path / "notice.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    _shot(page, "10-notice-phone")
    page.get_by_role("navigation", name="メニュー").get_by_role("link", name="やりとり履歴").click()
    assert "麹町税務署" in page.locator("main").inner_text()
    _shot(page, "11-history-phone")

    _accessible_with_scripts(
        browser,
        page,
        base_url,
        [
            "/business/office",
            "/business/sole-proprietor",
            "/business/history",
            "/business/procedures/kaigyo-todokede",
        ],
    )
    page.get_by_role("navigation", name="メニュー").get_by_role("button", name="個人として操作する").click()
    assert page.locator("h1").inner_text() == "マイページ"
    assert "個人事業主として操作中" not in page.locator("header").inner_text()
    assert "代理申請" not in page.locator("main").inner_text()  # the person is no proxy of their business
    _shot(page, "12-back-to-self-phone")
    _accessible_with_scripts(browser, page, base_url, ["/mypage", "/business/sole-proprietor"])
    page.context.close()
