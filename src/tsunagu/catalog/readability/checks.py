"""Each rule's check over one sheet (ルールごとの判定). A check yields the cells that break its rule
with a short Japanese note on what was found there; the report adds the rule's fix. The rules'
ids and texts are in rules.yaml; what each check looks for is said at the check."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime

from tsunagu.catalog.readability.layout import (
    Table,
    cell,
    fold,
    is_blank,
    looks_numeric,
)
from tsunagu.catalog.readability.reading import Position, Sheet, Value, cell_name, cells, column_letter

Finding = tuple[Position, str]  # where, and what was found there
Check = Callable[[Sheet, Table], Iterator[Finding]]

#: characters that differ between platforms (機種依存文字): circled and parenthesised numbers and
#: letters, Roman numerals, squared units and era names, ㈱-style abbreviations, №, ℡
PLATFORM_DEPENDENT = re.compile(r"[\u2460-\u24ff\u2160-\u217f\u3200-\u33ff\u2116\u2121]")
#: dashes that stand for zero and for "no value" alike (L1-09)
DASHES = {"-", "－", "―", "‐", "ー", "—", "−"}
#: symbols that mark suppressed or missing values in statistics tables (L3-03)
SYMBOLS = {"X", "x", "Ｘ", "χ", "*", "＊", "***", "…", "・・・", "秘匿", "△", "▲", "..."}
ERA = r"(明治|大正|昭和|平成|令和|[MTSHR]\s*\.?)"
WAREKI = re.compile(rf"{ERA}\s*([0-9０-９]{{1,2}}|元)\s*[年.．/／]")
GREGORIAN = re.compile(r"(18|19|20)[0-9]{2}")
DATE_HINT = re.compile(r"[0-9０-９元]\s*[-/／年.．]")  # a digit then a date separator: worth a closer look
PERIOD_HEADER = re.compile(
    rf"^(((18|19|20)[0-9]{{2}})|{ERA}\s*([0-9０-９]{{1,2}}|元))\s*(年度?|年[0-9０-９]{{1,2}}月)?$"
    r"|^[0-9０-９]{1,2}月$"
)
UNIT_IN_HEADER = re.compile(r"[（(\[［【<＜].+[)）\]］】>＞]|単位|[人円件%％率比]$|世帯$|歳$")
NOT_A_MEASURE = re.compile(r"コード|番号|ＩＤ|ID|id|No|Ｎｏ|年|月|日|順位|時点|郵便")
DEFINITIONS = re.compile(r"定義|出典|出所|資料|更新|注[:：記）)]|備考|凡例|説明")
PLAIN_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
CODE_HEADER = re.compile(r"コード|番号|ＩＤ|ID|id|No|Ｎｏ|郵便")
REGION_HEADER = re.compile(r"都道府県|市区町村|市町村|地域|自治体|団体名")
DATE_FORMATS = (
    ("YYYY-MM-DD", re.compile(r"^(18|19|20)\d{2}-\d{1,2}-\d{1,2}$")),
    ("YYYY/MM/DD", re.compile(r"^(18|19|20)\d{2}/\d{1,2}/\d{1,2}$")),
    ("YYYY年M月D日", re.compile(r"^(18|19|20)\d{2}年\d{1,2}月\d{1,2}日$")),
    ("和暦", re.compile(rf"^{ERA}\s*([0-9０-９]{{1,2}}|元)\s*[年.．/／]")),
)


def _data_cells(
    sheet: Sheet, table: Table, columns: set[int] | None = None
) -> Iterator[tuple[Position, Value]]:
    wanted = table.columns if columns is None else sorted(columns)
    for r in table.data_rows:
        row = sheet.rows[r]
        width = len(row)
        for c in wanted:
            if c < width and not is_blank(value := row[c]):
                yield (r, c), value


def several_tables(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L1-02: another block below or above the main table that is a table itself (two or more
    rows, two or more values in a row) and starts with a header (text where the table holds numbers)."""
    for index, block in enumerate(table.blocks):
        if index == table.main or (index < table.main and block[-1] < table.header_rows[0]):
            continue  # rows above the table are titles (L3-01)
        widths = [sum(1 for v in sheet.rows[r] if not is_blank(v)) for r in block]
        if len(block) >= 2 and max(widths) >= 2 and _starts_with_header(sheet, table, block):
            yield (block[0], table.first_column), "2つ目の表があります"


def _starts_with_header(sheet: Sheet, table: Table, block: list[int]) -> bool:
    first = block[0]
    return (
        not any(looks_numeric(cell(sheet, first, c)) for c in table.numeric_columns)
        or not table.numeric_columns
    )


def split_data(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L1-03: a blank row between parts of the same table (the next block continues its data), or
    a blank column inside the table."""
    for index, block in enumerate(table.blocks):
        if index > table.main and len(block) >= 1 and not _starts_with_header(sheet, table, block):
            widths = [sum(1 for v in sheet.rows[r] if not is_blank(v)) for r in block]
            if max(widths) >= 2:
                yield (block[0] - 1, table.first_column), "表の途中に空白行があります"
    rows = [*table.header_rows, *table.data_rows]
    for c in range(table.first_column, table.last_column + 1):
        if c not in table.columns and all(is_blank(cell(sheet, r, c)) for r in rows):
            yield (table.header_row, c), f"{column_letter(c)}列が空白で、表が分断されています"


def outside_information(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L1-04: notes or memos below the table (blocks of single values) or beside it."""
    for index, block in enumerate(table.blocks):
        if index <= table.main:
            continue
        for r in block:
            filled = [(c, v) for c, v in enumerate(sheet.rows[r]) if not is_blank(v)]
            if len(filled) == 1:
                c, value = filled[0]
                yield (r, c), f"表の外に「{_short(value)}」があります"
    for r in [*table.header_rows, *table.data_rows]:
        for c, value in enumerate(sheet.rows[r]):
            if c > table.last_column + 1 and not is_blank(value):
                yield (r, c), f"表の外に「{_short(value)}」があります"


def blank_headers(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L1-05: a column holding data whose header is empty."""
    for c in table.columns:
        if not table.header(sheet, c) and any(not is_blank(cell(sheet, r, c)) for r in table.data_rows):
            yield (table.header_row, c), "項目名が空です"


def layout_spaces(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L1-06: text with leading or trailing spaces, spaces between the letters of a short word
    (「東　京」), runs of spaces, or (in a workbook) line breaks."""
    rows = [*table.header_rows, *table.data_rows]
    for r in rows:
        for c in table.columns:
            value = cell(sheet, r, c)
            if not isinstance(value, str) or is_blank(value):
                continue
            if value != value.strip(" \u3000\t"):
                yield (r, c), f"前後に空白があります（「{_short(value)}」）"
            elif re.search(r"[ \u3000]{2,}", value) or re.fullmatch(r"\S([ \u3000]\S){1,4}", value):
                yield (r, c), f"体裁用の空白があります（「{_short(value)}」）"
            elif ("\n" in value or "\r" in value) and (r, c) not in sheet.line_breaks:
                yield (r, c), "セルの中に改行があります"


def several_values(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L1-07: a number with another in brackets (「120（45）」) or two values joined by a slash."""
    pattern = re.compile(r"^[0-9０-９][0-9０-９,，.]*\s*[（(][0-9０-９][0-9０-９,，.]*[)）]$|^[^/]+/[^/]+$")
    for (r, c), value in _data_cells(sheet, table, table.numeric_columns):
        if isinstance(value, str) and pattern.match(value.strip()) and not DATE_FORMATS[1][1].match(value):
            yield (r, c), f"１つのセルに複数の値があります（「{_short(value)}」）"


def platform_dependent(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L1-08: characters that differ between platforms, anywhere in the sheet."""
    for (r, c), value in cells(sheet):
        if isinstance(value, str) and (found := PLATFORM_DEPENDENT.search(value)):
            yield (r, c), f"機種依存文字「{found.group()}」があります"


def blank_or_zero(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L1-09: a dash in a number column, where it cannot be told whether it means zero or none."""
    for (r, c), value in _data_cells(sheet, table, table.numeric_columns):
        if isinstance(value, str) and value.strip() in DASHES:
            yield (r, c), f"「{value.strip()}」がゼロか欠損か区別できません"


def objects(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L1-10: pictures, shapes, text boxes or charts on the sheet."""
    if sheet.objects:
        yield (0, 0), f"図形・画像などのオブジェクトが {sheet.objects} 個あります"


def formatting(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L1-11: data cells coloured or in bold among plain cells of the same column."""
    data = set(table.data_rows)
    by_column: dict[int, list[Position]] = defaultdict(list)
    for r, c in sheet.highlighted:
        if r in data:
            by_column[c].append((r, c))
    for c, marked in by_column.items():
        filled = sum(1 for r in table.data_rows if not is_blank(cell(sheet, r, c)))
        if len(marked) < filled:
            for position in sorted(marked):
                yield position, "セルの色や太字で区別しています"


def merged_cells(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L1-12: merged cells."""
    for start, end in sheet.merged:
        yield start, f"セル {cell_name(start)}:{cell_name(end)} が結合されています"


def hidden(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L1-13: hidden rows and columns."""
    for r in sheet.hidden_rows:
        yield (r, 0), f"{r + 1}行目が非表示です"
    for c in sheet.hidden_columns:
        yield (0, c), f"{column_letter(c)}列が非表示です"


def csv_line_breaks(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L1-14: a CSV value spanning lines."""
    for position in sheet.line_breaks:
        yield position, "値の中に改行があります"


def csv_unquoted_commas(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L1-15: a CSV row with more fields than its header (a comma inside an unquoted value)."""
    width = len(sheet.rows[0]) if sheet.rows else 0
    for r, fields in sheet.ragged:
        yield (r, width), f"項目数が {fields} 個あり、項目名の {width} 個より多くなっています"


def numbers_as_text(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L2-01: a number column holding text: separators (1,234), full-width digits, units (12人),
    note marks (100※1). Plain digits in a code column (団体コード「011002」) are codes, kept as text."""
    codes = {c for c in table.numeric_columns if CODE_HEADER.search(table.header(sheet, c))}
    for (r, c), value in _data_cells(sheet, table, table.numeric_columns):
        if isinstance(value, str) and PLAIN_NUMBER.match(value.strip()) and (sheet.encoding or c in codes):
            continue  # a CSV has no types: plain digits are how it writes a number
        if isinstance(value, str) and looks_numeric(value):
            yield (r, c), f"数値が文字列です（「{_short(value)}」）"


def omitted_repeats(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L2-02: a blank in a text column to the left of the numbers, on a row that has values,
    below a row where that column was filled (the same value left out)."""
    first_number = min(table.numeric_columns, default=table.last_column + 1)
    for c in [c for c in table.columns if c < first_number]:
        seen = False
        for r in table.data_rows:
            value = cell(sheet, r, c)
            if not is_blank(value):
                seen = True
            elif seen and any(not is_blank(cell(sheet, r, other)) for other in table.columns if other != c):
                yield (r, c), "前の行と同じ値が省略されています"


def headers_not_unique(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L2-03: the same header on several columns, or headers split over several rows."""
    if len(table.header_rows) > 1:
        yield (
            (table.header_rows[0], table.first_column),
            f"項目名が {len(table.header_rows)} 行に分かれています",
        )
    names = Counter(name for c in table.columns if (name := table.header(sheet, c)))
    for c in table.columns:
        name = table.header(sheet, c)
        if name and names[name] > 1:
            yield (table.header_row, c), f"項目名「{_short(name)}」が重複しています"


def choices_not_standard(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L2-04: a column of few distinct answers where one answer is spelled several ways
    (width, case or spaces)."""
    for c in table.columns:
        if c in table.numeric_columns:
            continue
        values = [
            str(v).strip() for r in table.data_rows if isinstance(v := cell(sheet, r, c), str) and v.strip()
        ]
        if len(values) < 4 or len(set(values)) > max(20, len(values) // 2):
            continue
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        for value in values:
            spellings[fold(value)][value] += 1
        for variants in spellings.values():
            if len(variants) > 1:
                usual = variants.most_common(1)[0][0]
                for r in table.data_rows:
                    answer = cell(sheet, r, c)
                    if isinstance(answer, str) and answer.strip() in variants and answer.strip() != usual:
                        yield (r, c), f"「{_short(answer)}」と「{usual}」の表記が揺れています"


def other_details(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L2-05: 「その他」 followed by its details in the same cell."""
    for (r, c), value in _data_cells(sheet, table):
        if isinstance(value, str) and re.match(r"^その他\s*[（(:：「]\s*\S", value.strip()):
            yield (r, c), f"「その他」と詳細が同じセルにあります（「{_short(value)}」）"


def formulas(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L2-06: cells holding formulas."""
    for position in sheet.formulas:
        yield position, "数式が入っています"


def header_not_first(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L3-01: rows (a title, blank rows) before the header row, or blank columns before the table."""
    first = table.header_rows[0]
    if first:
        above = next(((r, c) for (r, c), _ in cells(sheet) if r < first), None)
        yield above or (0, 0), f"項目名が {first + 1} 行目から始まっています（表題や空白行があります）"
    elif table.first_column:
        yield (
            (first, table.first_column),
            f"表が {column_letter(table.first_column)} 列から始まっています（A 列からにしてください）",
        )


def undefined_symbols(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L3-03: symbols for suppressed or missing values in a number column that no note in the
    workbook defines (a note names the symbol and explains it: 「X：秘匿」)."""
    explained = _notes_text(sheet, table)
    for (r, c), value in _data_cells(sheet, table, table.numeric_columns):
        symbol = value.strip() if isinstance(value, str) else ""
        if symbol in SYMBOLS and not re.search(re.escape(symbol) + r"\s*[:：=は」]", explained):
            yield (r, c), f"記号「{symbol}」の意味が書かれていません"


def _notes_text(sheet: Sheet, table: Table) -> str:
    inside = {*table.header_rows, *table.data_rows}
    outside = (str(v) for (r, _), v in cells(sheet) if r not in inside and isinstance(v, str))
    return "\n".join([*outside, sheet.notes])


def units_missing(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L3-04: a number column whose header states no unit (codes, years and numbers excepted)."""
    for c in sorted(table.numeric_columns):
        name = table.header(sheet, c)
        if name and not UNIT_IN_HEADER.search(name) and not NOT_A_MEASURE.search(name):
            yield (table.header_row, c), f"項目名「{_short(name)}」に単位がありません"


def dates_not_standard(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L3-05: 和暦 without the Gregorian year, and columns mixing date formats."""
    formats: dict[int, list[tuple[Position, str]]] = defaultdict(list)
    for (r, c), value in _data_cells(sheet, table):
        kind = _date_format(value)
        if kind:
            formats[c].append(((r, c), kind))
        if isinstance(value, str) and WAREKI.search(value) and not GREGORIAN.search(value):
            yield (r, c), f"和暦だけで書かれています（「{_short(value)}」）"
    for found in formats.values():
        kinds = Counter(kind for _, kind in found)
        if len(kinds) > 1:
            usual = kinds.most_common(1)[0][0]
            for position, kind in found:
                if kind not in {usual, "和暦"}:
                    yield position, f"日付の書き方が混在しています（{kind} と {usual}）"


def _date_format(value: Value) -> str:
    if isinstance(value, datetime | date):
        return "Excel の日付"
    if isinstance(value, str) and DATE_HINT.search(value):
        text = unicodedata.normalize("NFKC", value.strip())
        for name, pattern in DATE_FORMATS:
            if pattern.match(text):
                return name
    return ""


def region_without_code(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L3-06: a column of region names without a column of region (団体) codes."""
    headers = {c: table.header(sheet, c) for c in table.columns}
    if any("コード" in name or "code" in name.lower() for name in headers.values()):
        return
    for c, name in headers.items():
        if REGION_HEADER.search(name) and c not in table.numeric_columns:
            yield (table.header_row, c), f"「{_short(name)}」に地域コードの列がありません"
            return


def no_definitions(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L3-08: a CSV not in UTF-8 (its encoding then depends on the reader's platform); a workbook
    with no word anywhere outside its table on definitions, sources or updates."""
    if sheet.encoding and not sheet.encoding.startswith("UTF-8"):
        yield (0, 0), f"文字コードが {sheet.encoding} です"
    elif not sheet.encoding and not DEFINITIONS.search(_notes_text(sheet, table)):
        yield (0, 0), "項目の定義・出典・更新履歴の記載がありません"


def wide_format(sheet: Sheet, table: Table) -> Iterator[Finding]:
    """L3-09: three or more columns headed by years or months (a period spread across columns)."""
    periods = [
        c for c in table.columns if PERIOD_HEADER.match(unicodedata.normalize("NFKC", table.header(sheet, c)))
    ]
    periods += [c for c in table.columns if _is_year(cell(sheet, table.header_row, c))]
    if len(periods) >= 3:
        yield (table.header_row, min(periods)), f"年や月が {len(periods)} 列に横に並んでいます"


def _is_year(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 1900 <= value <= 2100


def _short(value: Value) -> str:
    text = str(value).replace("\n", "↵")
    return text if len(text) <= 20 else text[:19] + "…"


#: rule id → its check (L1-01 is decided from the file's format, L3-02 and L3-07 are not judged)
CHECKS: dict[str, Check] = {
    "L1-02": several_tables,
    "L1-03": split_data,
    "L1-04": outside_information,
    "L1-05": blank_headers,
    "L1-06": layout_spaces,
    "L1-07": several_values,
    "L1-08": platform_dependent,
    "L1-09": blank_or_zero,
    "L1-10": objects,
    "L1-11": formatting,
    "L1-12": merged_cells,
    "L1-13": hidden,
    "L1-14": csv_line_breaks,
    "L1-15": csv_unquoted_commas,
    "L2-01": numbers_as_text,
    "L2-02": omitted_repeats,
    "L2-03": headers_not_unique,
    "L2-04": choices_not_standard,
    "L2-05": other_details,
    "L2-06": formulas,
    "L3-01": header_not_first,
    "L3-03": undefined_symbols,
    "L3-04": units_missing,
    "L3-05": dates_not_standard,
    "L3-06": region_without_code,
    "L3-08": no_definitions,
    "L3-09": wide_format,
}
