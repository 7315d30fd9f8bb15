"""Small inventory files written in the exact published layouts (two header rows: column numbers,
then the column names), as CSV and as .xlsx written by XlsxWriter."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]

from tsunagu.oversight import layouts

#: four real-looking procedures (values after the published code lists; not real rows)
R7_ROWS: list[dict[str, Any]] = [
    {
        "手続ID": "200001",
        "所管府省庁": "法務省",
        "手続名": "戸籍法第49条の規定に基づく出生届",
        "法令名": "戸籍法",
        "手続類型": "1 申請等",
        "手続主体": "5 国民等",
        "手続の受け手": "3 地方等",
        "府省共通手続": "✕（府省庁共通手続でない）",
        "オンライン化の実施状況": "1 実施済",
        "総手続件数": "750000",
        "オンライン手続件数": "150000",
        "非オンライン手続件数": "600000",
        "申請時に添付させる書類": "その他の添付書類",
        "手続が行われるイベント(個人)": "出生・こども",
    },
    {
        "手続ID": "200002",
        "所管府省庁": "国土交通省",
        "手続名": "道路運送車両法第12条の規定に基づく変更登録",
        "法令名": "道路運送車両法",
        "手続類型": "1 申請等",
        "手続主体": "7 国民等、民間事業者等",
        "手続の受け手": "1 国",
        "府省共通手続": "✕（府省庁共通手続でない）",
        "オンライン化の実施状況": "1 実施済",
        "総手続件数": "2400000",
        "オンライン手続件数": "1800000",
        "非オンライン手続件数": "600000",
        "申請時に添付させる書類": "住民票;登記事項証明書（商業）",
        "手続が行われるイベント(個人)": "引越し;自動車の購入・保有",
    },
    {
        "手続ID": "200003",
        "所管府省庁": "閣府",
        "手続名": "特定非営利活動促進法第10条の規定に基づく設立の認証申請",
        "法令名": "特定非営利活動促進法",
        "手続類型": "1 申請等",
        "手続主体": "6 民間事業者等",
        "手続の受け手": "3 地方等",
        "府省共通手続": "〇（全府省庁）",
        "実施府省庁(府省共通手続)": "内閣府、総務省",
        "オンライン化の実施状況": "2 未実施",
        "総手続件数": "3000",
        "非オンライン手続件数": "3000",
        "申請時に添付させる書類": "定款、住民票",
        "手続が行われるイベント(法人)": "法人の設立",
    },
    {
        "手続ID": "200004",
        "所管府省庁": "環境省",
        "手続名": "大気汚染防止法第6条の規定に基づくばい煙発生施設の設置の届出",
        "法令名": "大気汚染防止法",
        "手続類型": "4 作成・保存等",
        "府省共通手続": "✕（府省庁共通手続でない）",
        "オンライン化の実施状況": "3 適用除外",
    },
]


def r6_rows() -> list[dict[str, Any]]:
    """The same procedures a year earlier, in the R6 layout's notation (○/×, 5 一部実施済)."""
    rows = []
    for row in R7_ROWS:
        old = {k: v for k, v in row.items() if k in layouts.R6_COLUMNS}
        mark = row["府省共通手続"]
        old["府省共通手続"] = mark.replace("✕", "×").replace("〇", "○").replace("府省庁", "府省")
        rows.append(old)
    rows[0]["オンライン化の実施状況"] = "2 未実施"
    rows[0]["オンライン手続件数"] = "0"
    rows[2]["オンライン化の実施状況"] = "5 一部実施済"
    return rows


def table(columns: tuple[str, ...] | list[str], rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        list(range(1, len(columns) + 1)),
        list(columns),
        *[[row.get(c, "") for c in columns] for row in rows],
    ]


def csv_bytes(columns: tuple[str, ...] | list[str], rows: list[dict[str, Any]]) -> bytes:
    handle = io.StringIO(newline="")
    csv.writer(handle).writerows(table(columns, rows))
    return handle.getvalue().encode("utf-8-sig")


def xlsx_bytes(
    path: Path, columns: tuple[str, ...] | list[str], rows: list[dict[str, Any]], numbers: bool = True
) -> bytes:
    """A workbook like the published one: a notes sheet first, numbers as numeric cells."""
    workbook = xlsxwriter.Workbook(str(path))
    notes = workbook.add_worksheet("注意事項")
    notes.write(0, 0, "行政手続等の棚卸調査結果（テスト用）")
    sheet = workbook.add_worksheet("手続一覧")
    for r, cells in enumerate(table(columns, rows)):
        for c, value in enumerate(cells):
            if value == "":
                continue
            if numbers and r >= 2 and isinstance(value, str) and value.isdigit():
                sheet.write_number(r, c, int(value))
            else:
                sheet.write(r, c, value)
    workbook.close()
    return path.read_bytes()
