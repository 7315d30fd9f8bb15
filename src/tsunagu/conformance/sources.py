"""Reading an export as streams of rows: CSV/TSV (UTF-8 or CP932), JSON Lines, Excel .xlsx, and a ZIP of
them. Nothing is read whole: rows come one at a time, ZIP members are streamed with their size and
compression ratio bounded (a ZIP bomb stops at the limit, not at the end of memory).

A file that cannot be read (empty, truncated, wrong encoding, too large) raises :class:`SourceProblem`,
which the checker turns into a finding on that file; the other files are still checked.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from typing import IO, Any, cast

GIB = 1 << 30
MIB = 1 << 20
TEXT_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": ","}
SUFFIXES = (*TEXT_SUFFIXES, ".jsonl", ".ndjson", ".xlsx", ".zip")
_SNIFF = 1 << 16
#: rows read and checked at a time
BATCH = 5000
#: a batch of rows: the number of its first row (the header is row 1) and the rows' cells
Batch = tuple[int, list[list[str]]]


@dataclass(frozen=True)
class Limits:
    """Bounds on what one check reads (docs/conformance.md, 入力の上限)."""

    max_file_bytes: int = 4 * GIB  # one file, or one member of a ZIP once uncompressed
    max_total_bytes: int = 16 * GIB  # everything a check reads, uncompressed
    max_zip_members: int = 1000
    max_zip_ratio: int = 200  # uncompressed / compressed of one member
    max_xlsx_bytes: int = 200 * MIB  # an Excel sheet is decoded whole by calamine: keep it small
    max_cell_chars: int = 100_000


class SourceProblem(Exception):
    """A file that cannot be read as a table; ``rule`` names the finding, ``row`` where it happened."""

    def __init__(self, rule: str, message_ja: str, message_en: str, row: int | None = None) -> None:
        super().__init__(message_en)
        self.rule, self.message_ja, self.message_en, self.row = rule, message_ja, message_en, row


@dataclass
class Source:
    """One table-like stream: ``rows`` yields batches of consecutive rows; the header is row 1."""

    name: str
    table: str
    header: list[str]
    rows: Iterator[Batch]
    encoding: str = ""


class _Counted(io.RawIOBase):
    """A byte stream that stops with a problem once more than ``limit`` bytes come out of it."""

    def __init__(self, raw: IO[bytes], limit: int, name: str, budget: list[int]) -> None:
        self.raw, self.limit, self.name, self.read_bytes, self.budget = raw, limit, name, 0, budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            chunk = self.raw.read(len(buffer))
        except (zipfile.BadZipFile, EOFError, OSError) as error:
            raise SourceProblem(
                "file-truncated",
                f"{self.name}: ファイルが途中で切れているか壊れています",
                f"{self.name}: the file is truncated or damaged ({error})",
            ) from error
        self.read_bytes += len(chunk)
        self.budget[0] -= len(chunk)
        if self.read_bytes > self.limit:
            raise SourceProblem(
                "file-too-large",
                f"{self.name}: 上限({self.limit // MIB} MiB)を超えています",
                f"{self.name}: larger than the limit of {self.limit // MIB} MiB",
            )
        if self.budget[0] < 0:
            raise SourceProblem(
                "file-too-large",
                "入力全体が上限を超えています",
                "the input as a whole is larger than the limit",
            )
        buffer[: len(chunk)] = chunk
        return len(chunk)


def table_name(file_name: str) -> str:
    """The table a file is for: its name without folders and suffix (``2024/persons.csv`` → persons)."""
    return Path(file_name.rsplit("!", 1)[-1]).name.split(".")[0]


def _detect_encoding(head: bytes, name: str) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("cp932")().decode(head, final=False)
        return "cp932"
    except UnicodeDecodeError as error:
        raise SourceProblem(
            "encoding-error",
            f"{name}: UTF-8 でも Shift_JIS(CP932) でもありません",
            f"{name}: neither UTF-8 nor Shift_JIS (CP932) (byte {error.start})",
        ) from error


def _batched(
    rows: Iterator[list[str]],
    first: int,
    problem: Callable[[Exception, int], SourceProblem],
    size: int = BATCH,
) -> Iterator[Batch]:
    """Rows in batches, read by ``islice`` in C; a row that cannot be read ends the stream with the
    ``problem`` it is (its number given), after the batch of the rows before it."""
    number = first
    while True:
        batch: list[list[str]] = []
        try:
            batch.extend(islice(rows, size))  # keeps the rows read before an error
        except SourceProblem:
            if batch:
                yield number, batch
            raise
        except (UnicodeDecodeError, csv.Error) as error:
            if batch:
                yield number, batch
            raise problem(error, number + len(batch)) from error
        if not batch:
            return
        yield number, batch
        number += len(batch)


def _text_rows(
    stream: IO[bytes], name: str, delimiter: str, limits: Limits
) -> tuple[str, list[str], Iterator[Batch]]:
    buffered = io.BufferedReader(cast(io.RawIOBase, stream), buffer_size=1 << 20)
    head = buffered.peek(_SNIFF)[:_SNIFF]
    if not head.strip():
        raise SourceProblem("file-empty", f"{name}: ファイルが空です", f"{name}: the file is empty")
    encoding = _detect_encoding(head, name)
    text = io.TextIOWrapper(buffered, encoding=encoding, errors="strict", newline="")
    csv.field_size_limit(limits.max_cell_chars)
    reader = csv.reader(text, delimiter=delimiter, strict=True)

    def problem(error: Exception, number: int) -> SourceProblem:
        if isinstance(error, UnicodeDecodeError):
            return SourceProblem(
                "encoding-error",
                f"{name}: {number}行目の文字コードが{encoding}ではありません",
                f"{name}: row {number} is not {encoding}",
                number,
            )
        return SourceProblem(
            "format-error",
            f"{name}: {number}行目をCSVとして読めません(引用符の閉じ忘れ、途中で切れたファイルなど)",
            f"{name}: row {number} is not valid CSV ({error}); a quote left open or a truncated file",
            number,
        )

    header = next(_batched(reader, 1, problem, size=1), (1, []))[1]
    if not header:
        raise SourceProblem("file-empty", f"{name}: ファイルが空です", f"{name}: the file is empty")
    return encoding, header[0], _batched(reader, 2, problem)


def _unreadable(name: str) -> Callable[[Exception, int], SourceProblem]:
    def problem(error: Exception, number: int) -> SourceProblem:
        return SourceProblem(
            "format-error",
            f"{name}: {number}行目を読めません",
            f"{name}: row {number} cannot be read ({error})",
            number,
        )

    return problem


def _jsonl_rows(stream: IO[bytes], name: str) -> tuple[list[str], Iterator[Batch]]:
    """JSON Lines: one object per line; the header is the keys of the first object."""
    text = io.TextIOWrapper(io.BufferedReader(cast(io.RawIOBase, stream)), encoding="utf-8", errors="strict")

    def objects() -> Iterator[tuple[int, dict[str, Any]]]:
        number = 1
        try:
            for line in text:
                if line.strip():
                    number += 1
                    try:
                        value = json.loads(line)
                    except json.JSONDecodeError as error:
                        raise SourceProblem(
                            "format-error",
                            f"{name}: {number - 1}行目がJSONではありません",
                            f"{name}: line {number - 1} is not JSON ({error.msg})",
                            number,
                        ) from error
                    if not isinstance(value, dict):
                        raise SourceProblem(
                            "format-error",
                            f"{name}: {number - 1}行目がJSONオブジェクトではありません",
                            f"{name}: line {number - 1} is not a JSON object",
                            number,
                        )
                    yield number, value
        except UnicodeDecodeError as error:
            raise SourceProblem(
                "encoding-error", f"{name}: UTF-8 ではありません", f"{name}: not UTF-8", number
            ) from error

    found = objects()
    first = next(found, None)
    if first is None:
        raise SourceProblem("file-empty", f"{name}: ファイルが空です", f"{name}: the file is empty")
    header = list(first[1])

    def rows() -> Iterator[list[str]]:
        for number, value in _chain(first, found):
            extra = [k for k in value if k not in header]
            if extra:
                raise SourceProblem(
                    "extra-label",
                    f"{name}: {number - 1}行目に定義にない項目 {extra[0]} があります",
                    f"{name}: line {number - 1} has a key {extra[0]!r} the first line has not",
                    number,
                )
            yield [_cell(value.get(k)) for k in header]

    return header, _batched(rows(), first[0], _unreadable(name))


def _chain(
    first: tuple[int, dict[str, Any]], rest: Iterator[tuple[int, dict[str, Any]]]
) -> Iterator[tuple[int, dict[str, Any]]]:
    yield first
    yield from rest


def _cell(value: object) -> str:
    """A JSON or Excel value as the text a CSV cell would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _xlsx_sources(data: IO[bytes], name: str, limits: Limits) -> Iterator[Source]:
    """Every sheet of a workbook is a table named by the sheet (calamine reads a sheet whole)."""
    from python_calamine import CalamineWorkbook  # imported here: only Excel input needs it

    try:
        with zipfile.ZipFile(data) as archive:
            size = sum(i.file_size for i in archive.infolist())
        if size > limits.max_xlsx_bytes:
            raise SourceProblem(
                "file-too-large",
                f"{name}: Excelファイルが大きすぎます(CSVで出力してください)",
                f"{name}: the workbook is larger than {limits.max_xlsx_bytes // MIB} MiB "
                "uncompressed; export CSV instead",
            )
        data.seek(0)
        workbook = CalamineWorkbook.from_filelike(data)
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise SourceProblem(
            "format-error",
            f"{name}: Excel(.xlsx)として読めません",
            f"{name}: not a readable .xlsx workbook ({error})",
        ) from error
    for sheet_name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(sheet_name)
        iterator = iter(sheet.iter_rows())
        header = [_cell(v) for v in next(iterator, [])]
        if not any(header):
            raise SourceProblem(
                "file-empty",
                f"{name}: シート {sheet_name} が空です",
                f"{name}: sheet {sheet_name!r} is empty",
            )

        def rows(values: Iterator[list[Any]] = iterator) -> Iterator[list[str]]:
            for cells in values:
                yield [_cell(v) for v in cells]

        yield Source(
            f"{name}!{sheet_name}", sheet_name, header, _batched(rows(), 2, _unreadable(name)), "xlsx"
        )


def _open_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits, budget: list[int]
) -> IO[bytes]:
    if info.file_size > limits.max_file_bytes:
        raise SourceProblem(
            "file-too-large",
            f"{name}: 上限({limits.max_file_bytes // MIB} MiB)を超えています",
            f"{name}: larger than the limit of {limits.max_file_bytes // MIB} MiB",
        )
    if info.compress_size and info.file_size / info.compress_size > limits.max_zip_ratio:
        raise SourceProblem(
            "zip-bomb",
            f"{name}: 圧縮率が異常に高いため読みません(ZIP爆弾の疑い)",
            f"{name}: compression ratio above {limits.max_zip_ratio}:1; not read (a ZIP bomb?)",
        )
    # the declared size can lie: the stream itself stops at the declared size (and the limit)
    limit = min(limits.max_file_bytes, info.file_size)
    return cast(IO[bytes], io.BufferedReader(_Counted(archive.open(info), limit, name, budget)))


def _from_stream(stream: IO[bytes], name: str, limits: Limits) -> Iterator[Source]:
    suffix = Path(name).suffix.lower()
    if suffix in TEXT_SUFFIXES:
        encoding, header, rows = _text_rows(stream, name, TEXT_SUFFIXES[suffix], limits)
        yield Source(name, table_name(name), header, rows, encoding)
    elif suffix in (".jsonl", ".ndjson"):
        header, rows = _jsonl_rows(stream, name)
        yield Source(name, table_name(name), header, rows, "utf-8")
    elif suffix == ".xlsx":
        yield from _xlsx_sources(stream, name, limits)
    else:
        raise SourceProblem(
            "unknown-file",
            f"{name}: 対応していない形式です(CSV、TSV、JSON Lines、xlsx、ZIP)",
            f"{name}: not a supported format (CSV, TSV, JSON Lines, .xlsx, ZIP)",
        )


Opened = Iterator[Source | SourceProblem]


def _zip_sources(path: Path, limits: Limits, budget: list[int]) -> Opened:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        yield SourceProblem(
            "format-error",
            f"{path.name}: ZIPとして読めません(途中で切れていませんか)",
            f"{path.name}: not a readable ZIP file ({error}); is it truncated?",
        )
        return
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()]
        if len(members) > limits.max_zip_members:
            yield SourceProblem(
                "zip-bomb",
                f"{path.name}: ファイル数が上限({limits.max_zip_members})を超えています",
                f"{path.name}: more than {limits.max_zip_members} files",
            )
            return
        for info in members:
            name = f"{path.name}!{info.filename}"
            if Path(info.filename).suffix.lower() == ".zip":
                yield SourceProblem(
                    "unknown-file",
                    f"{name}: ZIPの中のZIPは読みません",
                    f"{name}: a ZIP inside a ZIP is not read",
                )
                continue
            try:
                stream = _open_member(archive, info, name, limits, budget)
                if Path(info.filename).suffix.lower() == ".xlsx":
                    stream = io.BytesIO(stream.read())  # calamine needs a seekable file (bounded above)
                yield from _from_stream(stream, name, limits)
            except SourceProblem as problem:
                yield problem


def open_inputs(paths: list[Path], limits: Limits) -> Opened:
    """Every table in ``paths`` (files or ZIPs), or the problem that stopped one file from being read."""
    budget = [limits.max_total_bytes]
    for path in paths:
        try:
            size = path.stat().st_size
        except OSError as error:
            yield SourceProblem(
                "file-missing",
                f"{path.name}: ファイルを開けません",
                f"{path}: cannot be opened ({error.strerror})",
            )
            continue
        if size > limits.max_file_bytes:
            yield SourceProblem(
                "file-too-large",
                f"{path.name}: 上限({limits.max_file_bytes // MIB} MiB)を超えています",
                f"{path.name}: {size // MIB} MiB is larger than the limit of "
                f"{limits.max_file_bytes // MIB} MiB",
            )
            continue
        if path.suffix.lower() == ".zip":
            yield from _zip_sources(path, limits, budget)
            continue
        try:
            with path.open("rb") as handle:
                stream: IO[bytes] = (
                    handle
                    if path.suffix.lower() == ".xlsx"
                    else cast(
                        IO[bytes],
                        io.BufferedReader(_Counted(handle, limits.max_file_bytes, path.name, budget)),
                    )
                )
                yield from _from_stream(stream, path.name, limits)
        except SourceProblem as problem:
            yield problem
