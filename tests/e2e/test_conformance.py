"""Conformance in the browser: a municipality's clerk uploads a broken export on a phone without
JavaScript (a wrong file first: the field is marked, the values kept), follows the check to its
result (summary first, chart, masked values, findings by file and row), downloads the HTML report and
reads it; and the national migration overview; pages accessible (axe), without sideways scrolling."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from playwright.sync_api import Page
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll, assert_tables_read_on_a_phone
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
    # first a wrong file and no version: the page says so at each field and keeps what was typed
    wrong = tmp_path / "export.pdf"
    wrong.write_bytes(b"%PDF-1.4")
    page.get_by_label("システム名").fill("住民記録システム")
    page.get_by_label("事業者名").fill("つなぎシステムズ")
    page.get_by_label("移行データ（CSV・TSV・JSON Lines・Excel・ZIP）").set_input_files(str(wrong))
    page.get_by_role("button", name="確認を始める").click()
    assert page.get_by_label("バージョン").get_attribute("aria-invalid") == "true"
    upload = page.get_by_label("移行データ（CSV・TSV・JSON Lines・Excel・ZIP）")
    assert upload.get_attribute("aria-invalid") == "true"
    assert "のいずれかを選んでください" in page.locator("#e-file").inner_text()
    assert page.get_by_label("システム名").input_value() == "住民記録システム"
    border = page.get_by_label("バージョン").evaluate("e => getComputedStyle(e).borderTopColor")
    assert border != page.get_by_label("システム名").evaluate("e => getComputedStyle(e).borderTopColor")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "conformance-upload-error-phone.png"), full_page=True)
    page.get_by_label("バージョン").fill("3.2")
    upload.set_input_files(str(archive))
    page.get_by_role("button", name="確認を始める").click()
    page.screenshot(path=str(RESULTS / "conformance-progress-phone.png"), full_page=True)
    for _ in range(60):  # without JavaScript the page reloads itself (Refresh header) until done
        if "不適合" in page.locator("main").inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    main = page.locator("main").inner_text()
    assert "不適合" in main and "必須の違反: 18" in main and "＊＊＊＊-＊＊-＊＊" in main
    assert main.index("必須の違反") < main.index("規則ごとの指摘") < main.index("指摘の一覧")
    assert "MUST" not in main and "SHOULD" not in main and "UTC" not in main
    rows = [int(r) for r in re.findall(r"persons\.csv · (\d+) 行目", main)]
    assert rows == sorted(rows)  # the findings of a file in the order of its rows
    page.screenshot(path=str(RESULTS / "conformance-result-phone.png"), full_page=True)
    assert_no_horizontal_scroll(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="報告書（HTML）").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("conformance-report-") and saved.suffix == ".html"
    page.goto(saved.as_uri())
    report = page.locator("body").inner_text()
    assert "不適合" in report and "住民記録システム 3.2（つなぎシステムズ）" in report
    assert re.search(r"確認日時.*令和\d+年\d+月\d+日 \d\d:\d\d\(日本時間\)", report)
    assert report.index("概要") < report.index("規則ごとの指摘") < report.index("指摘の一覧")
    assert "世帯主の宛名番号・世帯番号" in report and "export.zip › persons.csv" in report
    page.screenshot(path=str(RESULTS / "conformance-report-phone.png"), full_page=True)


def test_the_national_migration_overview(phone: Page, base_url: str) -> None:
    phone.goto(base_url + "/conformance/migration")
    assert phone.locator("h1").inner_text() == "標準準拠システムへの移行状況"
    rows = phone.locator("main table").first.locator("tbody tr")
    assert rows.count() == 20
    RESULTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(RESULTS / "conformance-migration-phone.png"), full_page=True)
    assert_accessible(phone)
    assert_no_horizontal_scroll(phone)
    assert_tables_read_on_a_phone(phone)
    csv_text = phone.request.get(base_url + "/conformance/migration.csv").text()
    assert csv_text.count("\n") > 1700 * 20


def test_the_upload_page_with_its_errors_is_accessible(
    phone: Page, base_url: str, server_env: dict[str, str]
) -> None:
    log_in_as_staff(phone, base_url, staff_account(server_env, "chiyoda.clerk"))
    phone.goto(base_url + "/conformance")
    phone.get_by_role("button", name="確認を始める").click()
    assert phone.locator("#e-file").inner_text() == "確認するファイルを選んでください。"
    assert_accessible(phone)
    assert_no_horizontal_scroll(phone)
