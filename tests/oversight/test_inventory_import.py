"""Importing the procedure inventory in the published R6 and R7 layouts: exact headers, known
defects normalized and reported, bad files refused with line and column, years side by side,
re-import replacing a year atomically."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from tsunagu.core.database import Database
from tsunagu.oversight import inventory, kpis, layouts
from tsunagu.oversight.inventory import InventoryRejected
from tsunagu.oversight.models import (
    OversightInventoryProcedure,
    OversightInventorySummary,
    OversightInventorySurvey,
)

from .files import R7_ROWS, csv_bytes, r6_rows, xlsx_bytes


def test_the_layouts_have_the_published_column_counts() -> None:
    assert len(layouts.R6_COLUMNS) == 38 and len(set(layouts.R6_COLUMNS)) == 38
    assert len(layouts.R7_COLUMNS) == 46 and len(set(layouts.R7_COLUMNS)) == 46
    assert set(layouts.R6_COLUMNS) - set(layouts.R7_COLUMNS) == {"法令番号"}
    assert len(layouts.MINISTRIES) == 27 and layouts.MINISTRIES[-1] == "会計検査院"  # the 26 and 会計検査院


def _import(database: Database, name: str, data: bytes, year: int | None = None) -> inventory.ImportReport:
    with database.session() as db:
        return inventory.import_inventory(db, name, data, actor="test", survey_year=year)


def _count(database: Database, year: int) -> int:
    with database.session() as db:
        return (
            db.scalar(
                select(func.count())
                .select_from(OversightInventoryProcedure)
                .where(OversightInventoryProcedure.survey_year == year)
            )
            or 0
        )


def test_an_r7_csv_is_imported_with_its_defects_normalized_and_reported(database: Database) -> None:
    report = _import(database, "r7.csv", csv_bytes(layouts.R7_COLUMNS, R7_ROWS))
    assert (report.survey_year, report.layout, report.rows, report.replaced) == (2025, "R7", 4, 0)
    kinds = {item["kind"]: item for item in report.normalized}
    assert kinds["ministry"]["count"] == 1 and "閣府" in kinds["ministry"]["example"]
    assert kinds["symbol"]["count"] == 4  # the R7 file writes 〇 (U+3007) and ✕
    assert kinds["separator"]["count"] == 2  # 「定款、住民票」 and 「内閣府、総務省」
    with database.session() as db:
        row = db.get(OversightInventoryProcedure, (2025, "200003"))
        assert row is not None
        assert (row.ministry, row.common, row.online_status) == ("内閣府", "○", "2")
        assert row.attachments == ";定款;住民票;"
        assert row.details["実施府省庁(府省共通手続)"] == "内閣府;総務省"
        unknown = db.get(OversightInventoryProcedure, (2025, "200004"))
        assert unknown is not None and unknown.total_count is None  # blank is unknown, not zero


def test_xlsx_and_csv_of_the_same_rows_store_the_same_values(database: Database, tmp_path: Path) -> None:
    _import(database, "r7.csv", csv_bytes(layouts.R7_COLUMNS, R7_ROWS), year=2025)
    _import(database, "r7.xlsx", xlsx_bytes(tmp_path / "r7.xlsx", layouts.R7_COLUMNS, R7_ROWS), year=2024)
    with database.session() as db:

        def stored(year: int) -> list[tuple[object, ...]]:
            table = OversightInventoryProcedure
            return [
                tuple(r)
                for r in db.execute(
                    select(
                        table.procedure_id,
                        table.ministry,
                        table.name,
                        table.type_code,
                        table.online_status,
                        table.total_count,
                        table.online_count,
                        table.attachments,
                        table.life_events,
                    )
                    .where(table.survey_year == year)
                    .order_by(table.procedure_id)
                )
            ]

        assert stored(2024) == stored(2025)


def test_years_side_by_side_and_a_procedures_history(database: Database) -> None:
    _import(database, "r6.csv", csv_bytes(layouts.R6_COLUMNS, r6_rows()))
    _import(database, "r7.csv", csv_bytes(layouts.R7_COLUMNS, R7_ROWS))
    assert [s.survey_year for s in _surveys(database)] == [2024, 2025]
    with database.session() as db:
        years = [(r.survey_year, r.online_status) for r in inventory.history(db, "200001")]
        assert years == [(2024, "2"), (2025, "1")]
        figures = kpis.by_year(db)
    assert [f.year for f in figures] == [2024, 2025]
    r6, r7 = figures[0].overall, figures[1].overall
    assert (r6.online_available, r6.partly_online, r7.online_available) == (1, 1, 2)
    assert r7.rate_by_types == 0.5
    # by volume: 750,000 + 2,400,000 of 3,153,000 counted are online-available
    assert r7.rate_by_volume == pytest.approx(3_150_000 / 3_153_000)
    assert r7.use_rate == pytest.approx(1_950_000 / 3_150_000)
    assert (r7.with_attachments, r7.replaceable) == (3, 2)  # 住民票 and 登記事項証明書 are look-ups


def _surveys(database: Database) -> list[OversightInventorySurvey]:
    with database.session() as db:
        return list(inventory.surveys(db))


def test_reimport_replaces_the_year_and_a_rejected_file_leaves_it_untouched(database: Database) -> None:
    _import(database, "r7.csv", csv_bytes(layouts.R7_COLUMNS, R7_ROWS))
    again = _import(database, "r7.csv", csv_bytes(layouts.R7_COLUMNS, R7_ROWS[:2]))
    assert (again.rows, again.replaced) == (2, 4)
    assert _count(database, 2025) == 2
    broken = [dict(R7_ROWS[0]), {**R7_ROWS[1], "総手続件数": "-5"}]
    with pytest.raises(InventoryRejected):
        _import(database, "r7.csv", csv_bytes(layouts.R7_COLUMNS, broken))
    assert _count(database, 2025) == 2


@pytest.mark.parametrize(
    ("change", "line", "column", "words"),
    [
        ({"総手続件数": "2,400,000"}, 4, "総手続件数", "カンマ"),
        ({"オンライン手続件数": "１８００"}, 4, "オンライン手続件数", "全角"),
        ({"非オンライン手続件数": "-1"}, 4, "非オンライン手続件数", "負の数"),
        ({"所管府省庁": "未来省"}, 4, "所管府省庁", "未来省"),
        ({"手続ID": "200001"}, 4, "手続ID", "3行目と重複"),
        ({"オンライン化の実施状況": "5 一部実施済"}, 4, "オンライン化の実施状況", "5 一部実施済"),
        ({"手続類型": "9 その他"}, 4, "手続類型", "9 その他"),
    ],
)
def test_bad_rows_are_named_by_line_and_column(
    database: Database, change: dict[str, str], line: int, column: str, words: str
) -> None:
    rows = [dict(r) for r in R7_ROWS]
    rows[1].update(change)
    with pytest.raises(InventoryRejected) as refused:
        _import(database, "r7.csv", csv_bytes(layouts.R7_COLUMNS, rows))
    problem = refused.value.errors[0]
    assert (problem["line"], problem["column"]) == (line, column)
    assert words in problem["message"] and words in refused.value.detail
    assert _count(database, 2025) == 0


def test_a_missing_and_a_renamed_column_are_named(database: Database) -> None:
    columns = [c for c in layouts.R7_COLUMNS if c != "手続名"]
    columns[columns.index("総手続件数")] = "総件数"
    with pytest.raises(InventoryRejected) as refused:
        _import(database, "r7.csv", csv_bytes(columns, R7_ROWS))
    messages = [e["message"] for e in refused.value.errors]
    assert "列「手続名」がありません（R7 様式の46列の一つ）" in messages
    assert "列「総手続件数」がありません（R7 様式の46列の一つ）" in messages
    assert "列「総件数」は R7 様式にない列名です" in messages


def test_a_file_named_xlsx_that_is_not_excel_is_refused(database: Database) -> None:
    with pytest.raises(Exception) as refused:
        _import(database, "inventory.xlsx", csv_bytes(layouts.R7_COLUMNS, R7_ROWS))
    assert "Excel ブック (.xlsx) ではありません" in str(refused.value)
    with pytest.raises(Exception, match="Excel ブックを読めません"):
        _import(database, "broken.xlsx", b"PK\x03\x04" + b"\x00" * 64)


def test_a_shift_jis_csv_is_read_and_said_so(database: Database) -> None:
    data = csv_bytes(layouts.R6_COLUMNS, r6_rows()).decode("utf-8-sig").encode("cp932")
    report = _import(database, "r6.csv", data)
    assert report.rows == 4 and "Shift_JIS" in report.notes[0]


def test_the_ministry_names_of_the_published_r6_file_are_accepted(database: Database) -> None:
    """The 令和6年度 file names 「国家公安委員会・警察庁」 (2,010 rows) and 「会計検査院」 (54 rows) as
    所管府省庁, and leaves 手続類型 empty in 2 rows (column statistics of the published file, 75,071
    rows): none of them may refuse the file; the empty type is kept as unknown and reported."""
    rows = r6_rows()
    rows[0]["所管府省庁"] = "国家公安委員会・警察庁"
    rows[1]["所管府省庁"] = "会計検査院"
    rows[2]["手続類型"] = ""
    report = _import(database, "r6.csv", csv_bytes(layouts.R6_COLUMNS, rows))
    assert report.rows == 4
    assert [n["example"] for n in report.normalized if n["kind"] == "no-type"] == ["5行目: 「」→「類型不明」"]
    assert any(
        n["kind"] == "ministry" and "国家公安委員会・警察庁" in n["example"] for n in report.normalized
    )
    with database.session() as db:
        assert {s.ministry for s in db.scalars(select(OversightInventorySummary))} >= {"警察庁", "会計検査院"}
