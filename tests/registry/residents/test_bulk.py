"""Bulk import: nothing is written when a load is aborted midway or rolled back; the fast
number protection agrees with the one-at-a-time path."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, inspect, select
from stdnum.jp import in_ as stdnum_in

from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.registry.residents import service
from tsunagu.registry.residents.models import Change, Household, Resident
from tsunagu.registry.residents.numbers import NumberVault, check_digit
from tsunagu.registry.residents.synthetic.generator import ResidentGenerator

from .test_synthetic import TOWNS


class Aborted(Exception):
    """Stands for a kill of the load: the source stops in the middle of a batch."""


def _counts(database: Database) -> tuple[int, int, int]:
    with database.session() as db:
        return tuple(  # type: ignore[return-value]
            db.scalar(select(func.count()).select_from(model)) or 0 for model in (Resident, Household, Change)
        )


def _aborting(rows: list[service.ImportRow], after: int) -> Iterator[service.ImportRow]:
    yield from rows[:after]
    raise Aborted


def test_an_aborted_load_writes_nothing_and_keeps_the_indexes(towns: Database) -> None:
    rows = list(ResidentGenerator(TOWNS, 3).rows(50))
    with pytest.raises(Aborted), towns.session() as db:
        service.import_residents(db, _aborting(rows, 23), SilentProgress(), batch_size=10)
    assert _counts(towns) == (0, 0, 0)
    indexes = {index["name"] for index in inspect(towns.engine).get_indexes("residents_people")}
    assert {"ix_residents_people_number", "ix_residents_people_name", "ix_residents_people_birth"} <= indexes


def test_a_rollback_after_the_load_undoes_every_batch(towns: Database) -> None:
    rows = list(ResidentGenerator(TOWNS, 4).rows(30))
    with pytest.raises(Aborted), towns.session() as db:
        assert service.import_residents(db, rows, SilentProgress(), batch_size=7) == 30
        raise Aborted
    assert _counts(towns) == (0, 0, 0)
    with towns.session() as db:
        assert service.import_residents(db, rows, SilentProgress(), batch_size=7) == 30
    assert _counts(towns)[0] == 30


def test_imported_numbers_are_found_through_the_keyed_hash(towns: Database) -> None:
    rows = list(ResidentGenerator(TOWNS, 6).rows(25))
    with towns.session() as db:
        service.import_residents(db, rows, SilentProgress(), batch_size=8)
    with towns.session() as db:
        for row in rows[::6]:
            number = IndividualNumber(row.individual_number)
            found = service.find_by_individual_number(db, row.municipality_code, number)
            assert found is not None and found.id == row.id


def test_bulk_protection_matches_the_single_number_hash_and_cipher() -> None:
    vault = NumberVault("a test secret, not a real one")
    numbers = [f"{n:011d}" + check_digit(f"{n:011d}") for n in range(10**10, 10**11, 7 * 10**9)]
    ids = [f"{index:032x}" for index in range(len(numbers))]
    for (digest, blob), number, resident_id in zip(vault.protect(numbers, ids), numbers, ids, strict=True):
        assert digest == vault.lookup_hash(number)
        assert vault.decrypt(blob, resident_id) == number


def test_check_digit_agrees_with_python_stdnum() -> None:
    for n in range(0, 10**11, 10**11 // 997):
        eleven = f"{n:011d}"
        assert stdnum_in.is_valid(eleven + check_digit(eleven))
        assert not stdnum_in.is_valid(eleven + str((int(check_digit(eleven)) + 1) % 10))
