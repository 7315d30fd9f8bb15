"""Where the table is in a sheet (表の位置): the blocks of non-empty rows, the main table among
them, its header row(s), its data rows and columns, and the column kinds the value rules need.

A block is a run of rows with at least one value; the main table is the block with the most
values. Its header is the first row filled across at least half the table's width (rows above it
are titles); header rows continue while the columns that hold numbers below still hold text.
A sheet whose rows never hold more than one value is a notes sheet, not a table."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from tsunagu.catalog.readability.reading import Sheet, Value

#: a number written as text: signs, digits (also full-width), separators, a unit or note mark
NUMBER_LIKE = re.compile(
    r"^[▲△+\-−－]?\s*[0-9０-９][0-9０-９,，.．]*\s*"
    r"(人|円|千円|万円|百万円|%|％|件|世帯|戸|台|か所|箇所|ヶ所|km|ｋｍ|㎡|m2|kg|t|歳|日|回|校|床|軒)?"
    r"\s*(※\s*[0-9０-９]*|\*+|注\s*[0-9０-９]*)?$"
)


def is_blank(value: Value | None) -> bool:
    return value == "" or value is None or (isinstance(value, str) and not value.strip())


def is_number(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def looks_numeric(value: Value) -> bool:
    """A number, or text that is a number once its decoration is removed."""
    return is_number(value) or (isinstance(value, str) and bool(NUMBER_LIKE.match(value.strip())))


def fold(text: str) -> str:
    """Width-, case- and space-insensitive form for comparing spellings."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


@dataclass
class Table:
    """The main table of a sheet, positions from 0."""

    header_rows: list[int]
    data_rows: list[int]
    columns: list[int]  # columns holding a header or a value
    first_column: int
    last_column: int
    numeric_columns: set[int] = field(default_factory=set)
    blocks: list[list[int]] = field(default_factory=list)  # every block of the sheet
    main: int = 0  # index of the main block

    @property
    def header_row(self) -> int:
        return self.header_rows[-1]

    def header(self, sheet: Sheet, column: int) -> str:
        """A column's header: the last header row's text, or the nearest above it."""
        for row in reversed(self.header_rows):
            value = cell(sheet, row, column)
            if not is_blank(value):
                return str(value).strip()
        return ""


def cell(sheet: Sheet, row: int, column: int) -> Value:
    if row < len(sheet.rows) and column < len(sheet.rows[row]):
        return sheet.rows[row][column]
    return ""


def _width(row: list[Value]) -> int:
    return sum(1 for value in row if not is_blank(value))


def blocks(sheet: Sheet) -> list[list[int]]:
    found: list[list[int]] = []
    current: list[int] = []
    for r, row in enumerate(sheet.rows):
        if _width(row):
            current.append(r)
        elif current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def locate(sheet: Sheet) -> Table | None:
    """The sheet's main table, or None for an empty sheet or a notes sheet."""
    found = blocks(sheet)
    if not found or max(_width(sheet.rows[r]) for block in found for r in block) < 2:
        return None
    main = max(range(len(found)), key=lambda i: sum(_width(sheet.rows[r]) for r in found[i]))
    block = found[main]
    widest = max(_width(sheet.rows[r]) for r in block)
    header = next(r for r in block if _width(sheet.rows[r]) >= max(2, (widest + 1) // 2))
    body = [r for r in block if r > header]
    used = sorted({c for r in [header, *body] for c, v in enumerate(sheet.rows[r]) if not is_blank(v)})
    numeric = {c for c in used if _mostly_numeric(sheet, body, c)}
    header_rows = [header]
    while body and numeric and all(not looks_numeric(cell(sheet, body[0], c)) for c in numeric):
        header_rows.append(body.pop(0))  # a second header row (sub-headers under a merged one)
    if len(header_rows) > 1:
        numeric = {c for c in used if _mostly_numeric(sheet, body, c)}
    return Table(
        header_rows=header_rows,
        data_rows=body,
        columns=used,
        first_column=used[0],
        last_column=used[-1],
        numeric_columns=numeric,
        blocks=found,
        main=main,
    )


def _mostly_numeric(sheet: Sheet, rows: list[int], column: int) -> bool:
    grid = sheet.rows
    values = [grid[r][column] if column < len(grid[r]) else "" for r in rows]
    filled = [v for v in values if not is_blank(v)]
    return bool(filled) and sum(1 for v in filled if looks_numeric(v)) * 2 > len(filled)
