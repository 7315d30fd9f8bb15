"""Measuring the normalizer against a labelled set of addresses (CSV: input + expected parts)."""

from __future__ import annotations

import csv
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
    return found.startswith(expected[:expected.index("市") + 1])


def evaluate(index: AddressIndex, cases: list[Case]) -> Evaluation:
    result = Evaluation(total=len(cases))
    for case in cases:
        normalized = index.normalize(case.input)
        found = normalized.address
        town_ok = (found.prefecture if found else "") == case.prefecture and \
            _same_municipality(case.municipality, found.municipality if found else "") and \
            fold(found.town if found else "") == fold(case.town)
        if not town_ok:
            result.misses.append((case, normalized))
            continue
        result.town_exact += 1
        if found is None or (found.banchi, found.go, found.building) == (case.banchi, case.go, case.building):
            result.block_exact += 1
    return result
