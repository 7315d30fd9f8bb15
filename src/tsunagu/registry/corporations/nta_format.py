"""The National Tax Agency's 法人番号 published-data CSV (全件データ・差分データ, Unicode/UTF-8).

Files have no header; each line has these 30 columns, in this order (リソース定義書). A
corporation that changed appears once per change; ``latest`` marks its newest record.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from operator import attrgetter, gt, itemgetter, mul
from pathlib import Path

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.types.corporate_number import CorporateNumber
from tsunagu.core.types.local_government_code import LocalGovernmentCode

COLUMNS: tuple[str, ...] = (
    "sequenceNumber",
    "corporateNumber",
    "process",
    "correct",
    "updateDate",
    "changeDate",
    "name",
    "nameImageId",
    "kind",
    "prefectureName",
    "cityName",
    "streetNumber",
    "addressImageId",
    "prefectureCode",
    "cityCode",
    "postCode",
    "addressOutside",
    "addressOutsideImageId",
    "closeDate",
    "closeCause",
    "successorCorporateNumber",
    "changeCause",
    "assignmentDate",
    "latest",
    "enName",
    "enPrefectureName",
    "enCityName",
    "enAddressOutside",
    "furigana",
    "hihyoji",
)

PROCESSES: dict[str, str] = {
    "01": "新規",
    "11": "商号又は名称の変更",
    "12": "国内所在地の変更",
    "13": "国外所在地の変更",
    "21": "登記記録の閉鎖等",
    "22": "登記記録の復活等",
    "71": "吸収合併",
    "72": "吸収合併無効",
    "81": "商号の登記の抹消",
    "99": "削除",
}
KINDS: dict[str, str] = {
    "101": "国の機関",
    "201": "地方公共団体",
    "301": "株式会社",
    "302": "有限会社",
    "303": "合名会社",
    "304": "合資会社",
    "305": "合同会社",
    "399": "その他の設立登記法人",
    "401": "外国会社等",
    "499": "その他",
}
CLOSE_CAUSES: dict[str, str] = {
    "01": "清算の結了等",
    "11": "合併による解散等",
    "21": "登記官による閉鎖",
    "31": "その他の清算の結了等",
}
# Longest text the registry stores per column (the published limits, with room for 全角).
MAX_LENGTHS: dict[str, int] = {
    "name": 300,
    "prefectureName": 10,
    "cityName": 40,
    "streetNumber": 300,
    "addressOutside": 300,
    "changeCause": 500,
    "enName": 300,
    "enPrefectureName": 9,
    "enCityName": 600,
    "enAddressOutside": 600,
    "furigana": 500,
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class BadRow(ValueError):
    """Why one line of a file cannot be imported."""


class FileUnreadable(ValidationFailed):
    code = "corporations-file-unreadable"
    title = "Corporate number file unreadable"


@dataclass(frozen=True, slots=True)
class NtaRecord:
    """One line of the published data, validated and typed."""

    sequence_number: int
    number: str
    process: str
    correction: bool
    update_date: date
    change_date: date | None
    name: str
    kind: str
    prefecture_name: str
    city_name: str
    street_number: str
    prefecture_code: str
    city_code: str
    post_code: str
    address_outside: str
    close_date: date | None
    close_cause: str
    successor_number: str
    change_cause: str
    assignment_date: date | None
    latest: bool
    en_name: str
    en_prefecture_name: str
    en_city_name: str
    en_address_outside: str
    furigana: str
    hidden: bool

    def fingerprint(self) -> str:
        """Identifies the same published change across files (sequence and ``latest`` aside)."""
        values = list(_fingerprinted(self))
        for index in _OPTIONAL_FINGERPRINTED:
            if values[index] is None:
                values[index] = ""
        return hashlib.sha256("\x1f".join(map(str, values)).encode()).hexdigest()

    def to_row(self) -> list[str]:
        """The 30 CSV columns of this record (image ids are not kept, so they are empty)."""
        return [
            str(self.sequence_number),
            self.number,
            self.process,
            "1" if self.correction else "0",
            self.update_date.isoformat(),
            _iso(self.change_date),
            self.name,
            "",
            self.kind,
            self.prefecture_name,
            self.city_name,
            self.street_number,
            "",
            self.prefecture_code,
            self.city_code,
            self.post_code,
            self.address_outside,
            "",
            _iso(self.close_date),
            self.close_cause,
            self.successor_number,
            self.change_cause,
            _iso(self.assignment_date),
            "1" if self.latest else "0",
            self.en_name,
            self.en_prefecture_name,
            self.en_city_name,
            self.en_address_outside,
            self.furigana,
            "1" if self.hidden else "0",
        ]


RECORD_FIELDS = tuple(field.name for field in fields(NtaRecord))
_NOT_FINGERPRINTED = frozenset({"sequence_number", "latest"})
_FINGERPRINTED = tuple(name for name in RECORD_FIELDS if name not in _NOT_FINGERPRINTED)
_fingerprinted = attrgetter(*_FINGERPRINTED)
# The fields that may be None (written as ""); every other value is written as str() does.
_OPTIONAL_FINGERPRINTED = tuple(
    index
    for index, name in enumerate(_FINGERPRINTED)
    if "None" in str(NtaRecord.__dataclass_fields__[name].type)
)


@lru_cache(maxsize=4096)
def municipality_code(prefecture_code: str, city_code: str) -> str:
    """The 全国地方公共団体コード of prefectureCode + cityCode, with its check digit ("" when
    either is missing, as for an address abroad)."""
    if not (prefecture_code and city_code):
        return ""
    return LocalGovernmentCode.from_five_digits(prefecture_code + city_code)


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""


def _required_date(value: str, column: str) -> date:
    day = _date(value, column)
    if day is None:
        raise BadRow(f"{column} is required")
    return day


class _NotADate(ValueError):
    pass


@lru_cache(maxsize=8192)
def _calendar_day(value: str) -> date:
    """The date of ``value``; remembered, since a file repeats the same few thousand dates."""
    if not _ISO_DATE.match(value):
        raise _NotADate("is not a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _NotADate("is not a calendar date") from None


def _date(value: str, column: str) -> date | None:
    if not value:
        return None
    try:
        return _calendar_day(value)
    except _NotADate as exc:
        raise BadRow(f"{column} {value!r} {exc}") from None


def _flag(value: str, column: str) -> bool:
    if value not in ("", "0", "1"):
        raise BadRow(f"{column} must be 0 or 1, got {value!r}")
    return value == "1"


def _digits(value: str, column: str, length: int) -> str:
    if value and (len(value) != length or not value.isascii() or not value.isdigit()):
        raise BadRow(f"{column} must be {length} digits, got {value!r}")
    return value


def _code(value: str, column: str, codes: dict[str, str], *, required: bool = True) -> str:
    if (value or required) and value not in codes:
        raise BadRow(f"{column} {value!r} is not one of the codes {', '.join(codes)}")
    return value


# stdnum.jp.cn's weights (1, 2, … from the right) from the left, applied to the digits' code points.
_NUMBER_WEIGHTS = (2, 1) * 6
_NUMBER_OFFSET = ord("0") * sum(_NUMBER_WEIGHTS)


def _corporate_number(value: str, column: str) -> str:
    """A published number as it stands (13 ASCII digits with a good check digit) without
    ``CorporateNumber``'s normalization, which only other spellings need."""
    if (
        len(value) == 13
        and value.isascii()
        and value.isdigit()
        and 9 - (sum(map(mul, value[1:].encode(), _NUMBER_WEIGHTS)) - _NUMBER_OFFSET) % 9
        == ord(value[0]) - ord("0")
    ):
        return value
    try:
        return str(CorporateNumber(value))
    except ValidationFailed as exc:
        raise BadRow(f"{column}: {exc.detail}") from None


_limited_cells = itemgetter(*(COLUMNS.index(column) for column in MAX_LENGTHS))
_LIMITS = tuple(MAX_LENGTHS.values())


def parse_row(row: list[str]) -> NtaRecord:
    """Validate one CSV row; raises BadRow naming the column and the rule it breaks."""
    if len(row) != len(COLUMNS):
        raise BadRow(f"expected {len(COLUMNS)} columns, found {len(row)}")
    cells = list(map(str.strip, row))
    if any(map(gt, map(len, _limited_cells(cells)), _LIMITS)):
        column, limit = next(
            (column, limit)
            for (column, limit), cell in zip(MAX_LENGTHS.items(), _limited_cells(cells), strict=True)
            if len(cell) > limit
        )
        raise BadRow(f"{column} is longer than {limit} characters")
    (
        sequence,
        number,
        process,
        correct,
        update_date,
        change_date,
        name,
        _name_image,
        kind,
        prefecture_name,
        city_name,
        street_number,
        _address_image,
        prefecture_code,
        city_code,
        post_code,
        address_outside,
        _outside_image,
        close_text,
        close_cause,
        successor,
        change_cause,
        assignment_date,
        latest,
        en_name,
        en_prefecture_name,
        en_city_name,
        en_address_outside,
        furigana,
        hihyoji,
    ) = cells
    if not sequence.isdigit():
        raise BadRow(f"sequenceNumber must be a number, got {sequence!r}")
    process = _code(process, "process", PROCESSES)
    close_date = _date(close_text, "closeDate")
    if process == "21" and close_date is None:
        raise BadRow("process 21 (登記記録の閉鎖等) needs closeDate")
    if process != "99" and not name:
        raise BadRow("name is required")
    return NtaRecord(
        sequence_number=int(sequence),
        number=_corporate_number(number, "corporateNumber"),
        process=process,
        correction=_flag(correct, "correct"),
        update_date=_required_date(update_date, "updateDate"),
        change_date=_date(change_date, "changeDate"),
        name=name,
        kind=_code(kind, "kind", KINDS),
        prefecture_name=prefecture_name,
        city_name=city_name,
        street_number=street_number,
        prefecture_code=_prefecture_code(prefecture_code),
        city_code=_digits(city_code, "cityCode", 3),
        post_code=_digits(post_code, "postCode", 7),
        address_outside=address_outside,
        close_date=close_date,
        close_cause=_code(close_cause, "closeCause", CLOSE_CAUSES, required=False),
        successor_number=_corporate_number(successor, "successorCorporateNumber") if successor else "",
        change_cause=change_cause,
        assignment_date=_date(assignment_date, "assignmentDate"),
        latest=_flag(latest, "latest"),
        en_name=en_name,
        en_prefecture_name=en_prefecture_name,
        en_city_name=en_city_name,
        en_address_outside=en_address_outside,
        furigana=furigana,
        hidden=_flag(hihyoji, "hihyoji"),
    )


def _prefecture_code(value: str) -> str:
    code = _digits(value, "prefectureCode", 2)
    if code and not 1 <= int(code) <= 47:
        raise BadRow(f"prefectureCode {code!r} is not a prefecture (01–47)")
    return code


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    reason: str


def _open_text(path: Path) -> io.TextIOBase:
    """The CSV text of ``path``; a downloaded .zip is read through its one CSV member."""
    try:
        if path.suffix.lower() == ".zip":
            archive = zipfile.ZipFile(path)
            members = [name for name in archive.namelist() if name.lower().endswith(".csv")]
            if len(members) != 1:
                raise FileUnreadable(f"{path.name} should hold exactly one .csv file, found {len(members)}")
            return io.TextIOWrapper(archive.open(members[0]), encoding="utf-8-sig", newline="")
        return open(path, encoding="utf-8-sig", newline="")
    except (OSError, zipfile.BadZipFile) as exc:
        raise FileUnreadable(f"cannot read {path}: {exc}") from None


def read(path: Path) -> Iterator[tuple[int, NtaRecord | RowError]]:
    """Each line of the file as (line number, record or the reason it is bad)."""
    with _open_text(path) as handle:
        reader = csv.reader(handle)
        try:
            for row in reader:
                if not row:
                    continue
                try:
                    yield reader.line_num, parse_row(row)
                except BadRow as exc:
                    yield reader.line_num, RowError(reader.line_num, str(exc))
        except UnicodeDecodeError:
            raise FileUnreadable(
                f"{path.name} is not UTF-8 text after line {reader.line_num}; use the "
                "Unicode CSV files of the 法人番号公表サイト"
            ) from None
        except csv.Error as exc:
            raise FileUnreadable(f"{path.name} line {reader.line_num}: {exc}") from None


def write(path: Path, records: Iterator[NtaRecord] | list[NtaRecord]) -> int:
    """Write records in the published layout (no header, every field quoted); returns the count."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        for record in records:
            writer.writerow(record.to_row())
            count += 1
    return count
