"""The machine-readability check on a phone without JavaScript, as a town's publishing clerk uses
it before publishing: choose the statistics workbook, send it, read the scores and each violation
with its cell and fix; a text file named .xlsx is refused on the page. Accessible (axe)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page
from tests.catalog.test_readability import municipal, workbook
from tests.e2e.conftest import assert_accessible, assert_no_horizontal_scroll

RESULTS = Path(__file__).parent / "results"


def test_check_a_statistics_workbook_on_a_phone(
    phone_without_js: Page, base_url: str, tmp_path: Path
) -> None:
    page = phone_without_js
    file = tmp_path / "第1表_町丁別人口.xlsx"
    file.write_bytes(workbook(municipal, notes=False))
    page.goto(base_url + "/catalog/check")
    assert page.locator("h1").inner_text() == "機械可読性チェック"
    page.get_by_label("確認するファイル（CSV または .xlsx）").set_input_files(str(file))
    page.get_by_role("button", name="確認する", exact=True).click()
    main = page.locator("main").inner_text()
    assert "結果: 第1表_町丁別人口.xlsx" in main
    assert "セル A3:A4 が結合されています" in main
    assert "セルの結合を解除し、同じ内容を各セルに入力してください。" in main
    scores = page.locator("main table").first.locator("td").all_inner_texts()
    assert scores == ["53", "0", "0"]
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "catalog-check-phone.png"), full_page=True)
    assert_no_horizontal_scroll(page)

    fake = tmp_path / "名簿.xlsx"
    fake.write_text("氏名,年齢\n山田,30\n", encoding="utf-8")
    page.get_by_label("確認するファイル（CSV または .xlsx）").set_input_files(str(fake))
    page.get_by_role("button", name="確認する", exact=True).click()
    alert = page.get_by_role("alert").inner_text()
    assert "Excel ブック (.xlsx) ではありません" in alert
    page.screenshot(path=str(RESULTS / "catalog-check-refused-phone.png"), full_page=True)


def test_the_check_page_is_accessible_in_both_languages(phone: Page, base_url: str, tmp_path: Path) -> None:
    file = tmp_path / "t.xlsx"
    file.write_bytes(workbook(municipal, notes=False))
    phone.goto(base_url + "/catalog/check")
    assert_accessible(phone)
    phone.get_by_label("確認するファイル（CSV または .xlsx）").set_input_files(str(file))
    phone.get_by_role("button", name="確認する", exact=True).click()
    assert_accessible(phone)
    phone.goto(base_url + "/lang/en?next=/catalog/check")
    assert phone.locator("h1").inner_text() == "Machine-readability check"
    assert_accessible(phone)
