"""Deterministic synthetic residents: the same seed gives the same people, households and numbers.

Households are drawn from a small set of shapes (single people, couples, families with children,
elderly couples, single parents) with ages and relationships that agree with each other, and
live at real 町字 of the address registry. 個人番号 are unique (an affine permutation of a counter)
with valid check digits.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from tsunagu.core.types.name import PersonName
from tsunagu.core.types.sex import Sex
from tsunagu.registry.addresses.service import TownRecord
from tsunagu.registry.residents.numbers import check_digit
from tsunagu.registry.residents.service import HEAD, ImportRow
from tsunagu.registry.residents.synthetic.names import family_names, female_given_names, male_given_names

REFERENCE_DATE = date(2026, 4, 1)
_NUMBER_SPACE = 10**11
# RFC 9562 §5.4: version 4 in bits 48-51, variant 10 in bits 64-65 (counted from the top).
_UUID_V4_BITS = (0x4 << 76) | (0x2 << 62)
_UUID_RANDOM_BITS = ~((0xF << 76) | (0x3 << 62)) & (2**128 - 1)
_BUILDINGS = ("ハイツ", "コーポ", "マンション", "レジデンス", "荘", "ハウス")
_BUILDING_WORDS = ("さくら", "みどり", "青葉", "若葉", "富士見", "朝日", "平和", "日の出", "港", "松風")
# (shape, weight): shares of households, roughly those of the national census.
_SHAPES = (
    ("single", 30),
    ("couple", 18),
    ("family", 30),
    ("elderly_couple", 9),
    ("elderly_single", 9),
    ("single_parent", 4),
)


@dataclass(frozen=True)
class _Person:
    name: tuple[str, str, str, str]
    sex: Sex
    birth_date: date
    relationship: str


class ResidentGenerator:
    """Yields ``ImportRow``s household by household from ``towns`` (grouped by municipality)."""

    def __init__(self, towns: Sequence[TownRecord], seed: int, reference: date = REFERENCE_DATE) -> None:
        if not towns:
            raise ValueError("synthetic residents need at least one town to live in")
        self._random = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
        self._towns = list(towns)
        self._reference = reference
        self._number_step = self._coprime_step()
        self._number_offset = self._random.randrange(_NUMBER_SPACE)
        self._issued = 0

    def _coprime_step(self) -> int:
        while True:
            step = self._random.randrange(10**9, _NUMBER_SPACE)
            if step % 2 and step % 5:
                return step

    def _uuid(self) -> str:
        """A random (version 4) UUID as hex, from the seeded generator."""
        return f"{self._random.getrandbits(128) & _UUID_RANDOM_BITS | _UUID_V4_BITS:032x}"

    def _individual_number(self) -> str:
        eleven = f"{(self._number_offset + self._issued * self._number_step) % _NUMBER_SPACE:011d}"
        self._issued += 1
        return eleven + check_digit(eleven)

    def _born(self, min_age: int, max_age: int) -> date:
        youngest = self._reference - timedelta(days=365 * min_age + 1)
        return youngest - timedelta(days=self._random.randrange(365 * (max_age - min_age) + 1))

    def _given(self, sex: Sex) -> tuple[str, str]:
        pool = male_given_names() if sex is Sex.MALE else female_given_names()
        return self._random.choice(pool)

    def _person(self, family: tuple[str, str], sex: Sex, born: date, relationship: str) -> _Person:
        given = self._given(sex)
        return _Person((family[0], given[0], family[1], given[1]), sex, born, relationship)

    def _children(self, family: tuple[str, str], mother_born: date, count: int) -> list[_Person]:
        earliest = mother_born + timedelta(days=365 * 20)
        latest = min(mother_born + timedelta(days=365 * 42), self._reference - timedelta(days=1))
        if latest <= earliest:
            return []
        span = (latest - earliest).days
        births = sorted(earliest + timedelta(days=self._random.randrange(span)) for _ in range(count))
        return [
            self._person(family, self._random.choice((Sex.MALE, Sex.FEMALE)), born, "子") for born in births
        ]

    def _couple(self, family: tuple[str, str], min_age: int, max_age: int) -> list[_Person]:
        husband_born = self._born(min_age, max_age)
        gap = timedelta(days=self._random.randrange(-365 * 3, 365 * 6))
        wife_born = min(husband_born + gap, self._reference - timedelta(days=365 * 20))
        husband_heads = self._random.random() < 0.85
        husband = self._person(family, Sex.MALE, husband_born, HEAD if husband_heads else "夫")
        wife = self._person(family, Sex.FEMALE, wife_born, "妻" if husband_heads else HEAD)
        return [husband, wife] if husband_heads else [wife, husband]

    def _household(self) -> list[_Person]:
        shape = self._random.choices([s for s, _ in _SHAPES], weights=[w for _, w in _SHAPES])[0]
        family = self._random.choice(family_names())
        sex = self._random.choice((Sex.MALE, Sex.FEMALE))
        if shape == "single":
            return [self._person(family, sex, self._born(18, 64), HEAD)]
        if shape == "elderly_single":
            return [self._person(family, sex, self._born(65, 98), HEAD)]
        if shape == "couple":
            return self._couple(family, 24, 64)
        if shape == "elderly_couple":
            return self._couple(family, 65, 92)
        if shape == "family":
            parents = self._couple(family, 28, 55)
            mother = next(p for p in parents if p.sex is Sex.FEMALE)
            return parents + self._children(
                family, mother.birth_date, self._random.choice((1, 1, 2, 2, 2, 3))
            )
        parent = self._person(family, sex, self._born(26, 50), HEAD)
        mother_born = parent.birth_date if sex is Sex.FEMALE else parent.birth_date + timedelta(days=730)
        return [parent, *self._children(family, mother_born, self._random.choice((1, 2)))]

    def _building(self) -> str:
        if self._random.random() < 0.55:
            return ""
        name = self._random.choice(_BUILDING_WORDS) + self._random.choice(_BUILDINGS)
        return f"{name} {self._random.randint(1, 9)}0{self._random.randint(1, 9)}号室"

    def _moved_in(self, members: list[_Person]) -> date:
        """When the household registered here: some day after its oldest member turned 18."""
        adult_on = min(p.birth_date for p in members) + timedelta(days=365 * 18)
        return adult_on + timedelta(days=self._random.randrange(max(1, (self._reference - adult_on).days)))

    def rows(self, count: int) -> Iterator[ImportRow]:
        """``count`` people; the last household is cut short if it would exceed ``count``."""
        made = 0
        while made < count:
            town = self._random.choice(self._towns)
            household_id = self._uuid()
            banchi, go = str(self._random.randint(1, 40)), str(self._random.randint(1, 25))
            building = self._building()
            members = self._household()
            moved_in = self._moved_in(members)
            for person in members[: count - made]:
                born_here = person.birth_date > moved_in
                yield ImportRow(
                    id=self._uuid(),
                    municipality_code=town.municipality_code,
                    individual_number=self._individual_number(),
                    name=_name(person.name),
                    birth_date=person.birth_date,
                    sex=person.sex.value,
                    town=town,
                    banchi=banchi,
                    go=go,
                    building=building,
                    household_id=household_id,
                    relationship=person.relationship,
                    registered_kind="birth" if born_here else "move_in",
                    registered_on=person.birth_date if born_here else moved_in,
                )
                made += 1


@cache
def _name(parts: tuple[str, str, str, str]) -> PersonName:
    """Names repeat a lot; validating each combination once keeps a million rows fast."""
    return PersonName(*parts)
