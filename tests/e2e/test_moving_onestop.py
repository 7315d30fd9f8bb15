"""The whole demo on a phone: a resident finds the moving one-stop from the top page, logs in with
the virtual card (the mobile card page and the PIN), moves from 千代田区 to 横須賀市 with consent to
tell つなぐ電力, and submits; staff of both municipalities log in (password + TOTP) and approve;
the resident reads and verifies the signed notices in お知らせ and sees the exchanges in やりとり履歴.

Every tap and typed character of the resident is recorded (``tests/e2e/recorder.py``) into
``tests/e2e/results/moving_onestop_actions.json`` for ``benchmarks/procedures_keystrokes.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.e2e.demo import (
    AUTH_PIN,
    CHIYODA,
    YOKOSUKA,
    issue_card,
    log_in_as_staff,
    phone_page,
    resident_of,
    staff_account,
)
from tests.e2e.recorder import Recorder

from tsunagu.core import clock
from tsunagu.procedures.onestop.service import CONSENT_STATUS_NAMES

DESTINATION = "神奈川県横須賀市小川町11"
PHONE_NUMBER = "090-1234-5678"
MAX_TYPED_FIELDS = 3  # issue #6: a resident whose data are in the registries types at most 3 fields


@dataclass(frozen=True)
class Receipts:
    moving_out: str
    moving_in: str


def _check(page: Page, heading: str) -> None:
    assert page.locator("h1").inner_text() == heading, page.url
    assert_no_horizontal_scroll(page)
    assert_accessible(page)


def _find_the_one_stop(rec: Recorder) -> None:
    page = rec.page
    _check(page, "手続を、一度で、スマートフォンから。")
    rec.tap(page.get_by_role("link", name="引越し", exact=True))
    _check(page, "手続をさがす")
    rec.tap(page.get_by_role("link", name="転出届", exact=True))
    _check(page, "転出届")
    rec.tap(page.get_by_role("link", name="転出・転入・電気などの手続をまとめて行う（引越しワンストップ）"))
    _check(page, "ログインが必要です")


def _log_in_with_the_card(rec: Recorder, card: Path) -> None:
    """The login page → 'open the card app on this phone' → card and PIN → back → continue."""
    page = rec.in_phase("login").page
    rec.tap(page.get_by_role("link", name="マイナンバーカードでログイン"))
    _check(page, "ログイン")
    rec.tap(page.get_by_text("QRコードを読み取れない場合"))
    rec.tap(page.get_by_role("link", name="この端末のカードアプリで開く"))
    _check(page, "カードアプリ")
    rec.upload(page.locator("#card-file"), card)
    page.locator("#card-status", has_text="読み込み済み").wait_for()
    rec.type(page.get_by_label("利用者証明用暗証番号（数字4桁）"), AUTH_PIN, name="pin")
    rec.tap(page.get_by_role("button", name="カードで署名して送信"))
    page.locator("#card-result", has_text="送信しました").wait_for(timeout=20_000)
    rec.back()
    rec.tap(page.get_by_role("button", name="ログインを続ける"))
    _check(page, "引越しワンストップ")


def _move(rec: Recorder) -> Receipts:
    page = rec.in_phase("procedure").page
    moving = clock.today_jst().date() + timedelta(days=7)
    rec.type(page.get_by_label("転出先の住所"), DESTINATION, name="destination_address")
    rec.pick_date(page.get_by_label("引越し予定日"), moving.isoformat())
    rec.pick_date(page.get_by_label("転入先への来庁希望日"), (moving + timedelta(days=1)).isoformat())
    rec.type(page.get_by_label("日中の連絡先電話番号"), PHONE_NUMBER, name="phone")
    rec.accept(page.get_by_label("世帯全員"))
    rec.choose(page.get_by_label("つなぐ電力"))
    rec.tap(page.get_by_role("button", name="まとめて届け出る"))
    _check(page, "引越しワンストップ")
    parts = {
        name: page.locator("li.card", has=page.get_by_role("heading", name=name, exact=True)).inner_text()
        for name in ("転出届", "転入予約", "つなぐ電力")
    }
    assert "受付済み" in parts["転出届"] and "受付済み" in parts["転入予約"], parts
    consent = parts["つなぐ電力"]  # queued for the mesh's push delivery, or already delivered
    assert any(name in consent for state, name in CONSENT_STATUS_NAMES.items() if state != "failed"), parts
    receipts = {name: re.search(r"\d{4}-\d{6}-\d{6}", text) for name, text in parts.items()}
    out, into = receipts["転出届"], receipts["転入予約"]
    assert out and f"-{CHIYODA}-" in out[0] and into and f"-{YOKOSUKA}-" in into[0], parts
    return Receipts(out[0], into[0])


def _approve(page: Page, base_url: str, receipt: str) -> None:
    _check(page, "職員コンソール")
    page.goto(base_url + "/staff/applications?status=submitted")
    assert_accessible(page)
    page.get_by_role("link", name=receipt).click()
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    page.get_by_role("button", name="審査を開始する").click()
    assert "審査中" in page.locator("dl").first.inner_text()
    page.get_by_role("button", name="承認する").click()
    assert "承認" in page.locator("dl").first.inner_text()


def _read_the_notices(page: Page, base_url: str, receipts: Receipts) -> None:
    page.goto(base_url + "/inbox")
    _check(page, "お知らせ")
    titles = page.locator("main .cards h2").all_inner_texts()
    assert any("転出届の受理について" in t for t in titles), titles
    assert any("転入予約の受付について" in t for t in titles), titles
    page.get_by_role("link", name=re.compile("転入予約の受付について")).click()
    assert receipts.moving_in in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="この文書を検証する").click()
    assert "有効な文書です" in page.locator("main").inner_text()
    assert_accessible(page)


def _see_the_exchanges(page: Page, base_url: str) -> None:
    page.goto(base_url + "/mesh/history")
    _check(page, "やりとり履歴")
    exchanges = page.locator("main .cards").inner_text()
    assert "横須賀市" in exchanges and "千代田区" in exchanges, exchanges  # 転出証明書情報 in advance
    assert "つなぐ電力" in exchanges, exchanges  # the consented moving notice


def _withdraw_the_consent(page: Page) -> None:
    """同意の管理: the consent given in the one-stop is listed and taken back without JavaScript."""
    page.get_by_role("link", name="同意の管理").click()
    _check(page, "同意の管理")
    card = page.locator("main .card").filter(has_text="つなぐ電力")
    with page.expect_navigation():
        card.get_by_role("button", name="同意を撤回する").click()
    assert "同意を撤回しました" in page.locator("main").inner_text()
    assert "撤回済み" in page.locator("main .card").filter(has_text="つなぐ電力").inner_text()
    assert_accessible(page)


@pytest.fixture(scope="module")
def card(server_env: dict[str, str], base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return issue_card(server_env, resident_of(server_env, CHIYODA, 0), tmp_path_factory.mktemp("card"))


def test_moving_one_stop_on_a_phone_from_the_top_page_to_the_exchange_history(
    browser: Browser, base_url: str, server_env: dict[str, str], card: Path
) -> None:
    resident = Recorder(phone_page(browser), phase="find")
    resident.page.goto(base_url + "/")
    _find_the_one_stop(resident)
    _log_in_with_the_card(resident, card)
    receipts = _move(resident)
    resident.save("moving_onestop")
    assert len(resident.phases["procedure"].typed_fields) <= MAX_TYPED_FIELDS

    for login, receipt in (("chiyoda.clerk", receipts.moving_out), ("yokosuka.clerk", receipts.moving_in)):
        staff = phone_page(browser)
        log_in_as_staff(staff, base_url, staff_account(server_env, login))
        _approve(staff, base_url, receipt)
        staff.context.close()

    _read_the_notices(resident.page, base_url, receipts)
    _see_the_exchanges(resident.page, base_url)
    _withdraw_the_consent(resident.page)
    resident.page.context.close()
