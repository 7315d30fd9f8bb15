"""Conformance in the browser: a municipality's clerk uploads a broken export on a phone without
JavaScript, follows the check to its result (summary first, chart, masked values), and the national
migration overview; both pages accessible (axe) and without sideways scrolling."""

from __future__ import annotations

import zipfile
from pathlib import Path

from playwright.sync_api import Page
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll
from tests.e2e.demo import log_in_as_staff, staff_account

RESULTS = Path(__file__).parent / "results"
BROKEN = Path(__file__).parents[1] / "conformance" / "fixtures" / "nonconforming"


def test_a_clerk_checks_an_export_and_reads_the_result(
    phone_without_js: Page, base_url: str, server_env: dict[str, str], tmp_path: Path
) -> None:
    page = phone_without_js
    log_in_as_staff(page, base_url, staff_account(server_env, "chiyoda.clerk"))
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        for path in sorted(BROKEN.glob("*.csv")):
            handle.write(path, path.name)
    page.goto(base_url + "/conformance")
    assert page.locator("h1").inner_text() == "適合性確認"
    page.get_by_label("システム名").fill("住民記録システム")
    page.get_by_label("バージョン").fill("3.2")
    page.get_by_label("事業者名").fill("つなぎシステムズ")
    page.get_by_label("移行データ（CSV・TSV・JSON Lines・Excel・ZIP）").set_input_files(str(archive))
    page.get_by_role("button", name="確認を始める").click()
    for _ in range(60):  # without JavaScript the page reloads itself (Refresh header) until done
        if "不適合" in page.locator("main").inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    main = page.locator("main").inner_text()
    assert "不適合" in main and "必須の違反: 18" in main and "＊＊＊＊-＊＊-＊＊" in main
    assert main.index("必須の違反") < main.index("規則ごとの指摘") < main.index("指摘の一覧")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "conformance-result-phone.png"), full_page=True)
    assert_no_horizontal_scroll(page)


def test_the_national_migration_overview(phone: Page, base_url: str) -> None:
    phone.goto(base_url + "/conformance/migration")
    assert phone.locator("h1").inner_text() == "標準準拠システムへの移行状況"
    rows = phone.locator("main table").first.locator("tbody tr")
    assert rows.count() == 20
    RESULTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(RESULTS / "conformance-migration-phone.png"), full_page=True)
    assert_accessible(phone)
    assert_no_horizontal_scroll(phone)
    csv_text = phone.request.get(base_url + "/conformance/migration.csv").text()
    assert csv_text.count("\n") > 1700 * 20
