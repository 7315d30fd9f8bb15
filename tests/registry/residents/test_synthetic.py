"""Synthetic residents: deterministic, consistent households, valid numbers, bulk import."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, inspect, select

from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.progress import SilentProgress
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.registry.addresses.service import TownRecord
from tsunagu.registry.residents import service, store
from tsunagu.registry.residents.models import Change, ChangeEvent, Household, Resident
from tsunagu.registry.residents.synthetic import service as synthetic
from tsunagu.registry.residents.synthetic.generator import REFERENCE_DATE, ResidentGenerator
from tsunagu.registry.residents.synthetic.names import family_names, female_given_names, male_given_names

from .conftest import CHIYODA, YOKOSUKA

TOWNS = [
    TownRecord(
        id=i,
        prefecture_code="13",
        prefecture="東京都",
        municipality_code=CHIYODA,
        municipality="千代田区",
        town=f"神田町{i}",
        koaza="",
        lat=35.0,
        lng=139.0,
        postcodes=(),
    )
    for i in range(1, 6)
]


def test_the_same_seed_gives_the_same_people_and_another_seed_others() -> None:
    first = list(ResidentGenerator(TOWNS, 7).rows(300))
    assert first == list(ResidentGenerator(TOWNS, 7).rows(300))
    assert first != list(ResidentGenerator(TOWNS, 8).rows(300))


def test_people_have_valid_unique_numbers_and_consistent_households() -> None:
    rows = list(ResidentGenerator(TOWNS, 3).rows(3000))
    assert len(rows) == 3000
    numbers = [IndividualNumber(r.individual_number).reveal() for r in rows]
    assert len(set(numbers)) == len(numbers)
    households: dict[str, list[service.ImportRow]] = {}
    for row in rows:
        households.setdefault(row.household_id, []).append(row)
        assert row.birth_date < REFERENCE_DATE and row.registered_on <= REFERENCE_DATE
    shapes = set()
    for members in households.values():
        heads = [m for m in members if m.relationship == service.HEAD]
        assert len(heads) == 1, members
        assert len({(m.town.id, m.banchi, m.go, m.building) for m in members}) == 1
        for child in (m for m in members if m.relationship == "子"):
            parents = [m for m in members if m.relationship != "子"]
            assert all(p.birth_date + timedelta(days=365 * 18) < child.birth_date for p in parents)
            assert child.name.family == heads[0].name.family
        spouses = [m for m in members if m.relationship in ("妻", "夫")]
        if spouses:
            assert {spouses[0].sex, heads[0].sex} == {"1", "2"}
        shapes.add((len(spouses), sum(m.relationship == "子" for m in members)))
    assert {(0, 0), (1, 0), (1, 1), (0, 1)} <= shapes
    women = {name for name, _ in female_given_names()}
    men = {name for name, _ in male_given_names()}
    assert all(r.name.given in (women if r.sex == "2" else men) for r in rows)


def test_name_lists_are_reasonably_large() -> None:
    assert len(family_names()) >= 250
    assert len(male_given_names()) >= 150 and len(female_given_names()) >= 150


def test_bulk_import_encrypts_numbers_and_starts_the_history(towns: Database) -> None:
    rows = list(ResidentGenerator(TOWNS, 5).rows(120))
    with towns.session() as db:
        assert service.import_residents(db, rows, SilentProgress(), batch_size=50) == 120
    with towns.session() as db:
        assert db.scalar(select(func.count()).select_from(Resident)) == 120
        assert db.scalar(select(func.count()).select_from(Change)) == 120
        assert db.scalar(select(func.count()).select_from(ChangeEvent)) == 0
        assert db.scalar(select(func.count()).select_from(Household)) == len({r.household_id for r in rows})
        first = rows[0]
        assert service.individual_number_of(db, first.id) == first.individual_number
        record = service.get_resident(db, first.id)
        assert record is not None and record.name == first.name and record.address.town == first.town.town
        assert service.get_resident_as_of(db, first.id, first.registered_on - timedelta(days=1)) is None
        assert service.get_resident_as_of(db, first.id, first.registered_on) == record


def test_imported_snapshots_are_the_records_as_the_history_writes_them(towns: Database) -> None:
    rows = list(ResidentGenerator(TOWNS, 7).rows(30))
    odd = replace(rows[0].name, family='山"田\\', given="太\t郎")
    rows[0] = replace(rows[0], name=odd, building='ビル "A"\n2F', banchi="1/2")
    with towns.session() as db:
        service.import_residents(db, rows, SilentProgress())
    with towns.session() as db:
        snapshots = {change.resident_id: change.snapshot for change in db.scalars(select(Change))}
        for person in db.scalars(select(Resident)):
            assert list(snapshots[person.id]) == list(service.SNAPSHOT_FIELDS)
            assert snapshots[person.id] == store.snapshot(person)


def test_a_bad_row_stops_the_whole_import(towns: Database) -> None:
    rows = list(ResidentGenerator(TOWNS, 5).rows(10))
    rows[6] = replace(rows[6], individual_number="123456789012")
    with pytest.raises(ValidationFailed) as caught, towns.session() as db:
        service.import_residents(db, rows, SilentProgress(), batch_size=4)
    assert "row 7" in caught.value.detail
    with towns.session() as db:
        assert db.scalar(select(func.count()).select_from(Resident)) == 0
    indexes = {index["name"] for index in inspect(towns.engine).get_indexes("residents_people")}
    assert {"ix_residents_people_number", "ix_residents_people_kana"} <= indexes


def test_a_future_birth_date_is_refused_in_an_import(towns: Database) -> None:
    rows = [replace(row, birth_date=date(2027, 1, 1)) for row in ResidentGenerator(TOWNS, 5).rows(1)]
    with pytest.raises(ValidationFailed, match="row 1"), towns.session() as db:
        service.import_residents(db, rows, SilentProgress())


def test_seed_places_people_in_both_demo_municipalities_once(towns: Database) -> None:
    with towns.session() as db:
        assert synthetic.seed(db, 200, 1, SilentProgress()) == 200
    with towns.session() as db:
        assert synthetic.seed(db, 200, 1, SilentProgress(), only_if_empty=True) == 0
        counts = dict(
            db.execute(select(Resident.municipality_code, func.count()).group_by(Resident.municipality_code))
            .tuples()
            .all()
        )
    assert set(counts) == {CHIYODA, YOKOSUKA} and sum(counts.values()) == 200


def test_seed_needs_the_address_registry(database: Database) -> None:
    with database.session() as db, pytest.raises(synthetic.AddressesMissing):
        synthetic.seed(db, 10, 1, SilentProgress())
