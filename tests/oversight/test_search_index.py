"""The inventory's word search through its bigram index: the same answers as a plain scan of the
names and laws, and insensitive to width (全角/半角) and to hiragana/katakana."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from tsunagu.core.database import Database
from tsunagu.oversight import inventory, layouts, search_index
from tsunagu.oversight.models import OversightInventoryToken

from .files import R7_ROWS, csv_bytes, r6_rows

EXTRA: list[dict[str, Any]] = [
    {
        **R7_ROWS[0],
        "手続ID": "200101",
        "手続名": "旅券法第3条の規定に基づく一般旅券（パスポート）の発給申請",
        "法令名": "旅券法",
    },
    {
        **R7_ROWS[0],
        "手続ID": "200102",
        "手続名": "ＮＰＯ法人の定款変更の届出",
        "法令名": "特定非営利活動促進法",
    },
    {**R7_ROWS[0], "手続ID": "200103", "手続名": "婚姻届と離婚の届出", "法令名": "戸籍法"},
]


def _import(
    database: Database, rows: list[dict[str, Any]], columns: tuple[str, ...] = layouts.R7_COLUMNS
) -> None:
    with database.session() as db:
        inventory.import_inventory(db, "r7.csv", csv_bytes(columns, rows), actor="test")


def _ids(database: Database, q: str, year: int | None = None) -> list[str]:
    with database.session() as db:
        page = inventory.search(db, inventory.Query(year=year, q=q), limit=50, offset=0)
        return sorted(p.procedure_id for p in page.items)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("パスポート", ["200101"]),
        ("ぱすぽーと", ["200101"]),  # hiragana finds katakana
        ("ﾊﾟｽﾎﾟｰﾄ", ["200101"]),  # half-width kana
        ("npo", ["200102"]),  # full-width Latin in the file, lower-case half-width asked
        ("ＮＰＯ法人", ["200102"]),
        ("特定非営利活動促進法", ["200003", "200102"]),  # the law's name
        ("届出 定款", ["200102"]),  # every word must be found
        ("旅", ["200101"]),  # one character: checked against the folded text
        ("出生届", ["200001"]),
        ("姻届出", []),  # 姻届 and 届出 are both in 200103, apart: the exact check refuses it
        ("200002", ["200002"]),  # a 手続ID
        ("存在しない手続", []),
    ],
)
def test_words_are_found_whatever_their_width_or_kana(
    database: Database, q: str, expected: list[str]
) -> None:
    _import(database, R7_ROWS + EXTRA)
    assert _ids(database, q) == expected


def test_the_index_answers_as_the_scan_does(database: Database) -> None:
    """Every two- to four-character piece of every stored name: the index and a plain scan of the
    folded text agree (no row lost by the narrowing)."""
    _import(database, R7_ROWS + EXTRA)
    names = [search_index.fold(r["手続名"]) for r in R7_ROWS + EXTRA]
    pieces = {n[i : i + k] for n in names for k in (2, 3, 4) for i in range(len(n) - k + 1)}
    for piece in sorted(pieces)[:300]:
        if piece.strip() != piece or " " in piece:
            continue
        scanned = sorted(
            r["手続ID"]
            for r in R7_ROWS + EXTRA
            if piece in search_index.search_text(r["手続名"], r["法令名"])
        )
        assert _ids(database, piece) == scanned, piece


def test_a_reimport_rebuilds_the_years_index_and_leaves_other_years(database: Database) -> None:
    _import(database, r6_rows(), layouts.R6_COLUMNS)
    _import(database, R7_ROWS + EXTRA)
    _import(database, R7_ROWS[:1])  # 2025 again, with one row
    assert _ids(database, "パスポート", 2025) == []
    assert _ids(database, "出生届", 2025) == ["200001"]
    assert _ids(database, "出生届", 2024) == ["200001"]
    with database.session() as db:
        years = dict(
            db.execute(
                select(OversightInventoryToken.survey_year, func.count()).group_by(
                    OversightInventoryToken.survey_year
                )
            ).all()
        )
    assert set(years) == {2024, 2025}
    assert years[2025] == len(search_index.grams(search_index.search_text(R7_ROWS[0]["手続名"], "戸籍法")))


def test_a_common_word_walked_in_volume_order_answers_as_the_index_does(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above SELECTIVE candidates the year is walked in volume order instead: same rows, same order."""
    _import(database, R7_ROWS + EXTRA)
    for q in ("届出", "ぱすぽーと", "法 の", "200002", "存在しない手続"):
        with database.session() as db:
            driven = inventory.search(db, inventory.Query(q=q), limit=3, offset=0)
        monkeypatch.setattr(search_index, "SELECTIVE", -1)
        with database.session() as db:
            walked = inventory.search(db, inventory.Query(q=q), limit=3, offset=0)
        monkeypatch.undo()
        assert walked.total == driven.total
        assert [p.procedure_id for p in walked.items] == [p.procedure_id for p in driven.items], q
