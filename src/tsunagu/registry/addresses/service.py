"""Every rule of the address base registry: look-ups of prefectures, municipalities and towns.

Other parts use only this module (and the value types in ``tsunagu.core.types``): ``TownRecord``,
``get_town``, ``towns_in``, ``get_municipality``, ``towns_by_postcode`` and ``normalize``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import structlog
from sqlalchemy import Select, func, inspect, select
from sqlalchemy.orm import Session

from tsunagu.core.errors import NotFound
from tsunagu.core.progress import ProgressReporter
from tsunagu.core.types.local_government_code import LocalGovernmentCode
from tsunagu.core.types.postcode import Postcode
from tsunagu.registry.addresses import loader
from tsunagu.registry.addresses.models import Municipality, Prefecture, Town, TownPostcode
from tsunagu.registry.addresses.normalizer import build
from tsunagu.registry.addresses.normalizer.index import AddressIndex, Candidate, NormalizedAddress

__all__ = [
    "ATTRIBUTION",
    "Candidate",
    "LoadReport",
    "MunicipalityRecord",
    "NormalizedAddress",
    "TownFilter",
    "TownRecord",
    "get_municipality",
    "get_town",
    "load",
    "normalize",
    "normalizer",
    "prefecture_points",
    "registry_loaded",
    "shipped_normalizer",
    "towns_by_postcode",
    "towns_in",
]
LoadReport = loader.LoadReport
log = structlog.get_logger(__name__)

ATTRIBUTION = "Geolonia 住所データ（CC BY 4.0）、国土交通省 位置参照情報を加工して作成"


class UnknownMunicipality(NotFound):
    code = "unknown-municipality"
    title = "Unknown municipality"


class UnknownPostcode(NotFound):
    code = "unknown-postcode"
    title = "Unknown postcode"


class UnknownTown(NotFound):
    code = "unknown-town"
    title = "Unknown town"


@dataclass(frozen=True)
class MunicipalityRecord:
    code: str
    name: str
    prefecture_code: str
    prefecture: str
    designated_city_code: str | None = None


@dataclass(frozen=True)
class TownRecord:
    id: int
    prefecture_code: str
    prefecture: str
    municipality_code: str
    municipality: str
    town: str
    koaza: str
    lat: float | None  # None for the few towns without a representative point
    lng: float | None
    postcodes: tuple[str, ...]


@dataclass(frozen=True)
class TownFilter:
    prefecture_code: str | None = None
    municipality_code: str | None = None
    name: str | None = None  # a part of the 町字 name
    postcode: str | None = None


def _town_rows() -> Select[Town, Municipality, Prefecture]:
    return (
        select(Town, Municipality, Prefecture)
        .join(Municipality, Town.municipality_code == Municipality.code)
        .join(Prefecture, Municipality.prefecture_code == Prefecture.code)
    )


def _postcodes_of(db: Session, town_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(town_ids), 900):
        chunk = town_ids[start : start + 900]
        query = (
            select(TownPostcode.town_id, TownPostcode.postcode)
            .where(TownPostcode.town_id.in_(chunk))
            .order_by(TownPostcode.postcode)
        )
        for town_id, postcode in db.execute(query):
            found[town_id].append(postcode)
    return {town_id: tuple(codes) for town_id, codes in found.items()}


def _records(db: Session, rows: Iterable[tuple[Town, Municipality, Prefecture]]) -> list[TownRecord]:
    materialized = list(rows)
    postcodes = _postcodes_of(db, [town.id for town, _, _ in materialized])
    return [
        TownRecord(
            id=town.id,
            prefecture_code=prefecture.code,
            prefecture=prefecture.name,
            municipality_code=municipality.code,
            municipality=municipality.name,
            town=town.town,
            koaza=town.koaza,
            lat=town.lat,
            lng=town.lng,
            postcodes=postcodes.get(town.id, ()),
        )
        for town, municipality, prefecture in materialized
    ]


def get_town(db: Session, town_id: int) -> TownRecord | None:
    """One 町字 by its registry id, or None."""
    row = db.execute(_town_rows().where(Town.id == town_id)).first()
    return _records(db, [row])[0] if row else None


def require_town(db: Session, town_id: int) -> TownRecord:
    """One 町字, or UnknownTown (404) — for callers that were given an id by a person."""
    record = get_town(db, town_id)
    if record is None:
        raise UnknownTown(f"no town with id {town_id}", town_id=town_id)
    return record


def towns_in(db: Session, municipality_code: str) -> list[TownRecord]:
    """Every 町字 of one municipality (or 政令市 ward), in registry order."""
    code = LocalGovernmentCode(municipality_code)
    query = _town_rows().where(Town.municipality_code == code).order_by(Town.id)
    return _records(db, db.execute(query))


def _municipality_record(municipality: Municipality, prefecture: Prefecture) -> MunicipalityRecord:
    return MunicipalityRecord(
        code=municipality.code,
        name=municipality.name,
        prefecture_code=prefecture.code,
        prefecture=prefecture.name,
        designated_city_code=municipality.designated_city_code,
    )


def get_municipality(db: Session, code: str) -> MunicipalityRecord | None:
    """A municipality by its 全国地方公共団体コード (validated: a wrong check digit is a 422)."""
    checked = LocalGovernmentCode(code)
    row = db.execute(
        select(Municipality, Prefecture)
        .join(Prefecture, Municipality.prefecture_code == Prefecture.code)
        .where(Municipality.code == checked)
    ).first()
    return _municipality_record(*row) if row else None


def require_municipality(db: Session, code: str) -> MunicipalityRecord:
    record = get_municipality(db, code)
    if record is None:
        raise UnknownMunicipality(f"no municipality has the code {code}", municipality_code=code)
    return record


def list_municipalities(db: Session, prefecture_code: str | None = None) -> list[MunicipalityRecord]:
    query = (
        select(Municipality, Prefecture)
        .join(Prefecture, Municipality.prefecture_code == Prefecture.code)
        .order_by(Municipality.code)
    )
    if prefecture_code:
        query = query.where(Municipality.prefecture_code == prefecture_code)
    return [_municipality_record(*row) for row in db.execute(query)]


def _filtered(
    query: Select[Town, Municipality, Prefecture], where: TownFilter
) -> Select[Town, Municipality, Prefecture]:
    if where.prefecture_code:
        query = query.where(Prefecture.code == where.prefecture_code)
    if where.municipality_code:
        query = query.where(Town.municipality_code == LocalGovernmentCode(where.municipality_code))
    if where.name:
        query = query.where(Town.town.contains(where.name, autoescape=True))
    if where.postcode:
        query = query.where(
            Town.id.in_(select(TownPostcode.town_id).where(TownPostcode.postcode == Postcode(where.postcode)))
        )
    return query


def search_towns(db: Session, where: TownFilter, *, limit: int, offset: int) -> tuple[list[TownRecord], int]:
    """A page of 町字 matching every given filter, and the total count."""
    filtered = _filtered(_town_rows(), where)
    total = db.scalar(select(func.count()).select_from(filtered.with_only_columns(Town.id).subquery()))
    rows = db.execute(filtered.order_by(Town.id).limit(limit).offset(offset))
    return _records(db, rows), int(total or 0)


def towns_by_postcode(db: Session, postcode: str) -> list[TownRecord]:
    """郵便番号 → candidate 町字 (a malformed postcode is a 422 ``invalid-postcode``)."""
    code = Postcode(postcode)
    query = (
        _town_rows()
        .where(Town.id.in_(select(TownPostcode.town_id).where(TownPostcode.postcode == code)))
        .order_by(Town.id)
    )
    return _records(db, db.execute(query))


_indexes: dict[str, tuple[tuple[int, int, int], AddressIndex]] = {}
_generation = 0  # bumped by every load in this process


def _fingerprint(db: Session) -> tuple[int, int, int]:
    """Changes whenever the registry is reloaded (cheap: both aggregates read the primary key)."""
    # two statements: SQLite reads the index for a lone min() or max(), not for both at once
    highest = db.scalar(select(func.max(Town.id)))
    lowest = db.scalar(select(func.min(Town.id)))
    return int(highest or 0), int(lowest or 0), _generation


@dataclass(frozen=True)
class PrefecturePoint:
    """A prefecture and the mean of its towns' representative points (for maps)."""

    code: str
    name: str
    lat: float
    lng: float


_points: dict[str, tuple[tuple[int, int, int], list[PrefecturePoint]]] = {}


def prefecture_points(db: Session) -> list[PrefecturePoint]:
    """Every prefecture of the registry with the mean point of its towns, by code; computed once
    per process and reload (empty when the registry is not loaded)."""
    key = db.get_bind().engine.url.render_as_string(hide_password=True)
    fingerprint = _fingerprint(db)
    cached = _points.get(key)
    if cached is None or cached[0] != fingerprint:
        query = (
            select(Prefecture.code, Prefecture.name, func.avg(Town.lat), func.avg(Town.lng))
            .join(Municipality, Municipality.prefecture_code == Prefecture.code)
            .join(Town, Town.municipality_code == Municipality.code)
            .where(Town.lat.is_not(None), Town.lng.is_not(None))
            .group_by(Prefecture.code, Prefecture.name)
            .order_by(Prefecture.code)
        )
        found = [PrefecturePoint(c, n, float(lat), float(lng)) for c, n, lat, lng in db.execute(query)]
        cached = (fingerprint, found)
        _points[key] = cached
    return cached[1]


def registry_loaded(db: Session) -> bool:
    """Whether this database holds the address registry (migrated and loaded)."""
    if not inspect(db.connection()).has_table(Town.__tablename__):
        return False
    return db.scalar(select(Town.id).limit(1)) is not None


@lru_cache(maxsize=1)
def shipped_normalizer() -> AddressIndex:
    """The index built straight from the data shipped with the package (towns file and postal
    data), for a database where the registry was never loaded: normalization works on a fresh
    install without a seed step. Built once per process (about 10 s)."""
    index = build.from_plan(loader.plan(loader.read_towns(loader.TOWNS_FILE), loader.postal_index()))
    index.source = "shipped"
    return index


def normalizer(db: Session) -> AddressIndex:
    """The in-memory index over this database's registry, built once per process and reload;
    the shipped data's when the database has no registry (``index.source`` tells which)."""
    key = db.get_bind().engine.url.render_as_string(hide_password=True)
    if key not in _indexes and not registry_loaded(db):  # checked until the registry is there
        if shipped_normalizer.cache_info().currsize == 0:
            log.warning(
                "address registry not loaded; normalizing with the shipped data",
                hint="tsunagu seed loads it into the database",
            )
        return shipped_normalizer()
    fingerprint = _fingerprint(db)
    cached = _indexes.get(key)
    if cached is None or cached[0] != fingerprint:
        cached = (fingerprint, build.from_database(db))
        _indexes[key] = cached
    return cached[1]


def normalize(db: Session, text: str) -> NormalizedAddress:
    """住所の正規化: free text → structured address with match level and codes."""
    return normalizer(db).normalize(text)


def load(
    db: Session,
    progress: ProgressReporter,
    *,
    only_if_empty: bool = False,
    towns_file: Path = loader.TOWNS_FILE,
) -> LoadReport | None:
    """Load prefectures, municipalities, towns and postcodes (None when kept as they were)."""
    global _generation
    if only_if_empty and loader.is_loaded(db):
        return None
    report = loader.load(db, progress, towns_file)
    _generation += 1
    return report
