from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from tsunagu.core.types.wareki import InvalidDate, JapaneseDate, format_wareki, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和7年11月22日", date(2025, 11, 22)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("大正15年12月24日", date(1926, 12, 24)),
        ("明治45年7月29日", date(1912, 7, 29)),
        ("令和７年１１月２２日", date(2025, 11, 22)),
        ("R7.11.22", date(2025, 11, 22)),
        ("ｈ３１．４．３０", date(2019, 4, 30)),
        ("2025-11-22", date(2025, 11, 22)),
        ("2025年11月22日", date(2025, 11, 22)),
    ],
)
def test_parse(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 11, 22), "令和7年11月22日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1926, 12, 25), "昭和元年12月25日"),
        (date(1912, 7, 30), "大正元年7月30日"),
        (date(1900, 1, 1), "明治33年1月1日"),
    ],
)
def test_format(day: date, expected: str) -> None:
    assert format_wareki(day) == expected
    assert parse_date(expected) == day


def test_format_without_gannen() -> None:
    assert format_wareki(date(2019, 5, 1), gannen=False) == "令和1年5月1日"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("平成31年5月1日", "after 平成 ended; that day is 令和元年5月1日"),
        ("令和元年4月30日", "before 令和 began on 令和元年5月1日"),
        ("昭和64年1月8日", "after 昭和 ended"),
        ("令和7年2月30日", "not a calendar date"),
        ("令和0年1月1日", "starts at 元年"),
        ("明治5年1月1日", "adopted the Gregorian calendar"),
        ("2025-13-01", "not a calendar date"),
        ("来週の月曜", "is not a date"),
    ],
)
def test_invalid(text: str, message: str) -> None:
    with pytest.raises(InvalidDate, match=message):
        parse_date(text)


class Form(BaseModel):
    birth_date: JapaneseDate


def test_pydantic_field_accepts_wareki_and_writes_iso() -> None:
    form = Form.model_validate({"birth_date": "昭和50年3月4日"})
    assert form.birth_date == date(1975, 3, 4)
    assert form.model_dump_json() == '{"birth_date":"1975-03-04"}'
    assert Form.model_json_schema()["properties"]["birth_date"]["format"] == "date"
    with pytest.raises(ValidationError, match="after 平成 ended"):
        Form.model_validate({"birth_date": "平成31年5月1日"})
