"""Machine-readability check (機械可読性チェック) on files in the layouts public data really comes
in: a municipal statistics table with a title row, a merged header, notes under it, 和暦 dates;
a Shift_JIS CSV export; a tidy file. Each rule's violations are expected at the cells where the
fixture breaks it, and the level scores as the Digital Agency's published scoring defines them
(their sample checker is not on a package registry, so the comparison is with the definition)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
import xlsxwriter

from tsunagu.catalog.readability import reading
from tsunagu.catalog.readability.checker import Report, check_file
from tsunagu.catalog.readability.rules import level_score, rules


def workbook(build: Callable[[Any, Any], None], *, notes: bool = True) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    build(book, book.add_worksheet("データ"))
    if notes:
        sheet = book.add_worksheet("定義")
        sheet.write("A1", "出典：住民基本台帳。更新履歴：2024-01-01 作成。")
    book.close()
    return buffer.getvalue()


def found(report: Report) -> dict[str, set[str]]:
    cells: dict[str, set[str]] = {}
    for violation in report.violations:
        cells.setdefault(violation.rule.id, set()).add(violation.cell)
    return cells


def municipal(book: Any, sheet: Any) -> None:
    """第１表 町丁別世帯数及び人口 as towns publish it: a title, a header merged over two rows,
    an omitted town name, a dash, a suppressed cell, a number with a comma, a total by formula,
    notes under the table, a coloured cell and a hidden row."""
    sheet.write("A1", "第１表　町丁別世帯数及び人口（令和6年1月1日現在）")
    sheet.merge_range("A3:A4", "町丁名")
    sheet.write("B3", "世帯数")
    sheet.merge_range("C3:E3", "人口")
    sheet.write_row("C4", ["男", "女", "計"])
    rows = [
        ("本町１丁目", 120, 130, 140, 270),
        ("", 80, "1,234", 95, 185),
        ("栄町", "-", 12, "X", 30),
        ("緑町　", 10, 11, 12, 23),
    ]
    for offset, row in enumerate(rows):
        sheet.write_row(4 + offset, 0, row)
    sheet.write("A9", "合計")
    sheet.write_formula("E9", "=SUM(E5:E8)", None, 508)
    sheet.write("A11", "※ 住民基本台帳による。")
    sheet.write("C5", 130, book.add_format({"bg_color": "#FFC7CE"}))
    sheet.set_row(9, None, None, {"hidden": True})


def test_a_municipal_statistics_table_shows_every_violation_at_its_cell() -> None:
    report = check_file("第1表.xlsx", workbook(municipal, notes=False))
    cells = found(report)
    assert cells["L1-04"] == {"A11"}
    assert cells["L1-06"] == {"A8"}
    assert cells["L1-09"] == {"B7"}
    assert cells["L1-11"] == {"C5"}
    assert cells["L1-12"] == {"A3", "C3"}
    assert cells["L1-13"] == {"A10"}
    assert cells["L2-01"] == {"C6"}
    assert cells["L2-02"] == {"A6"}
    assert cells["L2-03"] == {"A3"}  # the header is split over two rows
    assert cells["L2-06"] == {"E9"}
    assert cells["L3-01"] == {"A1"}
    assert cells["L3-03"] == {"D7"}  # X is not defined anywhere
    assert cells["L3-04"] == {"B4", "C4", "D4", "E4"}
    assert "L3-08" in cells  # no definitions, sources or history anywhere
    for rule_id in ("L1-02", "L1-03", "L1-05", "L1-07", "L1-08", "L1-10", "L2-04", "L2-05", "L3-05", "L3-09"):
        assert rule_id not in cells, rule_id
    # Level 1: L1-04 MAJOR 5 + L1-06, L1-11, L1-12, L1-13 CRITICAL 10 each + L1-09 MINOR 2 = 47
    assert report.scores == {1: 53, 2: 0, 3: 0}
    assert report.outcomes["L1-14"] is None and report.outcomes["L1-15"] is None  # CSV-only rules
    assert report.outcomes["L3-02"] is None and report.outcomes["L3-07"] is None  # not judged
    assert not report.conforms
    message = next(v for v in report.violations if v.rule.id == "L1-12")
    assert message.sheet == "データ" and "結合" in message.found
    assert message.rule.fix.ja.startswith("セルの結合を解除")


def tidy(book: Any, sheet: Any) -> None:
    sheet.write_row("A1", ["団体コード", "市区町村名", "調査日", "人口（人）", "世帯数（世帯）"])
    sheet.write_row("A2", ["131016", "千代田区", "2024-01-01", 68835, 38924])
    sheet.write_row("A3", ["131024", "中央区", "2024-01-01", 176838, 104084])
    sheet.write_row("A4", ["131032", "港区", "2024-01-01", 267310, 156286])


def test_a_tidy_workbook_conforms_with_full_scores() -> None:
    report = check_file("tidy.xlsx", workbook(tidy))
    assert report.violations == []
    assert report.conforms
    assert report.scores == {1: 100, 2: 100, 3: 100}
    assert report.outcomes["L1-01"] is True


def test_a_shift_jis_csv_export_with_wareki_full_width_digits_and_broken_rows() -> None:
    text = (
        "市区町村名,調査日,人口（人）,備考\r\n"
        "千代田区,令和6年1月1日,６８８３５,\r\n"
        '中央区,2024-01-01,"176,838","改行\nあり"\r\n'
        "港区,2024/01/01,267310,港,区\r\n"
        "新宿区,2024-01-01,349385,①\r\n"
    )
    report = check_file("jinko.csv", text.encode("cp932"))
    cells = found(report)
    assert report.encoding == "Shift_JIS"
    assert cells["L1-14"] == {"D3"}  # a line break inside a value
    assert cells["L1-15"] == {"E4"}  # an unquoted comma: one field too many
    assert cells["L1-08"] == {"D5"}
    assert cells["L2-01"] == {"C2", "C3"}  # full-width digits, a thousands separator
    assert "B2" in cells["L3-05"]  # 和暦 only
    assert "B4" in cells["L3-05"]  # 2024/01/01 among 2024-01-01
    assert cells["L3-06"] == {"A1"}  # names without a code column
    assert cells["L3-08"] == {"A1"}  # not UTF-8
    assert report.scores[1] == 0  # FATAL CSV rules
    assert report.outcomes["L1-12"] is None  # Excel-only rules are not judged on a CSV


def test_a_utf8_csv_in_tidy_form_conforms() -> None:
    text = "団体コード,市区町村名,年度,人口（人）\n131016,千代田区,2024,68835\n131024,中央区,2024,176838\n"
    report = check_file("tidy.csv", ("\ufeff" + text).encode("utf-8"))
    assert report.violations == [], report.violations
    assert report.scores == {1: 100, 2: 100, 3: 100}


def several(book: Any, sheet: Any) -> None:
    sheet.write_row("A1", ["区分", "2021年", "2022年", "2023年", "区分"])
    sheet.write_row("A2", ["その他（農業）", 1, 2, 3, "ａ"])
    sheet.write_row("A3", ["A", 4, 5, 6, "a"])
    sheet.write_row("A4", ["B", 7, 8, 9, "a"])
    sheet.write_row("A5", ["C", 1, 1, 1, "a"])
    sheet.write_row("A7", ["第２表", "件数（件）"])  # a second table under a blank row
    sheet.write_row("A8", ["D", 3])
    sheet.insert_textbox("H2", "注：速報値")


def test_several_tables_wide_years_duplicate_headers_and_objects() -> None:
    cells = found(check_file("several.xlsx", workbook(several)))
    assert cells["L1-02"] == {"A7"}
    assert cells["L1-10"] == {"A1"}
    assert cells["L2-03"] == {"A1", "E1"}
    assert cells["L2-04"] == {"E2"}  # ａ (full width) among a
    assert cells["L2-05"] == {"A2"}
    assert cells["L3-09"] == {"B1"}


def blank_column(book: Any, sheet: Any) -> None:
    sheet.write_row("A1", ["団体コード", "人口（人）", None, "世帯数（世帯）", None])
    sheet.write_row("A2", ["131016", 10, None, 5, 7])
    sheet.write_row("A3", ["131024", 20, None, 6, 8])


def test_a_blank_column_splits_the_table_and_a_column_without_header() -> None:
    cells = found(check_file("split.xlsx", workbook(blank_column)))
    assert cells["L1-03"] == {"C1"}
    assert cells["L1-05"] == {"E1"}


def shifted(book: Any, sheet: Any) -> None:
    sheet.write_row("B1", ["団体コード", "人口（人）"])
    sheet.write_row("B2", ["131016", 10])


def test_a_table_starting_in_column_b_breaks_the_header_position_rule() -> None:
    cells = found(check_file("shifted.xlsx", workbook(shifted)))
    assert cells["L3-01"] == {"B1"}
    assert "L1-03" not in cells  # the blank column A is outside the table, not inside it


def test_a_pdf_fails_the_file_format_rule_and_is_not_read() -> None:
    report = check_file("report.pdf", b"%PDF-1.7 ...")
    assert [v.rule.id for v in report.violations] == ["L1-01"]
    assert report.scores == {1: 0, 2: None, 3: None}


def test_the_published_scoring_examples() -> None:
    # docs/guides/scoring.md: L1 with one CRITICAL and one MINOR failed is 88; a FATAL makes 0
    assert level_score(1, {"L1-03": False, "L1-09": False, "L1-12": True}) == 88
    assert level_score(2, {"L2-01": False, "L2-04": True}) == 0
    assert level_score(3, {"L3-02": None, "L3-07": None}) is None
    assert level_score(2, {"L2-04": False, "L2-05": False, "L2-06": False}) == 0  # 40+30+30, floor 0
    assert len(rules()) == 30
    assert [sum(1 for r in rules().values() if r.level == level) for level in (1, 2, 3)] == [15, 6, 9]


@pytest.mark.parametrize(
    ("name", "data", "error", "words"),
    [
        ("empty.csv", b"", reading.EmptyFile, "空のファイル"),
        ("fake.xlsx", "団体コード,人口\n1,2\n".encode(), reading.NotExcel, "テキスト"),
        ("old.xlsx", reading.OLE_MAGIC + b"\x00" * 64, reading.NotExcel, "古い Office"),
        ("fake.xlsx", b"PK\x03\x04not really a zip", reading.NotExcel, "壊れている"),
        ("old.xls", reading.OLE_MAGIC + b"\x00" * 64, reading.UnreadableFile, ".xlsx として保存"),
        ("photo.png", b"\x89PNG", reading.UnreadableFile, "形式は確認できません"),
        ("binary.csv", b"\xff\xfe\x00\x00\x81", reading.UnreadableFile, "読めませんでした"),
    ],
)
def test_bad_files_are_refused_with_a_specific_message(
    name: str, data: bytes, error: type[Exception], words: str
) -> None:
    with pytest.raises(error) as raised:
        check_file(name, data)
    assert words in str(raised.value)


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("word/document.xml", "<w/>")
    with pytest.raises(reading.NotExcel):
        check_file("renamed.xlsx", buffer.getvalue())


def test_a_file_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_BYTES", 1024)
    with pytest.raises(reading.FileTooLarge) as raised:
        check_file("big.csv", b"a,b\n" * 1000)
    assert "上限" in str(raised.value) and raised.value.status == 413
