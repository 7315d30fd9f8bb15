"""補正 on a phone: staff return an application naming the field to correct, the resident reads
the reason, corrects only that field, reviews and resubmits; after approval the notice's PDF
downloads from the status page. Every page checked with axe (WCAG 2.1 AA)."""

from __future__ import annotations

from playwright.sync_api import Browser
from tests.e2e.conftest import PHONE, assert_accessible, assert_no_horizontal_scroll
from tests.e2e.test_apply import CHIYODA, _apply, _log_in, _people

from tsunagu.core import sessions
from tsunagu.core.database import Database

STAFF = sessions.Principal(
    kind="staff", subject_id="e2e-corrector", organization_code=CHIYODA, roles=frozenset({"審査", "住基"})
)


def test_staff_return_and_the_resident_resubmits_on_a_phone(
    browser: Browser,
    base_url: str,
    server_database: Database,
) -> None:
    resident = browser.new_context(viewport=PHONE, bypass_csp=True, locale="ja-JP").new_page()
    person = sessions.Principal(kind="resident", subject_id=_people(server_database, 5)[0])
    _log_in(resident, base_url, server_database, person)
    receipt = _apply(resident, base_url, check=False)
    status_url = resident.url.split("?")[0]

    staff = browser.new_context(viewport=PHONE, bypass_csp=True, locale="ja-JP").new_page()
    _log_in(staff, base_url, server_database, STAFF)
    staff.goto(base_url + "/staff/applications?status=submitted")
    staff.get_by_role("link", name=receipt).click()
    staff.get_by_role("button", name="審査を開始する").click()
    staff.get_by_label("理由（却下・差戻しのときは必須）").fill("電話番号がつながりませんでした。")
    staff.get_by_label("日中の連絡先電話番号").check()
    assert_accessible(staff)
    staff.get_by_role("button", name="差し戻す").click()
    staff.get_by_role("button", name="差戻しを確定する").click()
    assert "差戻し" in staff.locator("dl").first.inner_text()

    resident.goto(status_url)
    main = resident.locator("main").inner_text()
    assert "修正をお願いします" in main and "電話番号がつながりませんでした。" in main
    assert_no_horizontal_scroll(resident)
    assert_accessible(resident)
    resident.get_by_role("link", name="修正して再提出").click()
    assert resident.locator("h1").inner_text() == "申請の修正"
    assert resident.get_by_label("転出先の住所").count() == 0  # only the flagged field is asked
    assert_accessible(resident)
    resident.get_by_label("日中の連絡先電話番号").fill("03-1234-5678")
    resident.get_by_role("button", name="確認へ進む").click()
    assert resident.locator("h1").inner_text() == "修正内容の確認"
    assert "0312345678" in resident.locator("main").inner_text()
    assert_accessible(resident)
    resident.get_by_role("button", name="この内容で再提出する").click()
    assert "受付済み" in resident.locator("dl").first.inner_text()
    assert resident.get_by_role("link", name="修正して再提出").count() == 0

    staff.goto(base_url + "/staff/applications?status=submitted")
    staff.get_by_role("link", name=receipt).click()
    staff.get_by_role("button", name="審査を開始する").click()
    staff.get_by_role("button", name="承認する").click()
    staff.get_by_role("button", name="承認を確定する").click()

    resident.goto(status_url)
    link = resident.get_by_role("link", name="PDF をダウンロード").first
    assert_accessible(resident)
    download = resident.request.get(base_url + (link.get_attribute("href") or ""))
    assert download.status == 200 and download.headers["content-type"] == "application/pdf"
    assert download.body().startswith(b"%PDF-")
