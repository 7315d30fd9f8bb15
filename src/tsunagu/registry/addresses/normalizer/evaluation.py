"""Measuring the normalizer against a labelled set of addresses (CSV: input + expected parts)."""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass, field
from pathlib import Path

from tsunagu.registry.addresses.names import fold
from tsunagu.registry.addresses.normalizer.index import AddressIndex, NormalizedAddress


@dataclass(frozen=True)
class Case:
    input: str
    prefecture: str
    municipality: str
    town: str
    banchi: str = ""
    go: str = ""
    building: str = ""


@dataclass
class Evaluation:
    total: int = 0
    town_exact: int = 0
    block_exact: int = 0
    misses: list[tuple[Case, NormalizedAddress]] = field(default_factory=list)

    @property
    def town_accuracy(self) -> float:
        return self.town_exact / self.total if self.total else 0.0

    @property
    def block_accuracy(self) -> float:
        return self.block_exact / self.total if self.total else 0.0


def read_cases(*paths: Path) -> list[Case]:
    cases: list[Case] = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            cases.extend(Case(**row) for row in csv.DictReader(handle))
    return cases


def _same_municipality(expected: str, found: str) -> bool:
    """Equal up to variant characters; a renamed 政令市 ward (浜松市中区 → 中央区) counts if the
    city agrees."""
    if fold(expected) == fold(found):
        return True
    if not expected.endswith("区") or "市" not in expected:
        return False
    return found.startswith(expected[: expected.index("市") + 1])


def evaluate(index: AddressIndex, cases: list[Case]) -> Evaluation:
    result = Evaluation(total=len(cases))
    for case in cases:
        normalized = index.normalize(case.input)
        found = normalized.address
        town_ok = (
            (found.prefecture if found else "") == case.prefecture
            and _same_municipality(case.municipality, found.municipality if found else "")
            and fold(found.town if found else "") == fold(case.town)
        )
        if not town_ok:
            result.misses.append((case, normalized))
            continue
        result.town_exact += 1
        if found is None or (found.banchi, found.go, found.building) == (case.banchi, case.go, case.building):
            result.block_exact += 1
    return result


@dataclass(frozen=True)
class RealWorldCase:
    """An address as written by people, with the expected municipality code and 町字."""

    input: str
    prefecture: str
    municipality: str
    municipality_code: str
    town: str
    form: str
    source: str


@dataclass
class LevelTally:
    total: int = 0
    municipality: int = 0
    town: int = 0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "cases": self.total,
            "municipality_accuracy": round(self.municipality / self.total, 4) if self.total else 0.0,
            "town_accuracy": round(self.town / self.total, 4) if self.total else 0.0,
        }


@dataclass
class LevelEvaluation:
    """Municipality- and town-level accuracy, overall and for each written form."""

    overall: LevelTally = field(default_factory=LevelTally)
    by_form: dict[str, LevelTally] = field(default_factory=dict)
    misses: list[tuple[RealWorldCase, NormalizedAddress]] = field(default_factory=list)


def read_realworld_cases(path: Path) -> list[RealWorldCase]:
    """The CSV (optionally gzipped) written by ``make_realworld_cases.py``."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return [RealWorldCase(**row) for row in csv.DictReader(handle)]


def evaluate_levels(index: AddressIndex, cases: list[RealWorldCase]) -> LevelEvaluation:
    result = LevelEvaluation()
    for case in cases:
        normalized = index.normalize(case.input)
        found = normalized.address
        municipality_ok = found is not None and str(found.municipality_code or "") == case.municipality_code
        town_ok = municipality_ok and found is not None and fold(found.town) == fold(case.town)
        for tally in (
            result.overall,
            *(result.by_form.setdefault(form, LevelTally()) for form in case.form.split()),
        ):
            tally.total += 1
            tally.municipality += municipality_ok
            tally.town += town_ok
        if not town_ok:
            result.misses.append((case, normalized))
    return result
