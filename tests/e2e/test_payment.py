"""A fee through the local test payment provider, on a phone: a failed payment, a retry that is
paid, then staff reject the request and the fee is refunded — the status visible at each step."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from tests.e2e.conftest import assert_accessible
from tests.e2e.demo import CHIYODA, phone_page, resident_of, start_session

from tsunagu.core import sessions
from tsunagu.core.database import Database


def _fee(page: Page) -> str:
    return page.locator("#payment").locator("..").inner_text()


def _checkout(page: Page, choice: str) -> None:
    with page.expect_navigation(url="**/test-provider/**"):
        page.get_by_role("button", name="手数料を支払う").click()
    assert page.locator("h1").inner_text() == "テスト決済"
    assert "300 円" in page.locator("main").inner_text()
    assert_accessible(page)
    with page.expect_navigation(url="**/applications/**"):
        page.get_by_role("button", name=choice).click()


def test_fail_retry_pay_and_refund(
    browser: Browser, base_url: str, server_env: dict[str, str], server_database: Database
) -> None:
    resident = phone_page(browser)
    person = sessions.Principal(kind="resident", subject_id=resident_of(server_env, CHIYODA, 2))
    start_session(resident, base_url, server_database, person)
    resident.goto(base_url + "/procedures/juminhyo-utsushi/apply")
    resident.get_by_label("本人のみ").check()
    resident.get_by_label("通数").fill("1")
    resident.get_by_label("各種手続").check()
    resident.get_by_role("button", name="確認へ進む").click()
    resident.get_by_role("button", name="この内容で送信する").click()
    assert "申請を受け付けました。" in resident.locator("main").inner_text()
    receipt = resident.locator("dd strong").first.inner_text()
    assert "未払い" in _fee(resident)
    assert_accessible(resident)

    _checkout(resident, "支払いに失敗させる")
    assert "お支払いできませんでした" in _fee(resident)
    assert_accessible(resident)
    _checkout(resident, "支払う")
    assert "お支払い済み" in _fee(resident)
    expect(resident.get_by_role("button", name="手数料を支払う")).to_have_count(0)

    staff = phone_page(browser)
    clerk = sessions.Principal(
        kind="staff",
        subject_id="e2e-payment-clerk",
        organization_code=CHIYODA,
        roles=frozenset({"住基", "審査"}),
    )
    start_session(staff, base_url, server_database, clerk)
    staff.goto(base_url + "/staff/applications?status=submitted")
    staff.get_by_role("link", name=receipt).click()
    assert "お支払い済み" in _fee(staff)
    staff.get_by_role("button", name="審査を開始する").click()
    staff.get_by_label("理由（却下・差戻しのときは必須）").fill("本人確認のため窓口での請求をお願いします。")
    staff.get_by_role("button", name="却下する").click()
    staff.get_by_role("button", name="却下を確定する").click()
    assert "却下" in staff.locator("dl").first.inner_text()
    assert_accessible(staff)

    # the refund is asked of the provider after the decision's response; the page shows each state
    resident.reload()
    expect(resident.locator("#payment").locator("..")).to_contain_text("返金", timeout=5_000)
    for _ in range(20):
        if "返金済み" in _fee(resident):
            break
        resident.wait_for_timeout(250)
        resident.reload()
    assert "返金済み" in _fee(resident)
    assert "却下" in resident.locator("main").inner_text()
    assert_accessible(resident)
    staff.context.close()
    resident.context.close()
