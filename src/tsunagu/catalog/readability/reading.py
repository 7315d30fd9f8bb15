"""Reading a file to check (機械可読性チェックの読み込み): a CSV or an Excel workbook (.xlsx) into
sheets of cells at their real positions, with what the rules need beyond the values — merged
cells, hidden rows and columns, formulas, objects and cell highlighting read from the workbook's
XML parts, and for CSV the encoding, line breaks inside values and rows with extra fields.

The values come from python-calamine; the structure from the package's XML with the standard
library (calamine does not report hidden rows, formulas or drawings). Bad input — an empty file,
one too large, a file named .xlsx that is not a workbook — is refused with a specific error."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import PurePosixPath
from typing import ClassVar
from xml.etree import ElementTree  # expat >= 2.4 refuses entity-expansion bombs (no DTD in OOXML)

from python_calamine import CalamineError, CalamineWorkbook

from tsunagu.core.errors import ValidationFailed

Value = str | int | float | bool | date | datetime | time | timedelta
Position = tuple[int, int]  # (row, column), both from 0

MAX_BYTES = 100 * 1024 * 1024  # a workbook is decoded whole: larger files are refused up front
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls / .doc
PDF_MAGIC = b"%PDF"
#: formats made for reading or printing, not for machines (L1-01): reported, not read
NOT_MACHINE_READABLE = {
    ".pdf": "PDF",
    ".doc": "Word",
    ".docx": "Word",
    ".ppt": "PowerPoint",
    ".pptx": "PowerPoint",
}
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


class UnreadableFile(ValidationFailed):
    """The file cannot be checked; ``detail`` says why in Japanese and what to do."""

    code = "readability-unreadable-file"
    title = "File cannot be read"


class EmptyFile(UnreadableFile):
    code = "readability-empty-file"
    title = "Empty file"


class FileTooLarge(UnreadableFile):
    status: ClassVar[int] = 413
    code = "readability-file-too-large"
    title = "File too large"


class NotExcel(UnreadableFile):
    code = "readability-not-xlsx"
    title = "Not an Excel workbook"


@dataclass
class Sheet:
    """One sheet (a CSV file is one sheet): its cells and the structure the rules look at."""

    name: str
    rows: list[list[Value]]
    merged: list[tuple[Position, Position]] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)
    hidden_columns: list[int] = field(default_factory=list)
    formulas: list[Position] = field(default_factory=list)
    objects: int = 0
    highlighted: set[Position] = field(default_factory=set)
    line_breaks: list[Position] = field(default_factory=list)  # CSV: values spanning lines
    ragged: list[tuple[int, int]] = field(default_factory=list)  # CSV: (row, fields) past the header's
    encoding: str = ""  # CSV: the encoding it was read in
    notes: str = ""  # the text of the workbook's other sheets (notes, definitions), set by the checker


@dataclass
class Workbook:
    name: str
    kind: str  # "xlsx", "csv", or the name of a format that is not machine-readable (L1-01)
    sheets: list[Sheet]
    encoding: str = ""  # CSV only


def column_letter(column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(position: Position) -> str:
    """``B12`` for (11, 1), as a spreadsheet names the cell."""
    return f"{column_letter(position[1])}{position[0] + 1}"


_REF = re.compile(r"([A-Z]+)(\d+)")


def parse_cell(ref: str) -> Position:
    found = _REF.fullmatch(ref.replace("$", ""))
    if not found:
        raise ValueError(ref)
    column = 0
    for letter in found.group(1):
        column = column * 26 + ord(letter) - 64
    return int(found.group(2)) - 1, column - 1


def read(name: str, data: bytes) -> Workbook:
    """The file ``name`` with content ``data``, by its extension checked against its bytes."""
    if not data:
        raise EmptyFile(f"「{name}」は空のファイルです（0 バイト）。内容のあるファイルを選んでください。")
    if len(data) > MAX_BYTES:
        raise FileTooLarge(
            f"「{name}」は {len(data) / 1048576:.0f} MB あり、"
            f"上限の {MAX_BYTES // 1048576} MB を超えています。"
            "ファイルを分けてから確認してください。",
            limit=MAX_BYTES,
        )
    suffix = PurePosixPath(name.lower()).suffix
    if suffix in NOT_MACHINE_READABLE:
        return Workbook(name, NOT_MACHINE_READABLE[suffix], [])
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(name, data)
    if suffix == ".csv":
        return _read_csv(name, data)
    if suffix == ".xls":
        raise UnreadableFile(
            f"「{name}」は古い Excel 形式 (.xls) です。"
            "Excel で .xlsx として保存し直してから確認してください。"
        )
    raise UnreadableFile(f"「{name}」の形式は確認できません。.xlsx か .csv のファイルを選んでください。")


def _looks_like(data: bytes) -> str:
    if data.startswith(OLE_MAGIC):
        return "古い Office 形式（.xls や .doc）"
    if data.startswith(PDF_MAGIC):
        return "PDF"
    if data.startswith(ZIP_MAGIC):
        return "Excel ブックではない ZIP ファイル"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "Excel 以外のファイル"
    return "テキスト（CSV など）"


# ---------------------------------------------------------------- CSV


def _read_csv(name: str, data: bytes) -> Workbook:
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data[3:].decode("utf-8", errors="strict"), "UTF-8 (BOM)"
    else:
        try:
            text, encoding = data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            try:
                text, encoding = data.decode("cp932"), "Shift_JIS"
            except UnicodeDecodeError:
                raise UnreadableFile(
                    f"「{name}」は UTF-8 でも Shift_JIS でも読めませんでした。"
                    "UTF-8 の CSV として保存し直してください。"
                ) from None
    if "\x00" in text:
        raise UnreadableFile(f"「{name}」は CSV ではありません（{_looks_like(data)}）。")
    sheet = Sheet(name=PurePosixPath(name).name, rows=[])
    try:
        for row_number, row in enumerate(csv.reader(io.StringIO(text, newline=""))):
            for column, value in enumerate(row):
                if "\n" in value or "\r" in value:
                    sheet.line_breaks.append((row_number, column))
            sheet.rows.append(list(row))
    except csv.Error as exc:
        raise UnreadableFile(f"「{name}」を CSV として読めませんでした（{exc}）。") from None
    width = len(sheet.rows[0]) if sheet.rows else 0
    sheet.ragged = [(r, len(row)) for r, row in enumerate(sheet.rows) if len(row) > width]
    sheet.encoding = encoding
    return Workbook(name, "csv", [sheet], encoding)


# ---------------------------------------------------------------- Excel


def _read_xlsx(name: str, data: bytes) -> Workbook:
    not_excel = NotExcel(
        f"「{name}」は Excel ブック (.xlsx) ではありません（内容は{_looks_like(data)}です）。"
        "Excel で .xlsx として保存し直すか、CSV で確認してください。"
    )
    if not data.startswith(ZIP_MAGIC):
        raise not_excel
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        if "xl/workbook.xml" not in package.namelist():
            raise not_excel
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        parts = _sheet_parts(package)
        styles = _highlight_styles(package)
        sheets = []
        for sheet_name in workbook.sheet_names:
            calamine_sheet = workbook.get_sheet_by_name(sheet_name)
            rows: list[list[Value]] = calamine_sheet.to_python(skip_empty_area=False)
            sheet = Sheet(name=sheet_name, rows=rows)
            if sheet_name in parts:
                _read_structure(package, parts[sheet_name], styles, sheet)
            sheets.append(sheet)
    except (zipfile.BadZipFile, CalamineError, ElementTree.ParseError, KeyError, ValueError) as exc:
        raise NotExcel(
            f"「{name}」は壊れているか Excel ブックとして読めません（{type(exc).__name__}）。"
            "Excel で開いて .xlsx として保存し直してください。"
        ) from None
    return Workbook(name, "xlsx", sheets)


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the path of its XML part, through the workbook's relationships."""
    targets = {
        rel.get("Id", ""): rel.get("Target", "")
        for rel in ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels")).iter(  # noqa: S314
            f"{RELS}Relationship"
        )
    }
    parts: dict[str, str] = {}
    for sheet in ElementTree.fromstring(package.read("xl/workbook.xml")).iter(f"{MAIN}sheet"):  # noqa: S314
        target = targets.get(sheet.get(f"{DOC_REL}id", ""), "")
        parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


def _highlight_styles(package: zipfile.ZipFile) -> set[int]:
    """Cell style indexes that colour the cell (a solid fill) or set bold type: formatting that
    can carry a meaning machines do not see (L1-11)."""
    if "xl/styles.xml" not in package.namelist():
        return set()
    root = ElementTree.fromstring(package.read("xl/styles.xml"))  # noqa: S314
    fills = [
        (pattern := fill.find(f"{MAIN}patternFill")) is not None and pattern.get("patternType") == "solid"
        for fill in root.iterfind(f"{MAIN}fills/{MAIN}fill")
    ]
    bold = [font.find(f"{MAIN}b") is not None for font in root.iterfind(f"{MAIN}fonts/{MAIN}font")]
    found: set[int] = set()
    for index, xf in enumerate(root.iterfind(f"{MAIN}cellXfs/{MAIN}xf")):
        fill, font = int(xf.get("fillId", "0")), int(xf.get("fontId", "0"))
        if (fill < len(fills) and fills[fill]) or (font < len(bold) and bold[font]):
            found.add(index)
    return found


def _read_structure(package: zipfile.ZipFile, part: str, styles: set[int], sheet: Sheet) -> None:
    with package.open(part) as stream:
        for _event, element in ElementTree.iterparse(stream):  # noqa: S314
            tag = element.tag
            if tag == f"{MAIN}c":
                ref = element.get("r")
                if ref:
                    if element.find(f"{MAIN}f") is not None:
                        sheet.formulas.append(parse_cell(ref))
                    if (
                        styles
                        and int(element.get("s", "0")) in styles
                        and element.find(f"{MAIN}v") is not None
                    ):
                        sheet.highlighted.add(parse_cell(ref))
                element.clear()
            elif tag == f"{MAIN}row":
                if element.get("hidden") in {"1", "true"}:
                    sheet.hidden_rows.append(int(element.get("r", "0")) - 1)
                element.clear()
            elif tag == f"{MAIN}col" and element.get("hidden") in {"1", "true"}:
                first, last = int(element.get("min", "1")), int(element.get("max", "1"))
                sheet.hidden_columns.extend(range(first - 1, min(last, first + 16383)))
            elif tag == f"{MAIN}mergeCell":
                start, _, end = element.get("ref", "").partition(":")
                sheet.merged.append((parse_cell(start), parse_cell(end or start)))
            elif tag == f"{MAIN}drawing":
                sheet.objects += _drawing_objects(package, part, element.get(f"{DOC_REL}id", ""))


def _drawing_objects(package: zipfile.ZipFile, part: str, rel_id: str) -> int:
    """How many pictures, shapes and text boxes the sheet's drawing holds (charts count too)."""
    path = PurePosixPath(part)
    rels = f"{path.parent}/_rels/{path.name}.rels"
    if rels not in package.namelist():
        return 0
    target = next(
        (
            r.get("Target", "")
            for r in ElementTree.fromstring(package.read(rels)).iter(f"{RELS}Relationship")  # noqa: S314
            if r.get("Id") == rel_id
        ),
        "",
    )
    drawing = str(PurePosixPath(path.parent, target)) if not target.startswith("/") else target.lstrip("/")
    drawing = _normalise(drawing)
    if drawing not in package.namelist():
        return 0
    root = ElementTree.fromstring(package.read(drawing))  # noqa: S314
    return sum(
        1 for element in root if element.tag.endswith(("twoCellAnchor", "oneCellAnchor", "absoluteAnchor"))
    )


def _normalise(path: str) -> str:
    parts: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def cells(sheet: Sheet) -> Iterator[tuple[Position, Value]]:
    """Every non-empty cell with its position."""
    for r, row in enumerate(sheet.rows):
        for c, value in enumerate(row):
            if value != "" and value is not None:
                yield (r, c), value
