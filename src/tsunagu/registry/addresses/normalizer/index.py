"""The in-memory index the normalizer matches against, built once per process.

How an address is read (the approach of the Digital Agency's ABR geocoder — prefecture →
municipality → 町字 → block, each level a longest match on a cleaned text — made tolerant of how
people write):

1. The text is cleaned (``text.clean``: NFKC, full/half width, hyphens, variation selectors,
   丁目/条 numbers in the registry's kanji) and *keyed*: spaces and the words 大字/字 are dropped
   and variant characters folded (``names.fold``). A map from each key position back to the
   cleaned text cuts the unmatched remainder (building, room) out of the text as written.
2. Every reading of the start is a candidate: with the prefecture or without it; the
   municipality by its full name, without its 郡, a 政令市 ward without its city (南区), the city
   without its ward, a city still written as the 町 it was, or a pre-merger municipality name that
   survives as the first word of today's 町字 names (有明町野井倉 in 志布志市).
3. In each candidate the 町字 is the longest registry name at that point, after a Kyoto street
   part (寺町通御池上る) if there is one; 丁目 written as a number (2-1-1, 2丁目, 2丁) and
   Sapporo's 条・丁目 (北2条西23丁目, 東茨戸1-2-314) are read as the registry names them.
4. The candidate that explains the most of the text wins; equal ones in different
   municipalities are returned as candidates instead of a guess.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from tsunagu.core.types.address import Address
from tsunagu.core.types.local_government_code import LocalGovernmentCode
from tsunagu.core.types.postcode import Postcode
from tsunagu.registry.addresses.names import CHOME_SUFFIX, fold, kanji_number, parse_kanji_number
from tsunagu.registry.addresses.normalizer.block import split_block
from tsunagu.registry.addresses.normalizer.text import chome_to_kanji, clean, leading_postcode

MatchLevel = Literal["unmatched", "prefecture", "municipality", "town", "block"]
_DISTRICT = re.compile(r"^.+?郡")
_DISTRICT_IN_TEXT = re.compile(r".{1,6}?郡")
# a number after a 丁目 town's base is its 丁目 unless it is the 番地 (緑ケ丘5番地)
_LEADING_NUMBER = re.compile(r"([0-9]+)(?:丁目|丁|-(?=[0-9])|$|(?=[^0-9番号の-]))")
_NUMBER_NO = re.compile(r"([0-9]+)の(?=[0-9])")
_JO_NUMBER = re.compile(r"([0-9]+)(?:条|-)([0-9]+)(?:丁目|丁|-)?")
_JO_TOWN = re.compile(r"^(.+?)[一二三四五六七八九十百]+条[一二三四五六七八九十百]+丁目$")
# Kyoto: a street part is one or more "<street><cross street><direction>" pieces before the town
_DIRECTION = "(?:上る|上ル|上がる|下る|下ル|下がる|東入る|東入ル|東入|西入る|西入ル|西入|南入|北入)"
# ... and may end with a count of blocks or streets (上る2丁目, 東入二筋目, 下る半丁) that is no 丁目
# of the town that follows
_STREET = re.compile(
    rf"[^0-9]{{1,24}}?{_DIRECTION}(?:[^0-9]{{0,24}}?{_DIRECTION})*"
    r"(?:[0-9一二三四五六七八九十]+(?:丁目|筋目)|半丁)?(?:まで)?"
)
_OLD_NAME = re.compile(r"^(.{1,5}?[町村])(.{2,})$")
_OAZA_WORDS = re.compile(r"大字|字")
_UNKNOWN_KOAZA = re.compile(r"([^\s0-9０-９\-]{1,12}?)(?=[0-9０-９〇一二三四五六七八九十百千]+(?:番|-|の|$))")
REGISTRY, ALTERED, KOAZA_ONLY = 2, 1, 0  # how a town name was spelt, best first
_CHO_TOWN = re.compile(r"^(.+?)[一二三四五六七八九十百]+丁$")
_LOCAL_WARD = re.compile(r"[^区0-9]{1,5}区")
_DROPPED = re.compile(r"\s+|大字|字")
_SPACE = re.compile(r"[^\S\n]+")
_WARD_OF_CITY = re.compile(r"^.+?市(.{2,4})区$")
_COMMON_WARD_NAMES = {"中央", "東", "西", "南", "北", "中", "港", "緑", "美浜", "若葉", "花見川", "稲毛"}
_ISLAND = re.compile(r"^.{1,3}島(?=.{1,4}[町村]$)")
_NUMERAL = "[一二三四五六七八九十百]+"
_SAPPORO_GRID = re.compile(rf"^([北南東西]|大通)({_NUMERAL})条([東西南北])({_NUMERAL})丁目$")


def town_key(name: str) -> str:
    """How a 町字 name is compared: folded, without spaces and without the words 大字 and 字."""
    return fold(_OAZA_WORDS.sub("", "".join(name.split())))


def _town_keys(names: list[str]) -> list[str]:
    """``town_key`` of many names at once (one pass over one string: the index builds faster)."""
    joined = fold(_OAZA_WORDS.sub("", _SPACE.sub("", "\n".join(names))))
    keys = joined.split("\n")
    if len(keys) != len(names):  # a name with a line break of its own: one at a time
        return [town_key(name) for name in names]
    return keys


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
class Candidate:
    """One of several places an ambiguous address may mean."""

    prefecture: str
    prefecture_code: str
    municipality: str
    municipality_code: str
    town: str = ""
    town_id: int | None = None


@dataclass(frozen=True)
class NormalizedAddress:
    """The result, with what explains it: the level reached, the text left unmatched
    (``remainder``), the parts read past (``skipped``: a Kyoto street part, a 郡 the registry does
    not name), the candidates when it is ambiguous, and one line per step (``explanation``)."""

    input: str
    level: MatchLevel
    address: Address | None
    lat: float | None = None
    lng: float | None = None
    remainder: str = ""
    skipped: tuple[str, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    explanation: tuple[str, ...] = ()


@dataclass
class _Towns:
    """The 町字 of one municipality, keyed by ``town_key``."""

    by_name: dict[str, TownEntry] = field(default_factory=dict)
    longest: int = 0
    chome_bases: set[str] = field(default_factory=set)
    jo_bases: set[str] = field(default_factory=set)
    koazas: dict[str, dict[str, TownEntry]] = field(default_factory=lambda: defaultdict(dict))
    # the name with 町 added or dropped (勧修寺南大日 for 勧修寺南大日町, 向陽町一丁目 for 向陽一丁目),
    # consulted after the registry's own names and reported as such
    alternates: dict[str, TownEntry] = field(default_factory=dict)
    lengths: dict[str, list[int]] = field(default_factory=dict)
    koaza_only: dict[str, TownEntry] = field(default_factory=dict)

    def finish(self) -> None:
        """After the last ``add``: the 小字 that name one place without their 大字, and the lengths
        of every name and base by first character."""
        seen: dict[str, int] = defaultdict(int)
        for koazas in self.koazas.values():
            for name in koazas:
                seen[name] += 1
        self.koaza_only = {
            name: town
            for koazas in self.koazas.values()
            for name, town in koazas.items()
            if seen[name] == 1 and len(name) >= 2 and name not in self.by_name
        }
        self.lengths = _lengths_by_first_character(
            [*self.by_name, *self.alternates, *self.koaza_only, *self.chome_bases, *self.jo_bases]
        )

    def add(self, town: TownEntry, key: str, koaza_key: str) -> None:
        """Index ``town`` under ``key`` (its ``town_key``; ``koaza_key`` its 小字's)."""
        if not key:
            return
        if town.koaza:
            self.koazas[key].setdefault(koaza_key, town)
        known = self.by_name.get(key)
        if known is not None and not (known.koaza and not town.koaza):
            return  # indexed already, by the 町字 itself or by another of its 小字
        self.by_name[key] = town  # the 町字 itself rather than one 小字
        base = CHOME_SUFFIX.sub("", key) if key.endswith("丁目") else key
        chome = key[len(base) :]
        if base != key:
            self.chome_bases.add(base)
        elif key.endswith("丁"):
            cho = _CHO_TOWN.match(key)
            if cho:  # 堺市's 三原台一丁: also 三原台一丁目, 三原台1丁, 三原台1-14
                self.chome_bases.add(cho.group(1))
                self.by_name.setdefault(key + "目", town)
        self._add_alternate(town, base, chome)
        if "条" in key:
            jo = _JO_TOWN.match(key)
            if jo:
                self.jo_bases.add(jo.group(1))
            grid = _SAPPORO_GRID.match(key)
            if grid:  # 北1西2 for 北一条西二丁目 (北1条西2 is read as 丁目 written as a number)
                first, second = parse_kanji_number(grid.group(2)), parse_kanji_number(grid.group(4))
                self.by_name.setdefault(f"{grid.group(1)}{first}{grid.group(3)}{second}", town)
        self.longest = max(self.longest, len(key))

    def _add_alternate(self, town: TownEntry, base: str, chome: str) -> None:
        if len(base) > 2 and base.endswith("町"):
            other = base[:-1]
        elif len(base) >= 2 and not base.endswith(("町", "村", "丁目")):
            other = base + "町"
        else:
            return
        previous = self.alternates.get(other + chome)
        if previous is None or (previous.koaza and not town.koaza):
            self.alternates[other + chome] = town
        if chome:
            self.chome_bases.add(other)

    def match(self, text: str, start: int) -> tuple[TownEntry, int, int] | None:
        """The longest town name at ``start``, where it ends, and how it was spelt (``REGISTRY``,
        ``ALTERED``, ``KOAZA_ONLY``); 丁目 and 条 written as numbers. A name with 町 added or
        dropped is tried only when no registry spelling fits (柏井町4-48-1 is 柏井町 4-48-1, not
        柏井四丁目), and a 小字 written without its 大字 (長野市権堂町 for 大字鶴賀 権堂町) last."""
        exact = self._match(text, start, self.by_name)
        if exact:
            return exact[0], exact[1], REGISTRY
        other = self._match(text, start, self.alternates)
        if other:
            return other[0], other[1], ALTERED
        koaza = self._match(text, start, self.koaza_only)
        return (koaza[0], koaza[1], KOAZA_ONLY) if koaza else None

    def _match(self, text: str, start: int, names: dict[str, TownEntry]) -> tuple[TownEntry, int] | None:
        for head, stop in _heads(text, start, self.lengths):
            if head in self.jo_bases:  # 東茨戸1-2-314: 東茨戸一条二丁目
                numbers = _JO_NUMBER.match(text, stop)
                if numbers:
                    jo, chome = _kanji(numbers.group(1)), _kanji(numbers.group(2))
                    town = names.get(f"{head}{jo}条{chome}丁目")
                    if town:
                        return town, numbers.end()
            if head in self.chome_bases:
                number = _LEADING_NUMBER.match(text, stop) or (
                    None if head in names else _NUMBER_NO.match(text, stop)
                )  # 大手町2の4の9
                if number:
                    town = names.get(f"{head}{_kanji(number.group(1))}丁目")
                    if town:
                        return town, number.end()
            town = names.get(head)
            if town and (names is self.by_name or stop == len(text) or not text[stop].isalpha()):
                return town, stop  # other spellings must end where the name does
        return None

    def koaza(self, town: TownEntry, text: str, start: int) -> tuple[TownEntry, int] | None:
        """The 小字 written after the town (``字中川原``, ``中川原``), and where it ends."""
        koazas = self.koazas.get(town_key(town.town))
        if not koazas:
            return None
        for stop in range(min(len(text), start + 30), start, -1):
            found = koazas.get(text[start:stop])
            if found:
                return found, stop
        return None


@lru_cache(maxsize=4096)
def _municipality_code(code: str) -> LocalGovernmentCode:
    return LocalGovernmentCode(code)  # checked once per municipality, not once per address


@lru_cache(maxsize=65536)
def _postcode(code: str) -> Postcode:
    return Postcode(code)


def _kanji(digits: str) -> str:
    value = int(digits)
    return kanji_number(value) if 0 < value < 10000 else digits


@dataclass(frozen=True)
class _Reading:
    """One way of reading the text: which municipality, and how far each level got."""

    code: str  # the municipality (a ward when the town was found in one)
    prefecture_given: bool
    municipality_end: int
    town: TownEntry | None = None
    town_end: int = 0
    skipped: tuple[tuple[int, int], ...] = ()  # spans of the comparison text read past
    how: str = ""

    district_skipped: bool = False
    spelling: int = 2  # REGISTRY

    @property
    def score(self) -> tuple[int, int, int, int, int, int]:
        """Found a town; explains more of the text; the town's own spelling; the prefecture agrees;
        the municipality's own name (not a 郡 read past); the more specific municipality (the ward,
        not the city)."""
        return (
            1 if self.town else 0,
            self.town_end if self.town else self.municipality_end,
            self.spelling,
            1 if self.prefecture_given else 0,
            0 if self.district_skipped else 1,
            self.municipality_end,
        )


def _keyed(cleaned: str) -> tuple[str, list[int]]:
    """The comparison text (no spaces, no 大字/字, folded) and each character's place in ``cleaned``."""
    parts: list[str] = []
    where: list[int] = []
    last = 0
    for dropped in _DROPPED.finditer(cleaned):
        if dropped.start() > last:
            parts.append(cleaned[last : dropped.start()])
            where.extend(range(last, dropped.start()))
        last = dropped.end()
    if last < len(cleaned):
        parts.append(cleaned[last:])
        where.extend(range(last, len(cleaned)))
    return fold("".join(parts)), where


def _lengths_by_first_character(names: Iterable[str]) -> dict[str, list[int]]:
    """For each first character, the lengths of the names starting with it, longest first: a
    longest match then looks up only lengths that exist."""
    lengths: dict[str, set[int]] = defaultdict(set)
    for name in names:
        if name:
            lengths[name[0]].add(len(name))
    return {first: sorted(found, reverse=True) for first, found in lengths.items()}


def _heads(text: str, start: int, lengths: dict[str, list[int]]) -> Iterator[tuple[str, int]]:
    """Every (name-length prefix of ``text`` at ``start``, its end), longest first."""
    if start >= len(text):
        return
    limit = len(text) - start
    for length in lengths.get(text[start], ()):
        if length <= limit:
            yield text[start : start + length], start + length


class AddressIndex:
    source: Literal["database", "shipped"] = "database"  # where its towns came from

    def __init__(
        self,
        prefectures: Iterable[tuple[str, str]],
        municipalities: Iterable[MunicipalityEntry],
        towns: Iterable[tuple[str, TownEntry]],
    ) -> None:
        self.prefecture_names = dict(prefectures)
        self.prefecture_by_name = {fold(name): code for code, name in self.prefecture_names.items()}
        # 東京 for 東京都, 大阪 for 大阪府... but 北海道 and 京都府 keep their full names.
        for code, name in self.prefecture_names.items():
            if name[-1] in "都府県" and name != "京都府":
                self.prefecture_by_name.setdefault(fold(name[:-1]), code)
        self.municipalities: dict[str, MunicipalityEntry] = {}
        self.names: dict[str, dict[str, str]] = defaultdict(dict)  # key → code → how it was named
        self.wards: dict[str, list[str]] = defaultdict(list)
        for municipality in municipalities:
            self.municipalities[municipality.code] = municipality
            key = fold(municipality.name)
            self.names[key][municipality.code] = "name"
            district = _DISTRICT.sub("", key)
            if district != key:  # 当別町 for 石狩郡当別町
                self.names[district].setdefault(municipality.code, "name without its 郡")
            if municipality.designated_city_code:
                self.wards[municipality.designated_city_code].append(municipality.code)
        for city_code, ward_codes in self.wards.items():
            city = fold(self.municipalities[city_code].name) if city_code in self.municipalities else ""
            for ward_code in ward_codes:
                ward = fold(self.municipalities[ward_code].name).removeprefix(city)
                if ward and ward != fold(self.municipalities[ward_code].name):
                    self.names[ward].setdefault(ward_code, "ward without its city")
        self._add_promoted_names()
        self.name_lengths = _lengths_by_first_character(self.names)
        self.towns: dict[str, _Towns] = defaultdict(_Towns)
        self._add_towns(list(towns))
        self.old_names = self._old_names()
        # every 町字 name in the country, for an address written from the town on (霞が関2-1-1)
        self.town_names: dict[str, list[tuple[str, TownEntry]]] = defaultdict(list)
        for code, towns_of_code in self.towns.items():
            for key, town in towns_of_code.by_name.items():
                if not town.koaza:
                    self.town_names[key].append((code, town))
        self.chome_bases_anywhere: set[str] = set().union(*(t.chome_bases for t in self.towns.values()))
        self.anywhere_lengths = _lengths_by_first_character([*self.town_names, *self.chome_bases_anywhere])
        self.old_name_lengths = _lengths_by_first_character(self.old_names)

    def _add_towns(self, listed: list[tuple[str, TownEntry]]) -> None:
        keys = _town_keys([town.town for _, town in listed])
        koaza_keys = _town_keys([town.koaza for _, town in listed])
        for (municipality_code, town), key, koaza_key in zip(listed, keys, koaza_keys, strict=True):
            self.towns[municipality_code].add(town, key, koaza_key)
        for towns_of_code in self.towns.values():
            towns_of_code.finish()

    def _add_promoted_names(self) -> None:
        """Names people still write for today's municipalities: a town or village that became a
        city (那珂川町 → 那珂川市), a city that became a 政令市 ward (清水市 → 静岡市清水区,
        浦和市 → さいたま市浦和区), and an island municipality without its island (八丈町 →
        八丈島八丈町). Never a name that a municipality of the same prefecture has."""
        in_prefecture = {
            (m.prefecture_code, key)
            for key, codes in self.names.items()
            for m in (self.municipalities[c] for c in codes)
        }
        aliases: list[tuple[str, str, str]] = []
        for code, municipality in self.municipalities.items():
            key = _DISTRICT.sub("", fold(municipality.name))
            if key.endswith("市") and code not in self.wards and not municipality.designated_city_code:
                aliases += [
                    (key[:-1] + suffix, code, "the name before it became a city") for suffix in "町村"
                ]
            ward = _WARD_OF_CITY.match(key)
            if municipality.designated_city_code and ward and ward.group(1) not in _COMMON_WARD_NAMES:
                aliases.append((ward.group(1) + "市", code, "the city it was before it became a ward"))
            island = _ISLAND.sub("", key)
            if island != key:
                aliases.append((island, code, "name without its island"))
        for name, code, how in aliases:
            if (self.municipalities[code].prefecture_code, name) not in in_prefecture:
                self.names[name].setdefault(code, f"{name}: {how}")

    def _old_names(self) -> dict[str, set[str]]:
        """Pre-merger municipality names that live on as the first word of 町字 names
        (志布志市 有明町野井倉, 有明町伊崎田, … → 有明町): three or more towns share it, none is a
        丁目 of it, and it names no municipality of today."""
        found: dict[str, set[str]] = defaultdict(set)
        for code, towns in self.towns.items():
            prefixes: dict[str, set[str]] = defaultdict(set)
            for key in towns.by_name:
                old = _OLD_NAME.match(key)
                if old and not CHOME_SUFFIX.search(old.group(2)) and not old.group(2).startswith("丁目"):
                    prefixes[old.group(1)].add(old.group(2))
            for prefix, rests in prefixes.items():
                if len(rests) >= 3 and prefix not in self.names and prefix not in towns.by_name:
                    found[prefix].add(code)
        return dict(found)

    # -- reading -------------------------------------------------------------------------

    def _prefecture_starts(self, text: str) -> list[tuple[str | None, int]]:
        starts: list[tuple[str | None, int]] = [(None, 0)]
        for length in (4, 3, 2):
            code = self.prefecture_by_name.get(text[:length])
            if code:
                if length == len(self.prefecture_names[code]):
                    return [(code, length)]  # 三重県 written in full: no 三重郡 to read instead
                starts.append((code, length))
        return starts

    def _municipalities_at(self, text: str, start: int, prefecture: str | None) -> list[tuple[str, int, str]]:
        """(code, end, how) of every municipality name at ``start`` (within ``prefecture``)."""
        found = []
        for head, stop in _heads(text, start, self.name_lengths):
            for code, how in self.names.get(head, {}).items():
                if prefecture is None or self.municipalities[code].prefecture_code == prefecture:
                    found.append((code, stop, how))
        return found

    def _town_in(self, code: str, text: str, start: int) -> list[tuple[str, TownEntry, int, int, int]]:
        """The town at ``start`` in a municipality, or in each ward of a 政令市 given without one:
        (ward or municipality code, town, end, end of a street part read past or 0, registry
        spelling); the longest ones only."""
        hits = []
        street = _STREET.match(text, start)
        for ward_code in self.wards.get(code) or [code]:
            towns = self.towns.get(ward_code)
            if towns is None:
                continue
            plain = towns.match(text, start)
            street_end = street.end() if street else 0
            after = towns.match(text, street_end) if street else None
            if street and after is None and plain is None:
                after, street_end = self._town_further(towns, text, street_end)
            if street and after and (plain is None or after[1] > plain[1]):
                hits.append((ward_code, after[0], after[1], street_end, after[2]))
            elif plain:
                hits.append((ward_code, plain[0], plain[1], 0, plain[2]))
            elif (
                not after
                and ward_code not in self.wards
                and not self.municipalities[ward_code].designated_city_code
            ):
                hits += self._after_local_ward(ward_code, towns, text, start)
        if not hits:
            return []
        best = max((hit[2], hit[4]) for hit in hits)
        return [hit for hit in hits if (hit[2], hit[4]) == best]

    @staticmethod
    def _town_further(towns: _Towns, text: str, start: int) -> tuple[tuple[TownEntry, int, int] | None, int]:
        """After a Kyoto street part, a few words before the town (西本願寺前菱屋町): the first
        town within 10 characters that ends where its block (or the text) begins."""
        for place in range(start + 1, min(len(text), start + 10)):
            hit = towns.match(text, place)
            if hit and (hit[1] == len(text) or not text[hit[1]].isalpha()):
                return hit, place
        return None, start

    @staticmethod
    def _after_local_ward(
        code: str, towns: _Towns, text: str, start: int
    ) -> list[tuple[str, TownEntry, int, int, int]]:
        """A 区 that is no 政令市 ward, written before the town: 宇陀市榛原区下井足 (the registry's
        榛原下井足), 紀北町紀伊長島区東長島 (the registry's 東長島)."""
        local = _LOCAL_WARD.match(text, start)
        if local is None:
            return []
        joined = towns.match(text[: local.end() - 1] + text[local.end() :], start)
        if joined and joined[1] >= local.end():  # the name runs across the 区
            return [(code, joined[0], joined[1] + 1, 0, joined[2])]
        dropped = towns.match(text, local.end())
        return [(code, dropped[0], dropped[1], local.end(), dropped[2])] if dropped else []

    def _readings(self, text: str, *, old_names: bool) -> list[_Reading]:
        readings: list[_Reading] = []
        for prefecture, start in self._prefecture_starts(text):
            places: list[tuple[int, tuple[tuple[int, int], ...]]] = [(start, ())]
            district = _DISTRICT_IN_TEXT.match(text, start)
            if district:  # a 郡 the municipality's registry name may not carry
                places.append((district.end(), ((start, district.end()),)))
            for place, skipped in places:
                if old_names:
                    found = self._old_names_at(text, place, prefecture)
                else:
                    found = self._municipalities_at(text, place, prefecture)
                for code, end, how in found:
                    hits = self._town_in(code, text, end)
                    if not hits:
                        readings.append(
                            _Reading(
                                code,
                                prefecture is not None,
                                end,
                                skipped=skipped,
                                how=how,
                                district_skipped=bool(skipped),
                            )
                        )
                    for ward_code, town, town_end, street_end, spelling in hits:
                        readings.append(
                            _Reading(
                                ward_code,
                                prefecture is not None,
                                end,
                                town,
                                town_end,
                                skipped + (((end, street_end),) if street_end else ()),
                                how,
                                district_skipped=bool(skipped),
                                spelling=spelling,
                            )
                        )
        return readings

    def _towns_anywhere(self, text: str) -> list[_Reading]:
        """No municipality written: the town name alone, in the written prefecture or anywhere,
        followed by its block (or nothing); unique, or else the candidates."""
        for prefecture, start in self._prefecture_starts(text)[::-1]:
            for head, stop in _heads(text, start, self.anywhere_lengths):
                if len(head) < 2:
                    continue
                rest = text[stop:]
                if rest and not (rest[0].isdigit() or rest[0] == "-" or rest.startswith(("番", "丁目"))):
                    continue
                hits = self.town_names.get(head, [])
                number = _LEADING_NUMBER.match(text, stop)
                if number and head in self.chome_bases_anywhere:
                    hits = self.town_names.get(f"{head}{_kanji(number.group(1))}丁目", []) or hits
                    end = number.end() if hits and hits[0][1].town.endswith("丁目") else stop
                else:
                    end = stop
                found = [
                    (code, town)
                    for code, town in hits
                    if prefecture is None or self.municipalities[code].prefecture_code == prefecture
                ]
                if found:
                    how = "not written; the municipality of this 町字"
                    return [
                        _Reading(code, prefecture is not None, start, town, end, how=how)
                        for code, town in found
                    ]
        return []

    def _old_names_at(self, text: str, start: int, prefecture: str | None) -> list[tuple[str, int, str]]:
        found = []
        for head, _ in _heads(text, start, self.old_name_lengths):
            for code in self.old_names.get(head, ()):
                if prefecture is None or self.municipalities[code].prefecture_code == prefecture:
                    found.append((code, start, f"{head}, a municipality merged into it"))
        return found

    def normalize(self, text: str) -> NormalizedAddress:
        """Free text → the structured address, as far as it can be matched."""
        cleaned = chome_to_kanji(clean(text))
        keyed, where = _keyed(cleaned)
        readings = self._readings(keyed, old_names=False)
        if not any(r.town for r in readings):
            readings += [r for r in self._readings(keyed, old_names=True) if r.town]
        if not readings:
            readings = self._towns_anywhere(keyed)
        if not readings:
            return self._prefecture_only(text, keyed)
        best = max(r.score for r in readings)
        top = [r for r in readings if r.score == best]
        places = {r.code: r for r in top}
        if len(places) > 1:
            postcode = leading_postcode(text)
            agreeing = [r for r in places.values() if postcode and r.town and r.town.postcode == postcode]
            if len(agreeing) != 1:
                return self._ambiguous(text, list(places.values()))
            top = agreeing  # 〒230-0051 鶴見区鶴見中央: the written postcode says which 鶴見区
        reading = top[0]

        def cut(position: int) -> str:
            return cleaned[where[position] :].strip() if position < len(where) else ""

        municipality = self.municipalities[reading.code]
        steps = [f"市区町村: {municipality.name} ({municipality.code}; {reading.how})"]
        if reading.prefecture_given:
            steps.insert(0, f"都道府県: {self.prefecture_names[municipality.prefecture_code]}")
        else:
            steps.insert(
                0,
                f"都道府県: {self.prefecture_names[municipality.prefecture_code]} (not written; "
                "from the municipality)",
            )
        skipped = tuple(cleaned[where[a] : where[b - 1] + 1] for a, b in reading.skipped)
        steps += [f"読み飛ばし: {part}" for part in skipped]
        if reading.town is None:
            rest = cut(reading.municipality_end)
            steps.append(f"町字: not found in 「{rest}」" if rest else "町字: not written")
            return NormalizedAddress(
                text,
                "municipality",
                self._address(municipality),
                remainder=rest,
                skipped=skipped,
                explanation=tuple(steps),
            )
        town, end = reading.town, reading.town_end
        koaza = self.towns[reading.code].koaza(town, keyed, end)
        if koaza:
            town, end = koaza
        # never a 小字 the text did not name
        koaza_name = town.koaza if koaza or reading.spelling == KOAZA_ONLY else ""
        steps.append(
            f"町字: {town.town} (id {town.id})"
            + (f", 小字 {koaza_name}" if koaza_name else "")
            + {
                REGISTRY: "",
                ALTERED: " — written with 町 added or dropped",
                KOAZA_ONLY: " — the 小字 written without its 大字",
            }[reading.spelling]
        )
        rest = cut(end)
        unknown_koaza = (
            _UNKNOWN_KOAZA.match(rest)
            if not koaza and end < len(where) and cleaned[max(0, where[end] - 1)] == "字"
            else None
        )
        if unknown_koaza:  # 字諏訪前2338-2: a 小字 the registry does not list, then the block
            skipped += (f"字{unknown_koaza.group(1)}",)
            steps.append(f"小字: {unknown_koaza.group(1)} (not in the registry; read past)")
            rest = rest[unknown_koaza.end(1) :]
        block = split_block(rest)
        chome = CHOME_SUFFIX.search(town.town)
        address = self._address(
            municipality,
            town=town.town,
            koaza=koaza_name,
            town_id=town.id,
            banchi=block.banchi,
            go=block.go,
            building=block.building,
            postcode=town.postcode,
            chome=parse_kanji_number(chome.group(0).removesuffix("丁目")) if chome else None,
        )
        if block.banchi:
            steps.append(f"番地: {address.block}")
        if block.building:
            steps.append(f"残り (建物・部屋): {block.building}")
        return NormalizedAddress(
            text,
            "block" if block.banchi else "town",
            address,
            town.lat,
            town.lng,
            remainder=block.building,
            skipped=skipped,
            explanation=tuple(steps),
        )

    def _prefecture_only(self, text: str, keyed: str) -> NormalizedAddress:
        starts = [(code, length) for code, length in self._prefecture_starts(keyed) if code]
        if not starts:
            return NormalizedAddress(
                text, "unmatched", None, remainder=text.strip(), explanation=("都道府県: not found",)
            )
        code, length = max(starts, key=lambda start: start[1])
        assert code is not None
        return NormalizedAddress(
            text,
            "prefecture",
            Address(prefecture=self.prefecture_names[code], prefecture_code=code),
            remainder=keyed[length:],
            explanation=(f"都道府県: {self.prefecture_names[code]}", "市区町村: not found"),
        )

    def _ambiguous(self, text: str, readings: list[_Reading]) -> NormalizedAddress:
        candidates = tuple(
            sorted(
                (
                    Candidate(
                        prefecture=self.prefecture_names[m.prefecture_code],
                        prefecture_code=m.prefecture_code,
                        municipality=m.name,
                        municipality_code=m.code,
                        town=r.town.town if r.town else "",
                        town_id=r.town.id if r.town else None,
                    )
                    for r in readings
                    for m in (self.municipalities[r.code],)
                ),
                key=lambda c: c.municipality_code,
            )
        )
        prefectures = {c.prefecture_code for c in candidates}
        steps = (
            f"曖昧: {len(candidates)} places read this way — "
            + "、".join(f"{c.prefecture}{c.municipality}{c.town}" for c in candidates),
        )
        if len(prefectures) == 1:
            code = prefectures.pop()
            return NormalizedAddress(
                text,
                "prefecture",
                Address(prefecture=self.prefecture_names[code], prefecture_code=code),
                candidates=candidates,
                explanation=steps,
            )
        return NormalizedAddress(text, "unmatched", None, candidates=candidates, explanation=steps)

    def _address(
        self,
        municipality: MunicipalityEntry,
        *,
        town: str = "",
        koaza: str = "",
        town_id: int | None = None,
        banchi: str = "",
        go: str = "",
        building: str = "",
        postcode: str | None = None,
        chome: int | None = None,
    ) -> Address:
        return Address(
            prefecture=self.prefecture_names[municipality.prefecture_code],
            municipality=municipality.name,
            town=town,
            koaza=koaza,
            chome=chome,
            banchi=banchi,
            go=go,
            building=building,
            prefecture_code=municipality.prefecture_code,
            municipality_code=_municipality_code(municipality.code),
            town_id=town_id,
            postcode=_postcode(postcode) if postcode else None,
        )
