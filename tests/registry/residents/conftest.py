"""Fixtures of the resident registry tests: a few real towns, a fixed clock and a known secret."""

from __future__ import annotations

from datetime import date

import pytest

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.migrations.schema import metadata
from tsunagu.registry.residents import service

CHIYODA, YOKOSUKA = "131016", "142018"
# (id, municipality, town) — real 町字 of the two demo municipalities.
TOWNS = [
    (1001, CHIYODA, "飯田橋三丁目"),
    (1002, CHIYODA, "一番町"),
    (1003, CHIYODA, "丸の内二丁目"),
    (2001, YOKOSUKA, "小川町"),
    (2002, YOKOSUKA, "本町一丁目"),
]
TODAY = date(2026, 11, 22)  # the fixed clock's date in Japan


def insert_towns(database: Database) -> None:
    """The address registry rows these tests need, written straight into its tables."""
    tables = metadata.tables
    with database.engine.begin() as connection:
        connection.execute(
            tables["addresses_prefectures"].insert(),
            [{"code": "13", "name": "東京都"}, {"code": "14", "name": "神奈川県"}],
        )
        connection.execute(
            tables["addresses_municipalities"].insert(),
            [
                {"code": CHIYODA, "prefecture_code": "13", "name": "千代田区", "designated_city_code": None},
                {"code": YOKOSUKA, "prefecture_code": "14", "name": "横須賀市", "designated_city_code": None},
            ],
        )
        connection.execute(
            tables["addresses_towns"].insert(),
            [
                {
                    "id": town_id,
                    "municipality_code": code,
                    "town": town,
                    "koaza": "",
                    "lat": 35.0,
                    "lng": 139.0,
                }
                for town_id, code, town in TOWNS
            ],
        )


@pytest.fixture
def towns(database: Database, fixed_clock: clock.FixedClock) -> Database:
    """The database with the demo towns, under the fixed clock (2026-11-22 JST)."""
    insert_towns(database)
    return database


def person(
    number: str = "123456789018",
    *,
    name: tuple[str, str, str, str] = ("佐藤", "花子", "さとう", "はなこ"),
    born: date = date(1990, 4, 1),
    sex: str = "2",
    household_id: str | None = None,
    relationship: str = service.HEAD,
) -> service.NewResident:
    """A registration for tests (the default number has a valid check digit)."""
    return service.NewResident(
        name=PersonName(*name),
        birth_date=born,
        sex=sex,
        individual_number=IndividualNumber(number),
        household_id=household_id,
        relationship=relationship,
    )


def staff(code: str = CHIYODA, *roles: str) -> Principal:
    """A staff member of ``code`` (by default 閲覧 and 住基), as the tests log them in."""
    roles = roles or ("閲覧", "住基")
    return Principal(kind="staff", subject_id=f"staff-{code}", organization_code=code, roles=frozenset(roles))


@pytest.fixture
def resident(towns: Database) -> service.ResidentRecord:
    """佐藤花子, moved in to 千代田区飯田橋三丁目 on 2020-04-01."""
    with towns.session() as db:
        return service.register_move_in(
            db,
            CHIYODA,
            person(),
            service.Residence(1001, "3", "5"),
            moved_in_on=date(2020, 4, 1),
            actor="staff-0",
        )
