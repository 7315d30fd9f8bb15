"""Bounded query parameters: every integer and date a client can send has a range.

Without one, ``offset=9223372036854775808`` overflowed the database's 64-bit integer and a day
such as ``9999-12-31`` overflowed the next day's arithmetic — 500s where the client deserved a
422 naming the parameter. Routes take :data:`Day` / :data:`OptionalDay` for a date and the
pagination dependency's ``offset`` is bounded by :data:`MAX_OFFSET`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from annotated_types import Ge, Le

#: the largest ``offset`` a list accepts (a 32-bit count: far beyond any list's length)
MAX_OFFSET = 2**31 - 1
#: the earliest day a query may name: 明治元年 (1868), before which no 和暦 date of the registry lies
MIN_DAY = date(1868, 1, 1)
#: the latest day a query may name (far enough for any schedule, short of calendar overflow)
MAX_DAY = date(2199, 12, 31)

#: a date query parameter within [MIN_DAY, MAX_DAY] (422 outside it)
Day = Annotated[date, Ge(MIN_DAY), Le(MAX_DAY)]
OptionalDay = Day | None
