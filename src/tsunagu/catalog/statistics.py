"""Open statistics from the resident register (住民基本台帳人口): residents by town (町字), five-year
age band and sex, with small counts suppressed so that no person can be singled out.

The rule (秘匿処理), applied to each town's cells before anything is written:

1. Primary: a cell of 1 to ``SMALLEST_SHOWN - 1`` people (1–4) is suppressed (count left blank,
   marked 秘匿). Cells of zero people are not listed at all.
2. Secondary: if a town has exactly one suppressed cell, its smallest shown cell is suppressed too,
   so that no suppressed count can be worked out by subtraction from a town total published
   elsewhere (for example the town's population in another table).

Only counts come from the register (``registry.residents.statistics``), never a person."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from tsunagu.registry.residents.statistics import OLDEST_BAND, Cell

SMALLEST_SHOWN = 5  # 1–4 people are suppressed
SEX_LABELS = {"0": "不明", "1": "男", "2": "女", "9": "適用不能"}


@dataclass(frozen=True)
class Row:
    cell: Cell
    count: int | None  # None: suppressed
    suppressed: bool


def band_label(band: int) -> str:
    return f"{band}歳以上" if band >= OLDEST_BAND else f"{band}〜{band + 4}歳"


def suppress(counts: Iterable[tuple[Cell, int]]) -> Iterator[Row]:
    """The cells (zero-count cells dropped) with the rule above applied, town by town, in order."""
    towns: dict[tuple[str, int | None, str], list[tuple[Cell, int]]] = defaultdict(list)
    for cell, count in counts:
        if count > 0:
            towns[(cell.municipality_code, cell.town_id, cell.town)].append((cell, count))
    for key in sorted(towns, key=lambda k: (k[0], k[1] if k[1] is not None else -1, k[2])):
        cells = sorted(towns[key])
        hidden = {cell for cell, count in cells if count < SMALLEST_SHOWN}
        if len(hidden) == 1:
            shown = [(count, cell) for cell, count in cells if cell not in hidden]
            if shown:
                hidden.add(min(shown)[1])
        for cell, count in cells:
            yield Row(cell, None if cell in hidden else count, cell in hidden)


def rows(counts: Iterable[tuple[Cell, int]], day: date) -> Iterator[tuple[object, ...]]:
    """The published table's rows (see ``service.TABLES['population']``)."""
    for row in suppress(counts):
        c = row.cell
        yield (
            day.isoformat(),
            c.municipality_code,
            "" if c.town_id is None else c.town_id,
            c.town,
            band_label(c.band),
            c.band,
            c.sex,
            SEX_LABELS.get(c.sex, ""),
            "" if row.count is None else row.count,
            1 if row.suppressed else 0,
        )
