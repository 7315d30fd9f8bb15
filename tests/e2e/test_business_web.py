"""gビズIDプライムを Web で申請する, on a phone with JavaScript off: the representative of a demo
corporation (from the seeded 代表者確認記録) downloads the application, signs it with the
command-line card app and the 署名用 PIN, uploads it and gets the account; logs in with the
one-time code, sees the company by its name, creates a member and grants a procedure picked by
its Japanese name. Someone who is not the representative is refused with the reason.

Screenshots at phone size are written to ``test-results/business/``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, Page
from tests.e2e.conftest import PHONE, assert_accessible, assert_no_horizontal_scroll
from tests.e2e.demo import CHIYODA, SIGN_PIN, issue_card, log_in_as_staff, resident_of, staff_account

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "business"
PASSWORD = "a long demo passphrase"
BIDDING_NAME = "競争入札参加資格審査申請（物品・委託）"


@dataclass(frozen=True)
class Representative:
    corporate_number: str
    corporation: str
    title: str
    name: str
    resident_id: str


def _representatives(server_env: dict[str, str]) -> list[Representative]:
    """What the seed wrote to var/identity/ for demo users."""
    path = Path(server_env["TSUNAGU_DATA_DIR"]) / "identity" / "demo-business-representatives.txt"
    return [Representative(*line.split("\t")) for line in path.read_text(encoding="utf-8").splitlines()[1:]]


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _phone(browser: Browser) -> Page:
    context = browser.new_context(
        viewport=PHONE, java_script_enabled=False, locale="ja-JP", accept_downloads=True
    )
    return context.new_page()


def _apply_and_sign(
    page: Page,
    base_url: str,
    server_env: dict[str, str],
    card: Path,
    tmp_path: Path,
    representative: Representative,
    login_id: str,
    name: str,
) -> None:
    """Steps 1–3 up to pressing 申請する."""
    page.goto(base_url + "/business/login")
    page.get_by_role("link", name="gビズIDプライムを申請する（法人の代表者の方）").click()
    assert page.locator("h1").inner_text() == "gビズIDプライムの申請"
    page.get_by_label("法人番号").fill(representative.corporate_number)
    page.get_by_label("ログインID（メールアドレス）").fill(login_id)
    page.get_by_label("アカウント利用者の氏名").fill(name)
    page.get_by_role("button", name="次へ（申請書の確認）").click()
    assert page.locator("h1").inner_text() == "申請書への署名"
    assert representative.corporation in page.locator("dl").inner_text()
    assert_no_horizontal_scroll(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="申請書をダウンロード").click()
    document = tmp_path / download.value.suggested_filename
    download.value.save_as(document)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tsunagu.cli.main",
            "business",
            "sign-application",
            str(document),
            "--card",
            str(card),
            "--sign-pin",
            SIGN_PIN,
        ],
        env=server_env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    signed = document.with_name(document.stem + ".signed.json")
    page.get_by_label("署名済みの申請書", exact=True).set_input_files(str(signed))
    page.locator("#password").fill(PASSWORD)
    page.get_by_label("パスワード（確認）").fill(PASSWORD)
    page.get_by_role("button", name="申請する").click()


def test_the_representative_applies_on_the_web(
    browser: Browser, base_url: str, server_env: dict[str, str], tmp_path: Path
) -> None:
    representative = _representatives(server_env)[0]
    card = issue_card(server_env, representative.resident_id, tmp_path)
    page = _phone(browser)
    login_id = f"ceo-{representative.corporate_number}@example.jp"
    _apply_and_sign(page, base_url, server_env, card, tmp_path, representative, login_id, representative.name)
    assert page.locator("h1").inner_text() == "gビズIDプライムのアカウントを作成しました", page.content()
    _shot(page, "1-prime-created")
    secret = re.search(r"[A-Z2-7]{32}", page.locator("figcaption code").inner_text())
    assert secret

    page.get_by_role("link", name="ログインする").click()
    page.get_by_label("ログインID（メールアドレス）").fill(login_id)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_label("ワンタイムコード").fill(pyotp.TOTP(secret.group(0)).now())
    page.get_by_role("button", name="ログイン").click()
    assert page.locator("h1").inner_text() == "事業者アカウント"
    assert page.get_by_role("heading", name=representative.corporation).count() == 1

    page.get_by_label("ログインID（メールアドレス）").fill(
        f"clerk-{representative.corporate_number}@example.jp"
    )
    page.get_by_label("氏名").fill("担当 花子")
    page.get_by_label("初期パスワード").fill(PASSWORD)
    page.locator("form[action='/business/members']").get_by_label(BIDDING_NAME).check()
    page.get_by_role("button", name="メンバーを作成").click()
    assert page.locator("h1").inner_text() == "メンバーを作成しました"
    assert BIDDING_NAME in page.locator("main").inner_text()
    page.get_by_role("link", name="事業者アカウントに戻る").click()
    member = page.locator("section", has=page.get_by_role("heading", name="担当 花子"))
    assert member.get_by_label(BIDDING_NAME).is_checked()
    assert "nyusatsu" not in page.locator("main").inner_text()
    assert_no_horizontal_scroll(page)
    _shot(page, "2-dashboard")
    page.context.close()


def test_someone_else_is_refused_with_the_reason(
    browser: Browser, base_url: str, server_env: dict[str, str], tmp_path: Path
) -> None:
    representative = _representatives(server_env)[1]
    impostor = resident_of(server_env, CHIYODA, 7)
    assert impostor not in {r.resident_id for r in _representatives(server_env)}
    card = issue_card(server_env, impostor, tmp_path)
    page = _phone(browser)
    _apply_and_sign(
        page,
        base_url,
        server_env,
        card,
        tmp_path,
        representative,
        f"someone-{representative.corporate_number}@example.jp",
        "誰か",
    )
    assert page.locator("h1").inner_text() == "申請書への署名"
    alert = page.get_by_role("alert").inner_text()
    assert "この法人の代表者として記録されていません" in alert, alert
    assert "代表者ご本人のマイナンバーカードで署名してください" in alert
    _shot(page, "3-refused")
    page.context.close()


def test_the_representative_signs_with_the_card_app_on_the_phone(
    browser: Browser, base_url: str, server_env: dict[str, str], tmp_path: Path
) -> None:
    """With JavaScript (and the content security policy enforced), the card app on the same phone
    signs the application on the page: no file to download or upload."""
    representative = _representatives(server_env)[3]
    card = issue_card(server_env, representative.resident_id, tmp_path)
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="ja-JP")
    page = context.new_page()
    page.goto(base_url + "/business/apply")
    page.get_by_label("法人番号").fill(representative.corporate_number)
    page.get_by_label("ログインID（メールアドレス）").fill(
        f"rep-{representative.corporate_number}@example.jp"
    )
    page.get_by_label("アカウント利用者の氏名").fill(representative.name)
    page.get_by_role("button", name="次へ（申請書の確認）").click()
    page.get_by_label("カードのファイル").set_input_files(str(card))
    page.locator("#card-sign-status", has_text="読み込み済み").wait_for()
    page.get_by_label("署名用電子証明書の暗証番号（英数字6〜16桁）").fill("WRONG99")
    page.get_by_role("button", name="カードで署名").click()
    page.locator("#card-sign-result", has_text="暗証番号が違います").wait_for()
    page.get_by_label("署名用電子証明書の暗証番号（英数字6〜16桁）").fill(SIGN_PIN)
    page.get_by_role("button", name="カードで署名").click()
    page.locator("#card-sign-result", has_text="署名しました").wait_for(timeout=20_000)
    assert_no_horizontal_scroll(page)
    _shot(page, "5-signed-on-the-phone")
    page.locator("#password").fill(PASSWORD)
    page.get_by_label("パスワード（確認）").fill(PASSWORD)
    page.get_by_role("button", name="申請する").click()
    assert page.locator("h1").inner_text() == "gビズIDプライムのアカウントを作成しました", page.content()
    context.close()


@pytest.mark.parametrize("path", ["/business/apply", "/business/login"])
def test_application_pages_are_accessible_on_a_phone(phone: Page, base_url: str, path: str) -> None:
    phone.goto(base_url + path)
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)


def test_the_signing_page_is_accessible_on_a_phone(
    phone: Page, base_url: str, server_env: dict[str, str], tmp_path: Path
) -> None:
    representative = _representatives(server_env)[4]
    phone.goto(base_url + "/business/apply")
    phone.get_by_label("法人番号").fill(representative.corporate_number)
    phone.get_by_label("ログインID（メールアドレス）").fill(
        f"a11y-{representative.corporate_number}@example.jp"
    )
    phone.get_by_label("アカウント利用者の氏名").fill(representative.name)
    phone.get_by_role("button", name="次へ（申請書の確認）").click()
    assert phone.locator("h1").inner_text() == "申請書への署名"
    assert phone.locator("#card-sign-app").is_visible()  # the card app on the page, with JavaScript
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)

    # and the account's pages once applied: the new account, login, the dashboard
    card = issue_card(server_env, representative.resident_id, tmp_path)
    phone.get_by_label("カードのファイル").set_input_files(str(card))
    phone.get_by_label("署名用電子証明書の暗証番号（英数字6〜16桁）").fill(SIGN_PIN)
    phone.get_by_role("button", name="カードで署名").click()
    phone.locator("#card-sign-result", has_text="署名しました").wait_for(timeout=20_000)
    phone.locator("#password").fill(PASSWORD)
    phone.get_by_label("パスワード（確認）").fill(PASSWORD)
    phone.get_by_role("button", name="申請する").click()
    assert_accessible(phone)
    secret = phone.locator("figcaption code").inner_text()
    phone.get_by_role("link", name="ログインする").click()
    phone.get_by_label("ログインID（メールアドレス）").fill(
        f"a11y-{representative.corporate_number}@example.jp"
    )
    phone.get_by_label("パスワード").fill(PASSWORD)
    phone.get_by_label("ワンタイムコード").fill(pyotp.TOTP(secret).now())
    phone.get_by_role("button", name="ログイン").click()
    assert phone.locator("h1").inner_text() == "事業者アカウント"
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)


def test_the_operator_keeps_the_representative_records(
    phone: Page, base_url: str, server_env: dict[str, str]
) -> None:
    """デジタル庁's administrator sees a demo company's representative as its 登記 records it."""
    representative = _representatives(server_env)[2]
    log_in_as_staff(phone, base_url, staff_account(server_env, "da.admin"))
    phone.goto(f"{base_url}/business/representatives")
    phone.get_by_label("法人番号").fill(representative.corporate_number)
    phone.get_by_role("button", name="表示する").click()
    assert phone.get_by_role("heading", name=representative.corporation).count() == 1
    record = phone.get_by_role("heading", name=f"{representative.title} {representative.name}")
    assert record.count() == 1
    assert "商業・法人登記（登記記録）" in phone.locator("main").inner_text()
    assert_no_horizontal_scroll(phone)
    assert_accessible(phone)
    _shot(phone, "4-representatives")
