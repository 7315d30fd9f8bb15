"""Bulk import of a municipality's residents (住民記録システムからの移行), in batches of direct inserts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from json.encoder import encode_basestring
from typing import Any, Literal, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Base
from tsunagu.core.progress import ProgressReporter
from tsunagu.core.types.individual_number import InvalidIndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.residents.bulk import encode_json, insert_rows, loading, savepoint
from tsunagu.registry.residents.errors import (
    BirthDateInFuture,
)
from tsunagu.registry.residents.models import (
    Change,
    Household,
    Resident,
)
from tsunagu.registry.residents.numbers import NumberVault, check_digit, vault
from tsunagu.registry.residents.service.changes import chome_of
from tsunagu.registry.residents.service.reading import today
from tsunagu.registry.residents.service.records import HEAD, LEGAL_BASIS
from tsunagu.registry.residents.store import SNAPSHOT_FIELDS


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One person of a bulk load (移行): an existing record with how it was first registered."""

    id: str
    municipality_code: str
    individual_number: str
    name: PersonName
    birth_date: date
    sex: str
    town: addresses.TownRecord
    banchi: str
    go: str
    building: str
    household_id: str
    relationship: str
    registered_kind: Literal["birth", "move_in"]
    registered_on: date


def _checked_number(text: str, line: int) -> str:
    """The 個人番号 check of the bulk path: the check digit, without the width normalization
    of ``IndividualNumber`` that machine-written rows do not need (a quarter of the cost)."""
    if len(text) == 12 and text.isascii() and text.isdigit() and check_digit(text[:11]) == text[11]:
        return text
    raise InvalidIndividualNumber(
        "individual_number", f"row {line}: an individual number is 12 digits with a valid check digit"
    )


def _table(model: type[Base]) -> Table:
    """The Core table of a model: bulk inserts skip the ORM's per-row bookkeeping."""
    return cast(Table, model.__table__)


# Bulk rows are tuples in these orders; the two protected 個人番号 columns come last.
_PEOPLE_COLUMNS = (
    "id",
    *SNAPSHOT_FIELDS,
    "search_name",
    "search_kana",
    "updated_at",
    "number_hash",
    "number_ciphertext",
)
_HOUSEHOLD_COLUMNS = ("id", "municipality_code", "head_id", "created_at")
_CHANGE_COLUMNS = ("resident_id", "kind", "effective_date", "recorded_at", "actor", "legal_basis", "snapshot")


_PlaceColumns = tuple[str, str, str, int | None, str]


def _place_of(town: addresses.TownRecord) -> _PlaceColumns:
    return town.prefecture, town.municipality, town.town, chome_of(town.town), town.koaza


@cache
def _json_text(value: str | int | None) -> str:
    """``encode_json(value)`` of the values that repeat (codes, places, relationships)."""
    return encode_json(value)


def _place_json(town: addresses.TownRecord) -> tuple[str, str]:
    """The snapshot's address members of ``town``: prefecture to koaza, and town_id."""
    prefecture, municipality, town_name, chome, koaza = _place_of(town)
    return (
        f'"prefecture":{_json_text(prefecture)},"municipality":{_json_text(municipality)},'
        f'"town":{_json_text(town_name)},"chome":{_json_text(chome)},"koaza":{_json_text(koaza)}',
        f'"town_id":{_json_text(town.id)}',
    )


def _import_snapshot(row: ImportRow, place_json: tuple[str, str]) -> str:
    """``encode_json(store.snapshot_of(...))`` of a newly imported resident, built from pieces:
    the snapshot's members are fixed, and only names, dates and the 番地 vary per row."""
    name, (place, town_id) = row.name, place_json
    return (
        f'{{"municipality_code":{_json_text(row.municipality_code)},'
        f'"family_name":{encode_basestring(name.family)},"given_name":{encode_basestring(name.given)},'
        f'"family_kana":{encode_basestring(name.family_kana)},'
        f'"given_kana":{encode_basestring(name.given_kana)},'
        f'"birth_date":"{_iso(row.birth_date)}","sex":{_json_text(row.sex)},{place},'
        f'"banchi":{encode_basestring(row.banchi)},"go":{encode_basestring(row.go)},'
        f'"building":{encode_basestring(row.building)},{town_id},'
        f'"household_id":{encode_basestring(row.household_id)},'
        f'"relationship":{_json_text(row.relationship)},"status":"resident",'
        f'"status_date":"{_iso(row.registered_on)}","destination":""}}'
    )


class _ImportBatch:
    """The rows of one bulk-import batch, as tuples for ``bulk.insert_rows``."""

    def __init__(self, actor: str, now: datetime) -> None:
        self.actor, self.now = actor, now
        self.people: list[tuple[Any, ...]] = []
        self.numbers: list[str] = []
        self.households: list[tuple[Any, ...]] = []
        self.changes: list[tuple[Any, ...]] = []
        # By identity: rows share a few TownRecords, whose generated __hash__ is slow.
        self.places: dict[int, tuple[addresses.TownRecord, _PlaceColumns, tuple[str, str]]] = {}

    def add(self, row: ImportRow, number: str) -> None:
        name, code = row.name, row.municipality_code
        place = self.places.get(id(row.town))
        if place is None or place[0] is not row.town:
            place = self.places[id(row.town)] = (row.town, _place_of(row.town), _place_json(row.town))
        prefecture, municipality, town, chome, koaza = place[1]
        current = (
            code, name.family, name.given, name.family_kana, name.given_kana, row.birth_date, row.sex,
            prefecture, municipality, town, chome, koaza, row.banchi, row.go, row.building, row.town.id,
            row.household_id, row.relationship, "resident", row.registered_on, "",
        )  # fmt: skip
        self.people.append(
            (row.id, *current, name.family + name.given, name.family_kana + name.given_kana, self.now)
        )
        self.numbers.append(number)
        kind, snapshot = row.registered_kind, _import_snapshot(row, place[2])
        self.changes.append(
            (row.id, kind, row.registered_on, self.now, self.actor, LEGAL_BASIS[kind], snapshot)
        )
        if row.relationship == HEAD:
            self.households.append((row.household_id, code, row.id, self.now))

    def write(self, db: Session, numbers: NumberVault) -> int:
        protected = numbers.protect(self.numbers, [person[0] for person in self.people])
        people = [person + keys for person, keys in zip(self.people, protected, strict=True)]
        insert_rows(db, _table(Household), _HOUSEHOLD_COLUMNS, self.households)
        insert_rows(db, _table(Resident), _PEOPLE_COLUMNS, people)
        insert_rows(db, _table(Change), _CHANGE_COLUMNS, self.changes, encoded=frozenset({"snapshot"}))
        written = len(people)
        for batch in (self.people, self.numbers, self.households, self.changes):
            batch.clear()
        return written


@cache
def _iso(day: date) -> str:
    return day.isoformat()


def import_residents(
    db: Session,
    rows: Iterable[ImportRow],
    progress: ProgressReporter,
    *,
    total: int | None = None,
    actor: str = "import",
    batch_size: int = 20_000,
) -> int:
    """Bulk-load residents (移行): many rows per INSERT, 個人番号 encrypted on the way in.

    Each person gets the registration (出生 or 転入) as the first history entry so that "as of"
    reads work from the day they were registered. No change events are written: a migration
    loads records that other organizations already know. All or nothing: the caller's
    transaction holds every row, and a bad row (line numbers count from 1) stops the load.
    Into an empty registry the indexes are rebuilt once at the end (see ``bulk.loading``).
    """
    day, numbers = today(), vault(db)
    progress.start("residents", total)
    batch = _ImportBatch(actor, clock.now())
    count = 0
    tables = [_table(Household), _table(Resident), _table(Change)]
    # The savepoint opens SQLite's transaction before the index drops, so that they roll back too.
    with savepoint(db), loading(db, tables, empty=not has_residents(db)):
        for count, row in enumerate(rows, start=1):
            number = _checked_number(row.individual_number, count)
            if row.birth_date > day or row.registered_on > day:
                raise BirthDateInFuture("birth_date", f"row {count}: a date lies in the future")
            batch.add(row, number)
            if len(batch.people) >= batch_size:
                progress.advance(batch.write(db, numbers))
        progress.advance(batch.write(db, numbers))
    return count


def has_residents(db: Session) -> bool:
    return db.scalar(select(Resident.id).limit(1)) is not None
