"""The in-memory index the normalizer matches against, built once per process.

Names are compared in their folded form (``names.fold``: ケ/ヶ/が and other variants), which keeps
string lengths, so a match found in the folded text cuts the original text at the same place.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from tsunagu.core.types.address import Address
from tsunagu.core.types.local_government_code import LocalGovernmentCode
from tsunagu.core.types.postcode import Postcode
from tsunagu.registry.addresses.names import (
    CHOME_SUFFIX,
    fold,
    kanji_number,
    parse_kanji_number,
    without_oaza,
)
from tsunagu.registry.addresses.normalizer.block import split_block
from tsunagu.registry.addresses.normalizer.text import chome_to_kanji, clean

MatchLevel = Literal["unmatched", "prefecture", "municipality", "town", "block"]
_DISTRICT = re.compile(r"^.+?郡")
_WARD = re.compile(r"^[^区]{1,3}区")
_LEADING_NUMBER = re.compile(r"^ ?([0-9]+)(?:-|丁目|丁)?")


@dataclass(frozen=True)
class TownEntry:
    id: int
    town: str
    lat: float | None
    lng: float | None
    postcode: str | None
    koaza: str = ""


@dataclass(frozen=True)
class MunicipalityEntry:
    code: str
    name: str
    prefecture_code: str
    designated_city_code: str | None


@dataclass(frozen=True)
class NormalizedAddress:
    input: str
    level: MatchLevel
    address: Address | None
    lat: float | None = None
    lng: float | None = None


@dataclass
class _Towns:
    """The 町字 of one municipality, keyed by folded name (and by name without 大字/字)."""

    by_name: dict[str, TownEntry] = field(default_factory=dict)
    longest: int = 0
    chome_bases: set[str] = field(default_factory=set)
    koazas: dict[str, dict[str, TownEntry]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, town: TownEntry) -> None:
        key = fold(town.town)
        if town.koaza:
            self.koazas[key].setdefault(fold(town.koaza), town)
        for name in {key, without_oaza(key)}:
            known = self.by_name.get(name)
            if known is None or (known.koaza and not town.koaza):  # the 町字 itself, not one 小字
                self.by_name[name] = town
        base = CHOME_SUFFIX.sub("", key)
        if base != key:
            self.chome_bases.add(base)
        self.longest = max(self.longest, len(key))

    def match(self, folded: str) -> tuple[TownEntry, int] | None:
        """The longest town name that starts ``folded``, with its length; 丁目 written as a number."""
        for length in range(min(self.longest, len(folded)), 0, -1):
            head = folded[:length]
            if head in self.chome_bases:
                number = _LEADING_NUMBER.match(folded[length:])
                if number:
                    town = self.by_name.get(f"{head}{kanji_number(int(number.group(1)))}丁目")
                    if town:
                        return town, length + number.end()
            town = self.by_name.get(head)
            if town:
                return town, length
        return None

    def koaza(self, town: TownEntry, folded: str) -> tuple[TownEntry, int] | None:
        """The 小字 written after the town (``字中川原``, ``中川原``), with the length it takes."""
        koazas = self.koazas.get(fold(town.town))
        if not koazas:
            return None
        prefix = len(folded) - len(without_oaza(folded))
        for length in range(len(folded), prefix, -1):
            found = koazas.get(folded[prefix:length])
            if found:
                return found, length
        return None


class AddressIndex:
    def __init__(self, prefectures: Iterable[tuple[str, str]],
                 municipalities: Iterable[MunicipalityEntry],
                 towns: Iterable[tuple[str, TownEntry]]) -> None:
        self.prefecture_names = dict(prefectures)
        self.prefecture_by_name = {fold(name): code for code, name in self.prefecture_names.items()}
        # 東京 for 東京都, 大阪 for 大阪府... but 北海道 and 京都府 keep their full names.
        for code, name in self.prefecture_names.items():
            if name[-1] in "都府県" and name != "京都府":
                self.prefecture_by_name.setdefault(fold(name[:-1]), code)
        self.municipalities: dict[str, MunicipalityEntry] = {}
        self.municipality_names: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.wards: dict[str, list[str]] = defaultdict(list)
        for municipality in municipalities:
            self.municipalities[municipality.code] = municipality
            names = self.municipality_names[municipality.prefecture_code]
            key = fold(municipality.name)
            names[key].add(municipality.code)
            names[_DISTRICT.sub("", key)].add(municipality.code)  # 当別町 for 石狩郡当別町
            if municipality.designated_city_code:
                self.wards[municipality.designated_city_code].append(municipality.code)
        self.longest_municipality = max((len(n) for d in self.municipality_names.values() for n in d),
                                        default=0)
        self.towns: dict[str, _Towns] = defaultdict(_Towns)
        for municipality_code, town in towns:
            self.towns[municipality_code].add(town)

    def _prefecture(self, folded: str) -> tuple[str, int] | None:
        for length in (4, 3, 2):
            code = self.prefecture_by_name.get(folded[:length])
            if code:
                return code, length
        return None

    def _municipality(self, folded: str, prefecture_codes: Iterable[str]) -> tuple[set[str], int]:
        """Codes of the longest municipality name that starts ``folded`` (several if ambiguous)."""
        for length in range(min(self.longest_municipality, len(folded)), 0, -1):
            head = folded[:length]
            codes: set[str] = set()
            for prefecture_code in prefecture_codes:
                codes |= self.municipality_names[prefecture_code].get(head, set())
            if codes:
                return codes, length
        return set(), 0

    def _town(self, municipality_code: str, folded: str) -> tuple[str, TownEntry, int] | None:
        """The town in a municipality, or in any ward of a 政令市 given without its ward."""
        wards = self.wards.get(municipality_code)
        found = [(code, *hit) for code in (wards or [municipality_code])
                 if (hit := self.towns[code].match(folded))]
        if not found:
            return None
        best = max(hit[2] for hit in found)
        longest = [hit for hit in found if hit[2] == best]
        return longest[0] if len(longest) == 1 else None

    def _town_with_oaza(self, municipality_code: str, rest: str) -> tuple[str, TownEntry, int] | None:
        """The town, also when the text writes 大字 and the registry does not."""
        hit = self._town(municipality_code, rest)
        if hit is None and rest.startswith("大字"):
            found = self._town(municipality_code, rest[2:])
            hit = (found[0], found[1], found[2] + 2) if found else None
        return hit

    def normalize(self, text: str) -> NormalizedAddress:
        """Free text → the structured address, as far as it can be matched."""
        cleaned = chome_to_kanji(clean(text))
        folded = fold(cleaned)
        prefecture = self._prefecture(folded)
        position = prefecture[1] if prefecture else 0
        position += len(folded[position:]) - len(folded[position:].lstrip())
        codes, length = self._municipality(
            folded[position:], [prefecture[0]] if prefecture else list(self.municipality_names))
        if prefecture and not codes and prefecture[1] < len(self.prefecture_names[prefecture[0]]):
            # 三重郡菰野町: a short prefecture name (三重) that was really the start of a 郡
            prefecture, position = None, 0
            codes, length = self._municipality(folded, list(self.municipality_names))
        if not codes:
            if prefecture:
                code = prefecture[0]
                return NormalizedAddress(text, "prefecture", Address(
                    prefecture=self.prefecture_names[code], prefecture_code=code))
            return NormalizedAddress(text, "unmatched", None)
        position += length
        position += len(folded[position:]) - len(folded[position:].lstrip())
        rest = folded[position:]
        hits = {code: hit for code in sorted(codes) if (hit := self._town_with_oaza(code, rest))}
        ward = _WARD.match(rest)
        if not hits and ward and all(code in self.wards for code in codes):
            # a 政令市 ward name that changed (浜松市中区 → 中央区): find the town in every ward
            position += ward.end()
            rest = rest[ward.end():]
            hits = {code: hit for code in sorted(codes) if (hit := self._town_with_oaza(code, rest))}
        if len(hits) != 1:
            if len(codes) == 1:
                only = self.municipalities[codes.pop()]
                return NormalizedAddress(text, "municipality", self._address(only))
            return NormalizedAddress(text, "unmatched", None)  # e.g. 中央区 without its prefecture
        ward_code, town, consumed = next(iter(hits.values()))
        koaza = self.towns[ward_code].koaza(town, rest[consumed:consumed + 30])
        if koaza:
            town, consumed = koaza[0], consumed + koaza[1]
        koaza_name = town.koaza if koaza else ""  # never a 小字 the text did not name
        block = split_block(cleaned[position + consumed:])
        chome = CHOME_SUFFIX.search(town.town)
        address = self._address(
            self.municipalities[ward_code], town=town.town, koaza=koaza_name, town_id=town.id,
            banchi=block.banchi,
            go=block.go, building=block.building, postcode=town.postcode,
            chome=parse_kanji_number(chome.group(0).removesuffix("丁目")) if chome else None)
        return NormalizedAddress(text, "block" if block.banchi else "town", address, town.lat, town.lng)

    def _address(self, municipality: MunicipalityEntry, *, town: str = "", koaza: str = "",
                 town_id: int | None = None,
                 banchi: str = "", go: str = "", building: str = "", postcode: str | None = None,
                 chome: int | None = None) -> Address:
        return Address(prefecture=self.prefecture_names[municipality.prefecture_code],
                       municipality=municipality.name, town=town, koaza=koaza, chome=chome,
                       banchi=banchi, go=go,
                       building=building, prefecture_code=municipality.prefecture_code,
                       municipality_code=LocalGovernmentCode(municipality.code), town_id=town_id,
                       postcode=Postcode(postcode) if postcode else None)

