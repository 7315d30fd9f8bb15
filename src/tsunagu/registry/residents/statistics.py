"""Counts of residents for statistics (住民基本台帳に基づく人口): how many people live in each town
(町字), by age band and sex, on a given day. Only counts leave this module, never a person."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.registry.residents.models import Resident

BAND_YEARS = 5
OLDEST_BAND = 85  # 85 years and over are one band, as the 住民基本台帳人口 tables do


@dataclass(frozen=True, order=True)
class Cell:
    municipality_code: str
    town_id: int | None
    town: str
    band: int  # the band's lowest age: 0, 5, …, 85 (85 and over)
    sex: str  # ISO 5218 code


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def band_of(age: int) -> int:
    return min(age // BAND_YEARS * BAND_YEARS, OLDEST_BAND)


def population(db: Session, day: date, batch: int = 5000) -> Counter[Cell]:
    """Residents (status ``resident``) born on or before ``day``, counted per town, age band and sex.

    Memory holds the counts (towns × 18 bands × sexes), not the people: rows are streamed."""
    counts: Counter[Cell] = Counter()
    rows: Iterator[tuple[str, int | None, str, date, str]] = iter(
        db.execute(
            select(
                Resident.municipality_code, Resident.town_id, Resident.town, Resident.birth_date, Resident.sex
            )
            .where(Resident.status == "resident", Resident.birth_date <= day)
            .execution_options(yield_per=batch)
        ).tuples()
    )
    for municipality, town_id, town, birth, sex in rows:
        counts[Cell(municipality, town_id, town, band_of(age_on(birth, day)), sex)] += 1
    return counts
