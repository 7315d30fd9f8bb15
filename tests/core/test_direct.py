"""Statements run straight on the driver store and read the same values as SQLAlchemy would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import JSON, Integer, String, UniqueConstraint, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tsunagu.core.database import Database, UTCDateTime
from tsunagu.core.direct import DirectInsert, DirectSelect


class _Scratch(DeclarativeBase):
    pass


class Sample(_Scratch):
    __tablename__ = "test_direct_samples"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    items: Mapped[Any] = mapped_column(JSON)


INSERT = DirectInsert(Sample, ("name", "at", "items"))  # type: ignore[arg-type]  # a scratch base
SELECT = DirectSelect(
    select(Sample.at, Sample.items).where(Sample.name == bindparam("name")), {"name": Sample.name}
)
NEWEST = DirectSelect(
    select(Sample.name).where(Sample.at >= bindparam("since")).order_by(Sample.id.desc()).limit(1),
    {"since": Sample.at},
)
AT = datetime(2026, 11, 22, 1, 2, 3, 456789, tzinfo=UTC)


@pytest.fixture
def samples(database: Database) -> Iterator[Database]:
    _Scratch.metadata.create_all(database.engine)
    try:
        yield database
    finally:
        _Scratch.metadata.drop_all(database.engine)


def test_rows_inserted_directly_read_back_as_through_sqlalchemy(samples: Database) -> None:
    with samples.engine.begin() as connection:
        INSERT.run(
            connection,
            [
                {"name": "one", "at": AT, "items": ["a", "b"]},
                {"name": "two", "at": None, "items": {"k": "値"}},
            ],
        )
        INSERT.run(connection, [{"name": "three", "at": AT, "items": []}])
    with samples.session() as db:
        rows = {row.name: (row.at, row.items) for row in db.scalars(select(Sample))}
    assert rows == {"one": (AT, ["a", "b"]), "two": (None, {"k": "値"}), "three": (AT, [])}


def test_a_direct_select_returns_processed_values_or_none(samples: Database) -> None:
    with samples.session() as db:
        db.add(Sample(name="one", at=AT, items={"pension_type": "老齢基礎年金"}))
    with samples.engine.connect() as connection:
        assert SELECT.first(connection, name="one") == (AT, {"pension_type": "老齢基礎年金"})
        assert SELECT.first(connection, name="nobody") is None
        assert NEWEST.first(connection, since=AT) == ("one",)  # the statement's own LIMIT is bound too


def test_a_constraint_violation_is_sqlalchemys_integrity_error(samples: Database) -> None:
    with samples.engine.begin() as connection:
        INSERT.run(connection, [{"name": "one", "at": AT, "items": []}])
    with pytest.raises(IntegrityError), samples.engine.begin() as connection:
        INSERT.run(connection, [{"name": "one", "at": AT, "items": []}])
    with samples.session() as db:
        assert len(db.scalars(select(Sample)).all()) == 1


def test_new_orm_objects_are_inserted_as_they_are_without_the_unit_of_work(samples: Database) -> None:
    insert_samples = DirectInsert.of(Sample)  # type: ignore[arg-type]  # a scratch base
    assert insert_samples.columns == ("name", "at", "items")  # the generated id is the database's
    with samples.session() as db:
        assert (
            insert_samples.add(
                db.connection(), [Sample(name="one", at=AT, items=[1]), Sample(name="two", at=None, items={})]
            )
            == 2
        )
    with samples.session() as db:
        stored = db.scalars(select(Sample).order_by(Sample.id))
        rows = [(row.id > 0, row.name, row.at, row.items) for row in stored]
    assert rows == [(True, "one", AT, [1]), (True, "two", None, {})]
