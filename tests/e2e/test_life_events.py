"""子育て on a phone: the resident registers a 公金受取口座 (checked by the test bank) and an e-mail
channel; a clerk registers the baby's birth at the counter; the push-type お知らせ arrives (and its
e-mail reaches a local SMTP server in its own process); one tap opens the 子育てワンストップ,
prefilled with the newborn and the account by bank name, filed once with one confirmation (a
second filing refused, also without JavaScript); the clerk certifies the 児童手当 and runs the
allowance payment, whose 全銀 file pays the registered account once. Screenshots in
tests/e2e/results."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Browser
from tests.e2e.conftest import PHONE, assert_accessible, assert_no_horizontal_scroll
from tests.e2e.demo import CHIYODA, phone_page, resident_of, shot, start_session
from tests.e2e.recorder import Recorder
from tests.notify.conftest import MailHost, mail_host  # noqa: F401 - the fixture, used by name

from tsunagu.core import clock, sessions
from tsunagu.core.database import Database
from tsunagu.core.types.wareki import format_wareki
from tsunagu.procedures.benefits import zengin
from tsunagu.registry.accounts import kana, testbank
from tsunagu.registry.residents import service as residents


def _parent(server_env: dict[str, str], database: Database) -> tuple[residents.ResidentRecord, str]:
    """An adult of Chiyoda no other browser test uses, and their account at the test bank."""
    for index in (8, 9, 10, 12, 13, 4, 0):  # those the other browser tests leave alone
        with database.session() as db:
            person = residents.require_resident(db, resident_of(server_env, CHIYODA, index))
            if date(2026, 11, 1).year - person.birth_date.year >= 25:
                number = f"{7_000_000 + index:07d}"
                testbank.open_account(
                    db,
                    bank_code="0005",
                    branch_code="001",
                    account_type="futsu",
                    account_number=number,
                    holder=kana.holder_of(person.name),
                )
                return person, number
    raise LookupError("no adult resident for the test")


def _cli(server_env: dict[str, str], *args: str, **extra: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tsunagu.cli.main", *args],
        env={**server_env, **extra},
        check=True,
        capture_output=True,
        timeout=300,
        text=True,
    )
    return done.stdout


def test_birth_to_child_allowance_on_a_phone(
    browser: Browser,
    base_url: str,
    server_env: dict[str, str],
    server_database: Database,
    mail_host: MailHost,  # noqa: F811 - the fixture
) -> None:
    parent, number = _parent(server_env, server_database)
    me = phone_page(browser)
    start_session(me, base_url, server_database, sessions.Principal(kind="resident", subject_id=parent.id))

    # 公金受取口座: a typo is named at its field, then the bank confirms the account
    me.goto(base_url + "/registry/me/account")
    me.get_by_label("金融機関コード（4桁）").fill("０００５")
    me.get_by_label("支店コード（3桁）").fill("999")
    me.get_by_label("口座番号（7桁）").fill("12")
    me.get_by_role("button", name="金融機関に確認して登録する").click()
    assert "この金融機関にこの支店コードの支店はありません。" in me.locator("main").inner_text()
    assert_accessible(me)
    me.get_by_label("支店コード（3桁）").fill("001")
    me.get_by_label("口座番号（7桁）").fill(number)
    me.get_by_role("button", name="金融機関に確認して登録する").click()
    main = me.locator("main").inner_text()
    assert "口座を登録しました。" in main and "三菱ＵＦＪ" in main and str(number) not in main
    assert_accessible(me)
    assert_no_horizontal_scroll(me)
    shot(me, "public-money-account-phone")

    # お知らせ by e-mail too
    address = f"parent.{uuid.uuid4().hex[:8]}@example.jp"
    me.goto(base_url + "/notify/preferences")
    me.get_by_label("メール", exact=True).check()
    me.get_by_label("あて先（メールアドレス・携帯電話番号・アプリの受信URL）").fill(address)
    me.get_by_role("button", name="追加する").click()
    assert "確認のメールを送りました" in me.locator("main").inner_text()
    assert_accessible(me)
    shot(me, "notify-preferences-phone")
    smtp = {"TSUNAGU_SMTP_HOST": "127.0.0.1", "TSUNAGU_SMTP_PORT": str(mail_host.port)}
    assert "sent 1" in _cli(server_env, "notify", "deliver", "--once", **smtp)  # the confirmation mail
    (confirmation,) = [m for m in mail_host.messages() if m["To"] == address]
    link = re.search(
        r"http\S+/notify/preferences/confirm\?token=\S+", confirmation.get_payload(decode=True).decode()
    )
    assert link
    me.goto(link.group(0))  # opened from the mail
    me.get_by_role("button", name="確認する").click()
    assert "メールアドレスを確認しました" in me.locator("main").inner_text()
    assert_accessible(me)
    shot(me, "notify-address-confirmed-phone")

    # the clerk registers the birth at the counter (住基)
    clerk = phone_page(browser)
    start_session(
        clerk,
        base_url,
        server_database,
        sessions.Principal(
            kind="staff", subject_id="e2e-birth-clerk", organization_code=CHIYODA, roles=frozenset({"住基"})
        ),
    )
    born = clock.today_jst().date() - timedelta(days=3)
    clerk.goto(f"{base_url}/staff/registry/residents/new/birth?member={parent.id}")
    for name, value in (
        ("family_name", parent.name.family),
        ("given_name", "陽向"),
        ("family_kana", parent.name.family_kana),
        ("given_kana", "ひなた"),
        # a recent birth: a notice whose 児童手当 deadline (15 days) has passed is not sent
        ("birth_date", format_wareki(born)),
    ):
        clerk.locator(f"#{name}").fill(value)
    clerk.locator("#sex").select_option(label="女")
    clerk.get_by_role("button", name="確認する").click()
    clerk.get_by_role("button", name="登録する").click()
    assert "登録しました: 出生" in clerk.locator("main").inner_text()

    # プッシュ型: the rule fires, the お知らせ arrives, and the e-mail carries only a link
    assert "notified 0" not in _cli(server_env, "notify", "push", "--once")  # every adult of the household
    assert "sent 1" in _cli(server_env, "notify", "deliver", "--once", **smtp)
    (mail,) = [
        m
        for m in mail_host.messages()
        if m["To"] == address and "/inbox/" in m.get_payload(decode=True).decode()
    ]
    text = mail.get_payload(decode=True).decode()
    # no personal data: neither the parent's whole name (a one-character 氏 such as 東 may stand in
    # an organization's name) nor the child's
    written = {f"{parent.name.family}{sep}{parent.name.given}" for sep in ("", " ", "　")}
    assert f"{base_url}/inbox/" in text and not any(n in text for n in written) and "陽向" not in text

    # one tap from the お知らせ to the 子育てワンストップ, every tap and character counted
    # (keystroke-level estimate); the parent's phone works without JavaScript
    rec = Recorder(me, phase="procedure")
    me.goto(base_url + "/inbox")
    rec.tap(me.get_by_role("link", name="ご出産おめでとうございます", exact=False).first)
    assert "児童手当は" in me.locator("main").inner_text()
    rec.tap(me.get_by_role("link", name="詳しく見る"))  # the message's link
    assert me.url.endswith("/kosodate")
    known = me.locator("section", has_text="児童手当 認定請求").inner_text()
    assert "陽向" in known and format_wareki(born) in known  # the newborn, from the register
    assert "三菱ＵＦＪ" in known and "本店" in known and "デジタル庁" in known  # the account, by name
    assert me.locator("input[name='account_number'], input[name='child_name.given']").count() == 0
    assert_accessible(me)
    assert_no_horizontal_scroll(me)
    shot(me, "kosodate-bundle-phone")
    rec.accept(me.locator("section", has_text="登録されている情報"))  # read and kept
    rec.choose(me.get_by_label("児童と同居している"))
    rec.choose(me.get_by_label("国民健康保険"))
    rec.type(me.get_by_label("保険者番号"), "131011", name="insurer_number")  # 千代田区 国民健康保険
    nursery = me.locator("section", has_text="保育所等の利用申込")
    rec.choose(nursery.get_by_label("この手続も申請する"))
    rec.choose(me.get_by_label("就労"))
    rec.type(me.get_by_label("利用を希望する日"), "令和9年4月1日", name="start_date")
    rec.type(me.get_by_label("第1希望の施設"), "千代田区立いずみこども園", name="facility_1")
    rec.tap(me.get_by_role("button", name="確認へ進む"))
    review = me.locator("main").inner_text()
    assert "令和9年4月1日" in review and "千代田区立いずみこども園" in review and "国民健康保険" in review
    assert_accessible(me)
    shot(me, "kosodate-bundle-review-phone")
    rec.tap(me.get_by_role("button", name="この内容でまとめて申請する"))
    status = me.locator("main").inner_text()
    assert status.count("受付番号") == 3 and "保育所等の利用申込" in status
    assert_accessible(me)
    shot(me, "kosodate-bundle-submitted-phone")
    rec.save("kosodate")
    receipt = re.search(r"受付番号: (\S+)", me.locator("li", has_text="児童手当 認定請求").inner_text())
    assert receipt

    # opened again later without JavaScript: the filing and its status, not a second form
    bare = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="ja-JP").new_page()
    start_session(bare, base_url, server_database, sessions.Principal(kind="resident", subject_id=parent.id))
    bare.goto(base_url + "/kosodate")
    again = bare.locator("main").inner_text()
    assert "すでに申請されています" in again and receipt.group(1) in again
    assert bare.get_by_role("button", name="確認へ進む").count() == 0
    shot(bare, "kosodate-bundle-filed-nojs-phone")
    bare.get_by_role("link", name="手続ごとの状況を見る").click()
    assert bare.locator("main").inner_text().count("受付番号") == 3

    # the municipality certifies the 児童手当 (審査, 決裁) and pays it with the allowance run
    clerk.context.close()
    desk = phone_page(browser)
    start_session(
        desk,
        base_url,
        server_database,
        sessions.Principal(
            kind="staff",
            subject_id="e2e-kosodate-clerk",
            display_name="子育て支援担当",
            organization_code=CHIYODA,
            roles=frozenset({"審査", "決裁", "管理"}),
        ),
    )
    desk.goto(base_url + "/staff/applications?status=submitted")
    desk.get_by_role("link", name=receipt.group(1)).click()
    desk.get_by_role("button", name="審査を開始する").click()
    while desk.get_by_role("button", name="承認する").count():
        desk.get_by_role("button", name="承認する").click()
        desk.get_by_role("button", name="承認を確定する").click()
    assert "承認" in desk.locator("main").inner_text()
    desk.goto(base_url + "/staff/benefits")
    desk.get_by_role("link", name="児童手当（令和9年2月支払）").click()
    assert "児童手当 認定請求" in desk.locator("main").inner_text()  # who is paid: the certified
    today = clock.today_jst().date()
    desk.locator("#reference_date-3").fill(format_wareki(today))
    payday = date(2027, 2, 15)  # 児童手当 令和9年2月支払 (偶数月に前2か月分)
    desk.locator("#transfer_date-3").fill(format_wareki(payday))
    desk.get_by_role("button", name="振込データを作成する").click()
    assert "第1回の振込データを作成しました" in desk.locator("main").inner_text()
    with desk.expect_download() as download:
        desk.get_by_role("link", name="振込データをダウンロード").click()
    transfers = [r for r in zengin.read(Path(download.value.path()).read_bytes()) if r["record_type"] == "2"]
    mine = [r for r in transfers if r["account_number"] == number]
    assert len(mine) == 1  # paid once, to the registered account
    assert (mine[0]["bank_code"], mine[0]["branch_code"], mine[0]["account_type"]) == ("0005", "001", "1")
    assert mine[0]["payee_name"] == kana.holder_of(parent.name) and mine[0]["amount"] == "0000030000"
    assert_accessible(desk)
    assert_no_horizontal_scroll(desk)
    shot(desk, "kosodate-allowance-paid-staff-phone")

    # the parent is told: お振込みのお知らせ in the inbox, in 和暦
    me.goto(base_url + "/inbox")
    me.get_by_role("link", name="児童手当（令和9年2月支払）をお振込みします").first.click()
    paid = me.locator("main").inner_text()
    assert "令和9年2月15日" in paid and "公金受取口座" in paid and "申請の必要はありません" not in paid
    assert_accessible(me)
    shot(me, "kosodate-allowance-paid-notice-phone")
