"""The registry's hot-path statements on its tables: the current record's columns by id, and the
JSON form of those columns that the history keeps.

Rows come back as plain mappings; turning them into ``ResidentRecord`` values is the service's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import RowMapping, bindparam, select
from sqlalchemy.orm import Session

from tsunagu.registry.residents.models import Resident

#: The columns of a 住民票, in the order a history snapshot keeps them.
SNAPSHOT_FIELDS = (
    "municipality_code",
    "family_name",
    "given_name",
    "family_kana",
    "given_kana",
    "birth_date",
    "sex",
    "prefecture",
    "municipality",
    "town",
    "chome",
    "koaza",
    "banchi",
    "go",
    "building",
    "town_id",
    "household_id",
    "relationship",
    "status",
    "status_date",
    "destination",
)

# One statement, compiled once (and prepared by the server driver after a few uses).
_CURRENT = select(*(Resident.__table__.c[name] for name in SNAPSHOT_FIELDS)).where(
    Resident.__table__.c.id == bindparam("resident_id")
)


def current_values(db: Session, resident_id: str) -> RowMapping | None:
    """The current record's columns, or None; what the session changed but has not written yet
    is written first, so it is part of the answer."""
    db.flush()
    return db.connection().execute(_CURRENT, {"resident_id": resident_id}).mappings().first()


def snapshot_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON form of a record's columns (dates as ISO text), as kept in the history."""
    snapshot = {name: values[name] for name in SNAPSHOT_FIELDS}
    for name in ("birth_date", "status_date"):
        if snapshot[name] is not None:
            snapshot[name] = snapshot[name].isoformat()
    return snapshot


def snapshot(row: Resident) -> dict[str, Any]:
    """The history snapshot of a row as the session holds it."""
    return snapshot_of({name: getattr(row, name) for name in SNAPSHOT_FIELDS})
