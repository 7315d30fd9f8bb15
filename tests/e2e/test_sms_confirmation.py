"""SMS on a phone: a resident adds her mobile number on お知らせの受け取り方; the delivery worker sends
the six-digit code through the test SMS provider; a mistyped code is marked with the tries left and
the value kept, the right one confirms the number. No JavaScript needed. Screenshots in
tests/e2e/results."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid

from playwright.sync_api import Browser
from sqlalchemy import select
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.e2e.demo import phone_page, shot, start_session

from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.notify.models import NotifyTestSms


def test_a_mobile_number_is_confirmed_with_the_code_on_a_phone(
    browser: Browser, base_url: str, server_env: dict[str, str], server_database: Database
) -> None:
    number = f"090{uuid.uuid4().int % 10**8:08d}"
    me = phone_page(browser)
    person = sessions.Principal(kind="resident", subject_id=f"e2e-sms-{number}", display_name="中村 京子")
    start_session(me, base_url, server_database, person)
    me.goto(base_url + "/notify/preferences")
    me.get_by_label("SMS（ショートメッセージ）").check()
    me.locator("#f-address").fill(f"{number[:3]}-{number[3:7]}-{number[7:]}")
    me.get_by_role("button", name="追加する").click()
    assert "確認コードをSMSで送りました" in me.locator("main").inner_text()

    subprocess.run(
        [sys.executable, "-m", "tsunagu.cli.main", "notify", "deliver", "--once"],
        env=server_env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    with server_database.session() as db:
        body = db.scalars(select(NotifyTestSms.body).where(NotifyTestSms.to == "+81" + number[1:])).one()
    code = re.search(r"確認コード (\d{6})", body)
    assert code and "中村" not in body
    wrong = f"{(int(code.group(1)) + 1) % 10**6:06d}"

    me.get_by_label("確認コード（6桁）").fill(wrong)
    me.get_by_role("button", name="確認する").click()
    main = me.locator("main").inner_text()
    assert "確認コードが違います" in main and "あと4回入力できます" in main
    assert me.get_by_label("確認コード（6桁）").input_value() == wrong
    assert_accessible(me)
    assert_no_horizontal_scroll(me)
    shot(me, "sms-code-wrong-phone")

    me.get_by_label("確認コード（6桁）").fill(code.group(1))
    me.get_by_role("button", name="確認する").click()
    assert "携帯電話番号を確認しました" in me.locator("main").inner_text()
    assert "確認待ち" not in me.locator("main").inner_text()
    assert_accessible(me)
    shot(me, "sms-code-confirmed-phone")
