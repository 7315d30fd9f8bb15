"""Checks of one cell against its column (データ項目): Table Schema's types and constraints with the
meaning frictionless gives them, and our extensions (code list, JIS X 0213, 和暦, check digit).

Each column gets one compiled function ``(text) -> list of problems``; the checker calls it for every
cell, so it does as little as it can for a valid value."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache

from tsunagu.conformance.requirements import CodeList, Column
from tsunagu.core.types.base import InvalidValue
from tsunagu.core.types.local_government_code import LocalGovernmentCode
from tsunagu.core.types.text import first_character_outside_jis
from tsunagu.core.types.wareki import ERAS, GREGORIAN_ADOPTED, format_wareki, parse_date

#: (rule, message ja, message en)
Problem = tuple[str, str, str]
CellCheck = Callable[[str], tuple[Problem, ...]]
_CACHE = 1 << 16

_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRUE = frozenset({"true", "True", "TRUE", "1"})
_FALSE = frozenset({"false", "False", "FALSE", "0"})
TYPE_NAMES = {
    "string": ("文字列", "text"),
    "integer": ("整数", "an integer"),
    "number": ("数値", "a number"),
    "date": ("日付(YYYY-MM-DD)", "a date (YYYY-MM-DD)"),
    "boolean": ("真偽値", "true or false"),
}


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _type_ok(kind: str) -> Callable[[str], bool]:
    return {
        "string": lambda _text: True,
        "integer": lambda text: _INTEGER.fullmatch(text) is not None,
        "number": lambda text: _NUMBER.fullmatch(text) is not None,
        "date": _is_date,
        "boolean": lambda text: text in _TRUE or text in _FALSE,
    }[kind]


def _constraints(column: Column) -> list[Callable[[str], Problem | None]]:
    checks: list[Callable[[str], Problem | None]] = []
    if column.min_length is not None:
        low = column.min_length
        checks.append(
            lambda t: (
                None
                if len(t) >= low
                else (
                    "constraint-error",
                    f"{low}文字以上であること({len(t)}文字)",
                    f"at least {low} characters ({len(t)})",
                )
            )
        )
    if column.max_length is not None:
        high = column.max_length
        checks.append(
            lambda t: (
                None
                if len(t) <= high
                else (
                    "constraint-error",
                    f"{high}文字以内であること({len(t)}文字)",
                    f"at most {high} characters ({len(t)})",
                )
            )
        )
    if column.pattern is not None:
        pattern = column.pattern
        checks.append(
            lambda t: (
                None
                if pattern.fullmatch(t)
                else (
                    "constraint-error",
                    "定められた形式(文字の種類・桁)に合わない",
                    f"does not match {pattern.pattern}",
                )
            )
        )
    if column.enum is not None:
        allowed = frozenset(column.enum)
        checks.append(
            lambda t: (
                None
                if t in allowed
                else ("constraint-error", "許される値のいずれでもない", "not one of the allowed values")
            )
        )
    if column.type in ("integer", "number") and (column.minimum is not None or column.maximum is not None):
        low_value, high_value = column.minimum, column.maximum
        checks.append(
            lambda t: (
                None
                if (
                    (low_value is None or float(t) >= low_value)
                    and (high_value is None or float(t) <= high_value)
                )
                else ("constraint-error", "値が範囲外", "value out of range")
            )
        )
    return checks


def _extensions(column: Column, code_lists: dict[str, CodeList]) -> list[Callable[[str], Problem | None]]:
    checks: list[Callable[[str], Problem | None]] = []
    if column.code_list:
        codes = frozenset(code_lists[column.code_list].labels)
        name = column.code_list
        checks.append(
            lambda t: (
                None
                if t in codes
                else ("code-list", "コード表にない値", f"not a code of the code list {name!r}")
            )
        )
    if column.charset == "jis-x-0213":

        def jis(text: str) -> Problem | None:
            if text.isascii():
                return None
            index = first_character_outside_jis(text)
            if index is None:
                return None
            code = f"U+{ord(text[index]):04X}"
            return (
                "charset",
                f"{index + 1}文字目({code})が JIS X 0213 にない",
                f"character {index + 1} ({code}) is outside JIS X 0213",
            )

        checks.append(jis)
    if column.text_format == "wareki":

        def wareki(text: str) -> Problem | None:
            if _canonical_wareki(text) is not None:
                return None
            try:
                parse_date(text)
            except InvalidValue:
                return (
                    "wareki",
                    "和暦の日付として読めない(例 昭和55年4月1日)",
                    "not a Japanese-era date (e.g. 昭和55年4月1日)",
                )
            return None

        checks.append(wareki)
    if column.check == "local-government-code":

        def lg_code(text: str) -> Problem | None:
            try:
                LocalGovernmentCode(text)
            except InvalidValue:
                return (
                    "check-digit",
                    "全国地方公共団体コードの検査数字が合わない",
                    "not a local government code with a valid check digit",
                )
            return None

        checks.append(lg_code)
    return checks


def compile_column(column: Column, code_lists: dict[str, CodeList]) -> CellCheck:
    """The check of one present (non-missing) cell of ``column``."""
    type_ok = _type_ok(column.type)
    ja, en = TYPE_NAMES[column.type]
    after = _constraints(column) + _extensions(column, code_lists)

    if column.type == "string" and not after:
        return _nothing
    if column.type == "string" and not _extensions(column, code_lists) and column.enum is None:
        # identifiers and names: one test of length and pattern answers the usual valid value
        low, high, pattern = column.min_length or 0, column.max_length, column.pattern

        def plain(text: str) -> tuple[Problem, ...]:
            if (
                low <= len(text)
                and (high is None or len(text) <= high)
                and (pattern is None or pattern.fullmatch(text))
            ):
                return ()
            return tuple(problem for rule in after if (problem := rule(text)) is not None)

        return plain

    def check(text: str) -> tuple[Problem, ...]:
        if not type_ok(text):
            return (("type-error", f"{ja}ではない", f"not {en}"),)
        return tuple(problem for rule in after if (problem := rule(text)) is not None)

    # Codes, dates and era dates repeat across millions of rows: their answers are remembered
    # (bounded); identifiers, which never repeat, are not worth a cache.
    repeats = column.type in ("date", "boolean") or bool(
        column.code_list or column.text_format or column.check or column.enum
    )
    return lru_cache(maxsize=_CACHE)(check) if repeats else check


def compile_bulk(column: Column, code_lists: dict[str, CodeList]) -> Callable[[set[str]], bool] | None:
    """For a column of identifiers or integers: whether a whole set of present values is valid, in
    one pass of C-level calls (``map``, ``min``, ``max``); None where only the value check can tell.
    A False answer only sends the values to the value check, which then says what is wrong."""
    if column.enum is not None or _extensions(column, code_lists):
        return None
    low, high, pattern = column.min_length or 0, column.max_length, column.pattern
    if column.type == "string":
        matches = _all_match(pattern) if pattern is not None else None

        def strings(values: set[str]) -> bool:
            return not values or (
                min(map(len, values)) >= low
                and (high is None or max(map(len, values)) <= high)
                and (matches is None or matches(values))
            )

        return strings
    if column.type == "integer" and not (low or high or pattern):
        minimum, maximum = column.minimum, column.maximum

        def integers(values: set[str]) -> bool:
            if not values or not all(map(_INTEGER.fullmatch, values)):
                return not values
            numbers = list(map(int, values))
            return (minimum is None or min(numbers) >= minimum) and (
                maximum is None or max(numbers) <= maximum
            )

        return integers
    return None


#: a pattern of positive character classes and literals only (``[0-9a-f]{32}``, ``[ァ-ヶー　]+``):
#: it can never match a line break, so values joined by line breaks match it one by one
_POSITIVE = re.compile(r"(?:(?:\[[^\]\[\\^\x00-\x1f]+\]|[0-9A-Za-z])(?:\{\d+(?:,\d*)?\}|[+*?])?)+")


def _all_match(pattern: re.Pattern[str]) -> Callable[[set[str]], bool]:
    """Whether every value of a set matches ``pattern`` in full: for a positive pattern in one pass
    of the regex over the values joined by line breaks (no value holds one), else value by value."""
    if _POSITIVE.fullmatch(pattern.pattern) is None or pattern.flags & ~re.UNICODE:
        return lambda values: all(map(pattern.fullmatch, values))
    joined = re.compile(f"(?:(?:{pattern.pattern})\n)*")

    def matches(values: set[str]) -> bool:
        text = "\n".join(values)
        return not values or (text.count("\n") == len(values) - 1 and bool(joined.fullmatch(text + "\n")))

    return matches


def _nothing(_text: str) -> tuple[Problem, ...]:
    return ()


_WAREKI_CANONICAL = re.compile(r"(明治|大正|昭和|平成|令和)(元|[1-9][0-9]?)年([1-9][0-9]?)月([1-9][0-9]?)日")
_ERA_START = {era.name: era.start.year for era in ERAS}


@lru_cache(maxsize=_CACHE)  # asked twice per value: by its column's check and by x-equals-date
def _canonical_wareki(text: str) -> date | None:
    """The day of a 和暦 text written exactly as ``format_wareki`` writes it, else None.

    The common case without the general parser (which normalizes width and spellings first): the text
    is rebuilt from the day it names and must come out the same, which also rules out a day outside
    its era (平成31年5月1日 is 令和元年5月1日)."""
    match = _WAREKI_CANONICAL.fullmatch(text)
    if match is None:
        return None
    year = 1 if match[2] == "元" else int(match[2])
    try:
        day = date(_ERA_START[match[1]] + year - 1, int(match[3]), int(match[4]))
    except ValueError:
        return None
    if day < GREGORIAN_ADOPTED:
        return None
    return day if format_wareki(day) == text else None


@lru_cache(maxsize=1 << 16)
def wareki_matches(wareki_text: str, iso: str) -> Problem | None:
    """A 和暦 text that must say the same day as an ISO date column (x-equals-date)."""
    if (day := _canonical_wareki(wareki_text)) is not None and day.isoformat() == iso:
        return None
    try:
        said = parse_date(wareki_text)
        day = date.fromisoformat(iso)
    except (InvalidValue, ValueError):
        return None  # each is reported by its own column check
    if said == day:
        return None
    return (
        "wareki",
        f"和暦が日付と一致しない(正しくは {format_wareki(day)})",
        f"the era date says {said.isoformat()}, the date column {iso}",
    )
