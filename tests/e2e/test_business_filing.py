"""A business files a procedure on the web, end to end: the representative of a demo company (by its
commercial registration) opens the prime account and creates a member granted one procedure; the
member logs in with the one-time code, opens the company's home, files the 法人設立・設置届出書 with
the company's registered data filled in through the mesh and no attachment; a clerk of the city
decides it; the company's お知らせ holds the signed notice (PDF) and its やりとり履歴 shows the look-up.

Screenshots (phone and desktop) are written to ``test-results/business/``.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pyotp
from playwright.sync_api import Browser, Page
from tests.e2e.conftest import PHONE, assert_accessible, assert_no_horizontal_scroll
from tests.e2e.demo import issue_card, log_in_as_staff, staff_account
from tests.e2e.test_business_web import PASSWORD, _apply_and_sign, _representatives, _shot

FILING = "法人設立・設置届出書（横須賀市）"
DESKTOP = {"width": 1280, "height": 900}


def _log_in(page: Page, base_url: str, login_id: str, secret: str, *, ahead: int = 0) -> None:
    """Log in; ``ahead`` seconds picks a later code (each 30-second code is accepted once, and the
    server takes the next one for clock drift)."""
    page.goto(base_url + "/business/login")
    page.get_by_label("ログインID（メールアドレス）").fill(login_id)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_label("ワンタイムコード").fill(pyotp.TOTP(secret).at(time.time() + ahead))
    page.get_by_role("button", name="ログイン").click()
    assert page.locator("h1").inner_text() == "事業者アカウント"


def _secret(page: Page) -> str:
    found = re.search(r"[A-Z2-7]{32}", page.locator("figcaption code").inner_text())
    assert found
    return found.group(0)


def test_a_member_files_with_registry_data_and_the_company_gets_the_signed_notice(
    browser: Browser, base_url: str, server_env: dict[str, str], tmp_path: Path
) -> None:
    company = _representatives(server_env)[5]
    card = issue_card(server_env, company.resident_id, tmp_path)
    prime = browser.new_context(
        viewport=PHONE, java_script_enabled=False, locale="ja-JP", accept_downloads=True
    ).new_page()
    prime_id = f"ceo-{company.corporate_number}@example.jp"
    _apply_and_sign(prime, base_url, server_env, card, tmp_path, company, prime_id, company.name)
    assert prime.locator("h1").inner_text() == "gビズIDプライムのアカウントを作成しました"
    _log_in(prime, base_url, prime_id, _secret(prime))
    member_id = f"office-{company.corporate_number}@example.jp"
    prime.get_by_label("ログインID（メールアドレス）").fill(member_id)
    prime.get_by_label("氏名").fill("総務 次郎")
    prime.get_by_label("初期パスワード").fill(PASSWORD)
    prime.locator("form[action='/business/members']").get_by_label(FILING).check()
    prime.get_by_role("button", name="メンバーを作成").click()
    member_secret = _secret(prime)
    prime.context.close()

    for viewport, name in ((PHONE, "phone"), (DESKTOP, "desktop")):
        # axe needs scripts; the same pages without JavaScript are tested in tests/procedures
        member = browser.new_context(viewport=viewport, locale="ja-JP", accept_downloads=True).new_page()
        _log_in(member, base_url, member_id, member_secret, ahead=30 if name == "desktop" else 0)
        member.get_by_role("navigation", name="メニュー").get_by_role("link", name="事業者のホーム").click()
        assert member.locator("h1").inner_text() == company.corporation
        assert_no_horizontal_scroll(member)
        assert_accessible(member)
        _shot(member, f"5-home-{name}")
        if name == "desktop":
            member.context.close()
            break
        member.get_by_role("link", name=FILING).click()
        heading = member.get_by_role("heading", name="登記されている情報（入力不要）")
        known = member.locator("section", has=heading)
        assert company.corporation in known.inner_text()
        assert "法務省（法務局 商業・法人登記）" in known.inner_text()
        assert member.locator("input[type=file]").count() == 0
        member.get_by_label("事業の目的（主なもの）").fill("各種商品の販売")
        member.get_by_label("事業年度の終了月").fill("3")
        member.get_by_label("担当者の電話番号").fill("046-822-4000")
        assert_no_horizontal_scroll(member)
        assert_accessible(member)
        _shot(member, "6-filing-phone")
        member.get_by_role("button", name="申請する").click()
        receipt = member.locator("dd strong").first.inner_text()
        assert "-142018-" in receipt, member.locator("main").inner_text()
        _shot(member, "7-received-phone")

        clerk = browser.new_context(viewport=DESKTOP, locale="ja-JP").new_page()
        log_in_as_staff(clerk, base_url, staff_account(server_env, "yokosuka.clerk"))
        clerk.goto(base_url + "/staff/applications?status=submitted")
        clerk.get_by_role("link", name=receipt).click()
        assert company.corporation in clerk.locator("main").inner_text()
        clerk.get_by_role("button", name="審査を開始する").click()
        clerk.get_by_role("button", name="承認する").click()
        clerk.get_by_role("button", name="承認を確定する").click()
        assert "承認" in clerk.locator("dl").first.inner_text()
        clerk.context.close()

        member.goto(base_url + "/business/office")
        inbox = member.locator("main").inner_text()
        assert "法人設立・設置届出書の受理について" in inbox and f"{company.corporation} 御中" in inbox
        with member.expect_download() as download:
            member.get_by_role("link", name="通知書（電子署名付きPDF）をダウンロード").click()
        pdf = tmp_path / "notice.pdf"
        download.value.save_as(pdf)
        assert pdf.read_bytes().startswith(b"%PDF")
        _shot(member, "8-notice-phone")
        member.get_by_role("navigation", name="メニュー").get_by_role("link", name="やりとり履歴").click()
        history = member.locator("main").inner_text()
        assert "神奈川県横須賀市" in history and "法務省（法務局 商業・法人登記）" in history
        assert_accessible(member)
        _shot(member, "9-history-phone")
        member.context.close()
