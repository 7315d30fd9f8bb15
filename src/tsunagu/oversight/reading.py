"""Reading an inventory file into rows of cells: Excel workbooks (.xlsx, read by python-calamine)
and CSV (UTF-8 with or without BOM, or the Shift_JIS of many government CSV exports)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, BinaryIO

from python_calamine import CalamineError, CalamineWorkbook

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.messages import N_

Cell = str | int | float | bool | date | datetime | time | timedelta | None
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip package
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


def refused(
    template: str,
    params: dict[str, Any],
    error: dict[str, Any],
    kind: type[ValidationFailed] = ValidationFailed,
) -> ValidationFailed:
    """A refusal whose message a page can show in the reader's language: the Japanese detail, and
    its gettext id with the values (``extra``: template, params)."""
    return kind(template % params, errors=[error], template=template, params=params)


@dataclass
class Sheet:
    """The rows of one table; ``notes`` say what reading had to assume (encoding, sheet)."""

    rows: Iterator[list[Cell]]
    notes: list[str] = field(default_factory=list)


def file_kind(name: str, head: bytes) -> str:
    """``xlsx`` or ``csv`` from the file name, checked against the first bytes: a file named .xlsx
    that is not a workbook is refused with a message saying what it looks like instead."""
    lowered = name.lower()
    if lowered.endswith((".xlsx", ".xlsm")):
        if not head.startswith(ZIP_MAGIC):
            template = (
                N_(
                    "「%(name)s」は Excel ブック (.xlsx) ではありません"
                    "（内容は古い Excel 形式 (.xls) です）。"
                    ".xlsx で保存し直すか、CSV として読み込んでください。"
                )
                if head.startswith(OLE_MAGIC)
                else N_(
                    "「%(name)s」は Excel ブック (.xlsx) ではありません（内容はテキスト (CSV など) です）。"
                    ".xlsx で保存し直すか、CSV として読み込んでください。"
                )
                if _is_text(head)
                else N_(
                    "「%(name)s」は Excel ブック (.xlsx) ではありません（内容は Excel 以外のファイルです）。"
                    ".xlsx で保存し直すか、CSV として読み込んでください。"
                )
            )
            raise refused(
                template,
                {"name": name},
                {"location": ["file"], "type": "not-xlsx", "message": "not an Excel workbook"},
            )
        return "xlsx"
    if lowered.endswith(".csv"):
        return "csv"
    raise refused(
        N_("「%(name)s」の形式が分かりません。.xlsx か .csv のファイルを指定してください。"),
        {"name": name},
        {"location": ["file"], "type": "file-type", "message": "expected .xlsx or .csv"},
    )


def _is_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head.decode("cp932")
        except UnicodeDecodeError:
            return False
    return b"\x00" not in head


def read_xlsx(handle: BinaryIO, first_cell: str) -> Sheet:
    """The first sheet whose first or second row starts with ``first_cell`` (the workbook may
    carry a cover sheet or notes before the table)."""
    try:
        workbook = CalamineWorkbook.from_filelike(handle)
        names = workbook.sheet_names
        for name in names:
            sheet = workbook.get_sheet_by_name(name)
            rows = sheet.iter_rows()
            head: list[list[Cell]] = [list(row) for _, row in zip(range(2), rows, strict=False)]
            if any(row and str(row[0]).strip() == first_cell for row in head):
                notes = [f"シート「{name}」を読みました"] if len(names) > 1 else []
                return Sheet(_chain(head, rows), notes)
    except CalamineError as exc:
        raise refused(
            N_("Excel ブックを読めません: %(reason)s"),
            {"reason": str(exc)},
            {"location": ["file"], "type": "xlsx-unreadable", "message": str(exc)},
        ) from None
    raise refused(
        N_("どのシートにも「%(first)s」で始まる見出し行がありません。"),
        {"first": first_cell},
        {"location": ["file"], "type": "no-table", "message": "no inventory sheet"},
    )


def _chain(head: list[list[Cell]], rest: Iterator[Any]) -> Iterator[list[Cell]]:
    yield from head
    for row in rest:
        yield list(row)


def read_csv(data: bytes) -> Sheet:
    """CSV in UTF-8 (a BOM is fine) or, failing that, Shift_JIS (cp932)."""
    notes: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp932")
        except UnicodeDecodeError:
            raise refused(
                N_("CSV の文字コードが UTF-8 でも Shift_JIS でもありません。"),
                {},
                {"location": ["file"], "type": "encoding", "message": "neither UTF-8 nor Shift_JIS"},
            ) from None
        notes.append("CSV を Shift_JIS (cp932) として読みました")
    rows: Iterator[list[Cell]] = (list(row) for row in csv.reader(io.StringIO(text, newline="")))
    return Sheet(rows, notes)
