"""Bulk import: nothing is written when a load is aborted midway or its transaction rolls back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, inspect, select

from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.registry.residents import service
from tsunagu.registry.residents.models import Change, Household, Resident
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

