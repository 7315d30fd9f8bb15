"""Building the normalizer's index from the database, or straight from a load plan."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.registry.addresses.loader import Plan
from tsunagu.registry.addresses.models import Municipality, Prefecture, Town, TownPostcode
from tsunagu.registry.addresses.normalizer.index import AddressIndex, MunicipalityEntry, TownEntry


def from_database(db: Session) -> AddressIndex:
    """One pass over each table (about 2 s for the whole country on SQLite)."""
    first_postcode: dict[int, str] = {}
    for town_id, postcode in db.execute(
        select(TownPostcode.town_id, func.min(TownPostcode.postcode)).group_by(TownPostcode.town_id)
    ):
        first_postcode[town_id] = postcode
    towns: Iterator[tuple[str, TownEntry]] = (
        (
            code,
            TownEntry(
                id=town_id, town=town, koaza=koaza, lat=lat, lng=lng, postcode=first_postcode.get(town_id)
            ),
        )
        for town_id, code, town, koaza, lat, lng in db.execute(
            select(Town.id, Town.municipality_code, Town.town, Town.koaza, Town.lat, Town.lng).order_by(
                Town.id
            )
        )
    )
    return AddressIndex(
        [(code, name) for code, name in db.execute(select(Prefecture.code, Prefecture.name))],
        (
            MunicipalityEntry(
                code=m.code,
                name=m.name,
                prefecture_code=m.prefecture_code,
                designated_city_code=m.designated_city_code,
            )
            for m in db.scalars(select(Municipality))
        ),
        towns,
    )


def from_plan(plan: Plan) -> AddressIndex:
    """The same index without a database (tests of the whole country, the benchmark)."""
    first_postcode: dict[int, str] = {}
    for row in plan.postcodes:
        first_postcode.setdefault(int(str(row["town_id"])), str(row["postcode"]))
    return AddressIndex(
        sorted(plan.prefectures.items()),
        (
            MunicipalityEntry(code=code, name=name, prefecture_code=pref, designated_city_code=parent)
            for code, (pref, name, parent) in plan.municipalities.items()
        ),
        (
            (
                str(t["municipality_code"]),
                TownEntry(
                    id=int(str(t["id"])),
                    town=str(t["town"]),
                    koaza=str(t["koaza"]),
                    lat=_coordinate(t["lat"]),
                    lng=_coordinate(t["lng"]),
                    postcode=first_postcode.get(int(str(t["id"]))),
                ),
            )
            for t in plan.towns
        ),
    )


def _coordinate(value: object) -> float | None:
    return float(value) if isinstance(value, float | int) else None
