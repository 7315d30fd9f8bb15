"""The checker on real-shaped input: the shipped non-conforming export, every input format, and files
that cannot be read (empty, truncated, wrong encoding, too large, a ZIP bomb)."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from tsunagu.conformance import checker, reports, requirements
from tsunagu.conformance.sources import BATCH, Limits

from .conftest import FIXTURES

BROKEN = FIXTURES / "nonconforming"
#: what the shipped non-conforming export must yield: (rule, file, row, column)
EXPECTED = {
    ("missing-cell", "addresses.csv", 3, "go"),
    ("missing-cell", "addresses.csv", 3, "building"),
    ("missing-cell", "addresses.csv", 3, "town_id"),
    ("code-list", "changes.csv", 3, "reason"),
    ("rule:change-not-after-recording", "changes.csv", 5, "effective_date"),
    ("type-error", "changes.csv", 6, "change_id"),
    ("foreign-key", "changes.csv", 4, "person_id"),
    ("check-digit", "households.csv", 3, "municipality_code"),
    ("foreign-key", "households.csv", 5, "head_person_id,household_id"),
    ("rule:one-head-per-household", "households.csv", 2, "household_id"),
    ("rule:one-head-per-household", "households.csv", 5, "household_id"),
    ("type-error", "persons.csv", 3, "birth_date"),
    ("code-list", "persons.csv", 4, "sex"),
    ("charset", "persons.csv", 5, "family_name"),
    ("wareki", "persons.csv", 6, "birth_date_wareki"),
    ("wareki", "persons.csv", 7, "birth_date_wareki"),
    ("rule:leaving-has-date", "persons.csv", 8, "status_date"),
    ("rule:moved-out-on-or-after-residence", "persons.csv", 9, "status_date"),
    ("primary-key", "persons.csv", 10, "person_id"),
    ("constraint-error", "persons.csv", 11, "family_kana"),
    ("foreign-key", "persons.csv", 11, "household_id"),
}


def found(report: checker.Report) -> set[tuple[str, str, int | None, str | None]]:
    return {(f.rule, f.file.split("!")[-1], f.row, f.column) for f in report.findings.kept}


def test_the_nonconforming_export_fails_with_the_expected_findings(
    juminkiroku: requirements.RequirementSet,
) -> None:
    report = checker.check(juminkiroku, sorted(BROKEN.glob("*.csv")))
    assert found(report) == EXPECTED
    assert not report.passed and report.findings.must == 18 and report.findings.should == 3
    personal = {f.column: f.value for f in report.findings.kept if f.file == "persons.csv"}
    assert personal["birth_date"] == "＊＊＊＊-＊＊-＊＊" and personal["family_name"] == "＊"  # masked
    assert personal["sex"] == "M"  # not personal: shown as written


def test_cp932_tsv_jsonl_xlsx_and_a_zip_of_them_give_the_same_findings(
    juminkiroku: requirements.RequirementSet, tmp_path: Path
) -> None:
    xlsxwriter = pytest.importorskip("xlsxwriter")
    persons = (BROKEN / "persons.csv").read_text(encoding="utf-8")
    # CP932 cannot hold the Hangul name: that row is written as it would be in a Shift_JIS system
    (tmp_path / "persons.csv").write_bytes(persons.replace("김", "金").encode("cp932"))
    households = (BROKEN / "households.csv").read_text(encoding="utf-8")
    (tmp_path / "households.tsv").write_text(households.replace(",", "\t"), encoding="utf-8")
    import csv

    with (BROKEN / "changes.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (tmp_path / "changes.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    workbook = xlsxwriter.Workbook(str(tmp_path / "export.xlsx"))
    sheet = workbook.add_worksheet("addresses")
    with (BROKEN / "addresses.csv").open(encoding="utf-8") as handle:
        for r, cells in enumerate(csv.reader(handle)):
            for c, value in enumerate(cells):
                sheet.write_string(r, c, value)
    workbook.close()
    inputs = [tmp_path / n for n in ("persons.csv", "households.tsv", "changes.jsonl", "export.xlsx")]
    expected = {
        (
            rule,
            file.replace("households.csv", "households.tsv")
            .replace("changes.csv", "changes.jsonl")
            .replace("addresses.csv", "addresses"),
            row,
            column,
        )
        for rule, file, row, column in EXPECTED
        if (rule, row) != ("charset", 5)
    }
    # a sheet has no short rows: the cells row 3 lacks are empty cells (and not required ones)
    expected = {e for e in expected if e[0] != "missing-cell"}
    direct = checker.check(juminkiroku, inputs)
    assert found(direct) == expected, found(direct) ^ expected
    with zipfile.ZipFile(tmp_path / "export.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for path in inputs:
            archive.write(path, f"2026-11/{path.name}")
    zipped = checker.check(juminkiroku, [tmp_path / "export.zip"])
    assert {(r, f.split("/")[-1], row, c) for r, f, row, c in found(zipped)} == expected
    assert zipped.rows["export.zip!2026-11/persons.csv"] == 11


def _one(report: checker.Report) -> tuple[str, str]:
    problems = [f for f in report.findings.kept if f.rule != "missing-table"]
    assert len(problems) == 1, problems
    return problems[0].rule, problems[0].message_ja


def test_unreadable_files_are_findings_with_clear_messages(
    juminkiroku: requirements.RequirementSet, tmp_path: Path
) -> None:
    cases = {
        "persons.csv": b"",
        "households.csv": b"household_id,municipality_code,head_person_id\n\x81 ,131016,\x81 \n",
        "changes.csv": b'change_id,person_id\n1,"unterminated',
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    assert _one(checker.check(juminkiroku, [tmp_path / "persons.csv"]))[0] == "file-empty"
    rule, message = _one(checker.check(juminkiroku, [tmp_path / "households.csv"]))
    assert rule == "encoding-error" and "Shift_JIS" in message
    report = checker.check(juminkiroku, [tmp_path / "changes.csv"])
    assert ("format-error", 2) in {(f.rule, f.row) for f in report.findings.kept}
    assert not report.passed


def test_size_limits_and_zip_bombs_stop_reading_early(
    juminkiroku: requirements.RequirementSet, tmp_path: Path
) -> None:
    big = tmp_path / "persons.csv"
    shutil.copy(BROKEN / "persons.csv", big)
    small = Limits(max_file_bytes=1024)
    assert _one(checker.check(juminkiroku, [big], limits=small))[0] == "file-too-large"
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("persons.csv", b"0" * (50 << 20))  # 50 MiB of one byte: ratio ~1000:1
    rule, message = _one(checker.check(juminkiroku, [bomb]))
    assert rule == "zip-bomb" and "ZIP爆弾" in message
    truncated = tmp_path / "truncated.zip"
    with zipfile.ZipFile(io.BytesIO(), "w") as _:
        pass
    with zipfile.ZipFile(truncated, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(BROKEN / "persons.csv", "persons.csv")
    truncated.write_bytes(truncated.read_bytes()[:300])
    assert _one(checker.check(juminkiroku, [truncated]))[0] == "format-error"


def test_a_cp932_file_interface_must_be_cp932_with_columns_in_order(
    juminkiroku: requirements.RequirementSet, tmp_path: Path
) -> None:
    layout = next(f for f in juminkiroku.files if f.id == "tennyu-tsuchi")
    header = (
        "notice_date,from_municipality_code,to_municipality_code,family_name,given_name,birth_date,sex,"
        "moved_in_on,new_address\r\n"
    )
    row = "2026-11-20,142018,131016,渡邉,一郎,1980-04-01,1,2026-11-18,東京都千代田区一番町1-2\r\n"
    good = tmp_path / "tennyu.csv"
    good.write_bytes((header + row).encode("cp932"))
    assert checker.check_layout(juminkiroku, layout, good).passed
    utf8 = tmp_path / "tennyu-utf8.csv"
    utf8.write_text(header + row, encoding="utf-8")
    assert _one(checker.check_layout(juminkiroku, layout, utf8))[0] == "encoding-error"
    swapped = tmp_path / "tennyu-swapped.csv"
    swapped.write_bytes(
        (header.replace("family_name,given_name", "given_name,family_name") + row).encode("cp932")
    )
    assert _one(checker.check_layout(juminkiroku, layout, swapped))[0] == "incorrect-label"


def test_findings_across_batches_keep_their_row_numbers(
    juminkiroku: requirements.RequirementSet, tmp_path: Path
) -> None:
    """Rows are read and checked 5,000 at a time (sources.BATCH): a repeat of a key from an earlier
    batch, a bad value met again in a later batch, a blank row mid-batch and a file cut off in a quote
    are each reported at their own row, and the rows before the cut are all checked."""
    assert BATCH == 5000
    lines = ["household_id,municipality_code,head_person_id"]
    for row in range(2, 11_000):
        code = "131017" if row in (100, 7000, 6001) else "131016"  # 131017: wrong check digit
        lines.append(f"{row:032x},{code},{row:032x}")
    lines[9000 - 1] = f"{2:032x},131016,{2:032x}"  # the household of row 2 again
    lines[6000 - 1] = ",,"  # a blank row of full width
    (tmp_path / "households.csv").write_text(
        "\n".join(lines) + f'\n{11_000:032x},"131016\n', encoding="utf-8"
    )
    report = checker.check(juminkiroku, [tmp_path / "households.csv"])
    rows = {(f.rule, f.row) for f in report.findings.kept if f.row and not f.rule.startswith("rule:")}
    assert rows == {
        ("check-digit", 100),
        ("check-digit", 7000),
        ("check-digit", 6001),
        ("blank-row", 6000),
        ("primary-key", 9000),
        ("format-error", 11_000),
    }
    assert report.rows == {"households.csv": 10_998}  # rows 2–10,999; 11,000 is cut off


def test_the_html_report_names_columns_in_words_and_lists_findings_by_file_and_row(
    juminkiroku: requirements.RequirementSet,
) -> None:
    report = checker.check(juminkiroku, sorted(BROKEN.glob("*.csv")))
    html = reports.to_html(report, found=juminkiroku, subject="住民記録システム 3.2（つなぎシステムズ）")
    assert "世帯主の宛名番号・世帯番号" in html and "head_person_id,household_id" in html
    assert "住民記録システム 3.2（つなぎシステムズ）" in html
    details = html[html.index("指摘の一覧") :]
    persons = [int(n) for n in re.findall(r'<td>persons\.csv</td><td class="n">(\d+)</td>', details)]
    assert persons == sorted(persons) and len(persons) >= 10
