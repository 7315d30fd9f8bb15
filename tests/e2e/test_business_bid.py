"""The bid qualification on a phone, as the issue's promise reads: a member of a demo company files
the 競争入札参加資格審査申請 with the company's name and head office filled in from the commercial
registry through the mesh and no 登記事項証明書 (the city checks the registry; the two PDFs it does
ask for — financial statements, 納税証明書 — are attached on the phone); the city's clerk sees the
registry check and the files and reviews it, the section chief decides (決裁); the company's
お知らせ holds the signed result; the
open corporate information then lists the qualification and the company's (synthetic) subsidies.

Screenshots (phone) are written to ``test-results/business/``.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser
from tests.e2e.conftest import PHONE, assert_accessible, assert_no_horizontal_scroll
from tests.e2e.demo import issue_card, log_in_as_staff, staff_account
from tests.e2e.test_business_filing import DESKTOP, _log_in, _secret
from tests.e2e.test_business_web import BIDDING_NAME, PASSWORD, _apply_and_sign, _representatives, _shot

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def test_a_member_files_the_bid_qualification_with_the_registry_checked(
    browser: Browser, base_url: str, server_env: dict[str, str], tmp_path: Path
) -> None:
    company = _representatives(server_env)[7]
    card = issue_card(server_env, company.resident_id, tmp_path)
    prime = browser.new_context(
        viewport=PHONE, java_script_enabled=False, locale="ja-JP", accept_downloads=True
    ).new_page()
    prime_id = f"bid-{company.corporate_number}@example.jp"
    _apply_and_sign(prime, base_url, server_env, card, tmp_path, company, prime_id, company.name)
    _log_in(prime, base_url, prime_id, _secret(prime))
    member_id = f"keiyaku-{company.corporate_number}@example.jp"
    prime.get_by_label("ログインID（メールアドレス）").fill(member_id)
    prime.get_by_label("氏名").fill("契約 三郎")
    prime.get_by_label("初期パスワード").fill(PASSWORD)
    prime.locator("form[action='/business/members']").get_by_label(BIDDING_NAME).check()
    prime.get_by_role("button", name="メンバーを作成").click()
    member_secret = _secret(prime)
    prime.context.close()

    member = browser.new_context(viewport=PHONE, locale="ja-JP", accept_downloads=True).new_page()
    _log_in(member, base_url, member_id, member_secret)
    member.get_by_role("navigation", name="メニュー").get_by_role("link", name="事業者のホーム").click()
    member.get_by_role("link", name=BIDDING_NAME).click()
    known = member.locator(
        "section", has=member.get_by_role("heading", name="登記されている情報（入力不要）")
    )
    assert company.corporation in known.inner_text()
    assert "登記事項証明書の添付は不要です" in known.inner_text()
    assert "法務省（法務局 商業・法人登記）" in known.inner_text()
    statements, certificate = tmp_path / "決算書.pdf", tmp_path / "納税証明書.pdf"
    statements.write_bytes(PDF)
    certificate.write_bytes(PDF)
    member.get_by_label("直前1年の財務諸表（PDF）").set_input_files(str(statements))
    member.get_by_label("納税証明書（その3の3）（PDF）").set_input_files(str(certificate))
    member.get_by_label("物品").check()
    member.get_by_label("常勤職員数").fill("12")
    member.get_by_label("担当者の電話番号").fill("046-822-4000")
    assert_no_horizontal_scroll(member)
    assert_accessible(member)
    _shot(member, "14-bid-form-phone")
    member.get_by_role("button", name="申請する").click()
    receipt = member.locator("dd strong").first.inner_text()
    assert receipt.isdigit() or "-" in receipt, member.locator("main").inner_text()
    assert_no_horizontal_scroll(member)
    _shot(member, "15-bid-received-phone")

    clerk = browser.new_context(viewport=DESKTOP, locale="ja-JP").new_page()
    log_in_as_staff(clerk, base_url, staff_account(server_env, "yokosuka.clerk"))
    clerk.goto(base_url + "/staff/applications?status=submitted")
    clerk.get_by_role("link", name=receipt).click()
    detail = clerk.locator("main").inner_text()
    assert company.corporation in detail and "法務省（法務局 商業・法人登記）" in detail, detail
    assert "決算書.pdf" in detail and "納税証明書.pdf" in detail, detail
    evidence = clerk.locator(".card", has=clerk.get_by_role("heading", name="登記事項証明書", exact=False))
    checked = evidence.inner_text()  # the registry's answer in words, not as data
    assert "資本金の額" in checked and "万円" in checked and "代表者" in checked, checked
    assert "就任" in checked and "{" not in checked and "その他の項目" not in checked, checked
    _shot(clerk, "16-bid-clerk-desktop")
    clerk.get_by_role("button", name="審査を開始する").click()
    # the qualification is decided (決裁) by the section chief: the reviewer may only return or reject
    assert clerk.get_by_role("button", name="承認する").count() == 0
    assert clerk.get_by_role("button", name="差し戻す").count() == 1
    clerk.context.close()
    chief = browser.new_context(viewport=DESKTOP, locale="ja-JP").new_page()
    log_in_as_staff(chief, base_url, staff_account(server_env, "yokosuka.chief"))
    chief.goto(base_url + "/staff/applications?status=under_review")
    chief.get_by_role("link", name=receipt).click()
    chief.get_by_role("button", name="承認する").click()
    chief.get_by_role("button", name="承認を確定する").click()
    assert "承認" in chief.locator("dl").first.inner_text()
    chief.context.close()

    member.goto(base_url + "/business/office")
    inbox = member.locator("main").inner_text()
    assert "競争入札参加資格審査結果通知書" in inbox and f"{company.corporation} 御中" in inbox, inbox
    _shot(member, "17-bid-notice-phone")
    member.context.close()

    public = browser.new_context(viewport=PHONE, locale="ja-JP").new_page()
    public.goto(f"{base_url}/corporate-info/{company.corporate_number}")
    filings = public.locator("section", has=public.get_by_role("heading", name="届出・認定")).inner_text()
    assert "横須賀市 競争入札参加資格（物品・委託）の認定" in filings, filings
    subsidies = public.locator(
        "section", has=public.get_by_role("heading", name="補助金", exact=False)
    ).inner_text()
    assert "出典: 合成データ（デモ用）" in subsidies, subsidies
    assert_no_horizontal_scroll(public)
    assert_accessible(public)
    _shot(public, "18-bid-corporate-info-phone")
    public.context.close()
