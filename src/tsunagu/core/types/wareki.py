"""Dates: ISO 8601 in and out, and 和暦 (令和7年11月22日) parsed and displayed.

Eras follow the Gregorian calendar, which Japan adopted on 明治6年1月1日 (1873-01-01); earlier
明治 dates were lunisolar and are rejected rather than silently misconverted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from tsunagu.core.types.base import InvalidValue
from tsunagu.core.types.text import normalize_width


class InvalidDate(InvalidValue):
    code: ClassVar[str] = "invalid-date"
    title: ClassVar[str] = "Invalid date"


@dataclass(frozen=True)
class Era:
    name: str
    initial: str
    start: date


ERAS: tuple[Era, ...] = (
    Era("令和", "R", date(2019, 5, 1)),
    Era("平成", "H", date(1989, 1, 8)),
    Era("昭和", "S", date(1926, 12, 25)),
    Era("大正", "T", date(1912, 7, 30)),
    Era("明治", "M", date(1868, 1, 25)),
)
GREGORIAN_ADOPTED = date(1873, 1, 1)
_BY_NAME = {era.name: era for era in ERAS} | {era.initial: era for era in ERAS}

_WAREKI = re.compile(
    r"^(?P<era>令和|平成|昭和|大正|明治|[RHSTM])\s*(?P<year>元|\d{1,2})\s*(?:年|[./-])\s*"
    r"(?P<month>\d{1,2})\s*(?:月|[./-])\s*(?P<day>\d{1,2})\s*日?$",
    re.IGNORECASE,
)
_ISO = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})$")
_KANJI_DATE = re.compile(r"^(?P<year>\d{4})\s*[年/]\s*(?P<month>\d{1,2})\s*[月/]\s*(?P<day>\d{1,2})\s*日?$")


def era_of(day: date) -> Era:
    for era in ERAS:
        if day >= era.start:
            return era
    raise InvalidDate("date", f"{day.isoformat()} is before 明治 and has no 和暦")


def format_wareki(day: date, *, gannen: bool = True) -> str:
    """令和7年11月22日; the first year of an era is 元年 unless ``gannen`` is False."""
    if day < GREGORIAN_ADOPTED:
        raise InvalidDate(
            "date", f"{day.isoformat()} is before 明治6年1月1日, when Japan adopted the Gregorian calendar"
        )
    era = era_of(day)
    year = day.year - era.start.year + 1
    year_text = "元" if year == 1 and gannen else str(year)
    return f"{era.name}{year_text}年{day.month}月{day.day}日"


def _make_date(year: int, month: int, day: int, original: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidDate("date", f"{original!r} is not a calendar date") from None


def parse_date(text: str) -> date:
    """ISO 8601 (2025-11-22), 2025年11月22日, or 和暦 (令和7年11月22日, 令和元年5月1日, R7.11.22).

    Full-width digits and punctuation are accepted. A 和暦 date outside its era (平成31年5月1日) is rejected.
    """
    cleaned = normalize_width(text)
    if match := _ISO.match(cleaned) or _KANJI_DATE.match(cleaned):
        return _make_date(int(match["year"]), int(match["month"]), int(match["day"]), text)
    match = _WAREKI.match(cleaned)
    if match is None:
        raise InvalidDate("date", f"{text!r} is not a date; write 2025-11-22 or 令和7年11月22日")
    era = _BY_NAME[match["era"].upper() if match["era"].isascii() else match["era"]]
    era_year = 1 if match["year"] == "元" else int(match["year"])
    if era_year < 1:
        raise InvalidDate("date", f"{text!r}: an era year starts at 元年 (1)")
    day = _make_date(era.start.year + era_year - 1, int(match["month"]), int(match["day"]), text)
    if day < era.start:
        raise InvalidDate(
            "date",
            f"{text!r} is before {era.name} began on {format_wareki(era.start)} ({era.start.isoformat()})",
        )
    following = ERAS[ERAS.index(era) - 1] if era is not ERAS[0] else None
    if following is not None and day >= following.start:
        raise InvalidDate(
            "date",
            f"{text!r} is after {era.name} ended; that day is {format_wareki(day)} ({day.isoformat()})",
        )
    if day < GREGORIAN_ADOPTED:
        raise InvalidDate(
            "date", f"{text!r} is before 明治6年1月1日, when Japan adopted the Gregorian calendar"
        )
    return day


def _coerce(value: Any) -> Any:
    return parse_date(value) if isinstance(value, str) else value


JapaneseDate = Annotated[
    date,
    BeforeValidator(_coerce),
    PlainSerializer(date.isoformat, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "description": "ISO 8601 (2025-11-22); 和暦 such as 令和7年11月22日 is accepted",
        }
    ),
]
"""A date field that accepts ISO 8601 or 和暦 and is written as ISO 8601."""
