"""移行データの出力: one municipality's register as the files of the 住民記録 data requirements
(persons, households, addresses, changes — conformance/requirements/juminkiroku), streamed from the
database in batches. 個人番号 is never part of it: the My Number does not leave the registry.

The codes written here (住民状態, 異動事由, 性別) are the code lists of that requirement set.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core.types.wareki import format_wareki
from tsunagu.registry.residents.models import Change, Household, Resident

TABLES = ("persons", "households", "addresses", "changes")
STATUS_CODES = {"resident": "1", "moved_out": "2", "deceased": "3"}
REASON_CODES = {
    "move_in": "A1",
    "birth": "A2",
    "address_change": "B1",
    "head_change": "B2",
    "name_change": "B3",
    "move_out": "C1",
    "death": "C2",
}
#: the changes after which a person lives at the address they have now (住定日)
SETTLING = ("move_in", "birth", "address_change")
PERSON_COLUMNS = (
    "person_id",
    "household_id",
    "family_name",
    "given_name",
    "family_kana",
    "given_kana",
    "birth_date",
    "birth_date_wareki",
    "sex",
    "relationship",
    "address_id",
    "residence_date",
    "status",
    "status_date",
    "destination",
)
HOUSEHOLD_COLUMNS = ("household_id", "municipality_code", "head_person_id")
ADDRESS_COLUMNS = (
    "address_id",
    "municipality_code",
    "prefecture",
    "municipality",
    "town",
    "banchi",
    "go",
    "building",
    "town_id",
)
CHANGE_COLUMNS = ("change_id", "person_id", "reason", "effective_date", "recorded_date", "legal_basis")
_BATCH = 5000
_TOKYO = ZoneInfo("Asia/Tokyo")


def address_id(row: Resident) -> str:
    """A stable number for an address: the same address gives the same number in every export."""
    parts = (row.municipality_code, row.town, row.koaza, row.banchi, row.go, row.building)
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def _people(db: Session, municipality_code: str) -> Iterator[tuple[Resident, date | None]]:
    settled = (
        select(Change.resident_id, func.max(Change.effective_date).label("settled"))
        .where(Change.kind.in_(SETTLING))
        .group_by(Change.resident_id)
        .subquery()
    )
    query = (
        select(Resident, settled.c.settled)
        .outerjoin(settled, settled.c.resident_id == Resident.id)
        .where(Resident.municipality_code == municipality_code)
        .order_by(Resident.id)
    )
    rows = db.execute(query.execution_options(yield_per=_BATCH))
    yield from ((resident, settled_on) for resident, settled_on in rows)


def write(db: Session, municipality_code: str, directory: Path) -> dict[str, int]:
    """Write the four files (UTF-8 CSV) into ``directory``; the number of rows of each."""
    directory.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(TABLES, 0)
    handles = {name: (directory / f"{name}.csv").open("w", encoding="utf-8", newline="") for name in TABLES}
    try:
        writers = {name: csv.writer(handle, lineterminator="\n") for name, handle in handles.items()}
        for name, columns in zip(
            TABLES, (PERSON_COLUMNS, HOUSEHOLD_COLUMNS, ADDRESS_COLUMNS, CHANGE_COLUMNS), strict=True
        ):
            writers[name].writerow(columns)
        seen: set[str] = set()
        ids: list[str] = []
        for row, settled in _people(db, municipality_code):
            place = address_id(row)
            leaving = row.status != "resident"
            writers["persons"].writerow(
                (
                    row.id,
                    row.household_id,
                    row.family_name,
                    row.given_name,
                    row.family_kana,
                    row.given_kana,
                    row.birth_date.isoformat(),
                    format_wareki(row.birth_date),
                    row.sex,
                    row.relationship,
                    place,
                    settled.isoformat() if settled else "",
                    STATUS_CODES.get(row.status, row.status),
                    row.status_date.isoformat() if leaving and row.status_date else "",
                    row.destination,
                )
            )
            counts["persons"] += 1
            if place not in seen:
                seen.add(place)
                writers["addresses"].writerow(
                    (
                        place,
                        row.municipality_code,
                        row.prefecture,
                        row.municipality,
                        row.town,
                        row.banchi,
                        row.go,
                        row.building,
                        row.town_id or "",
                    )
                )
                counts["addresses"] += 1
            ids.append(row.id)
        households = (
            select(Household)
            .where(Household.municipality_code == municipality_code)
            .order_by(Household.id)
            .execution_options(yield_per=_BATCH)
        )
        for household in db.scalars(households):
            writers["households"].writerow((household.id, household.municipality_code, household.head_id))
            counts["households"] += 1
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start : start + _BATCH]
            changes = select(Change).where(Change.resident_id.in_(chunk)).order_by(Change.id)
            for change in db.scalars(changes):
                writers["changes"].writerow(
                    (
                        change.id,
                        change.resident_id,
                        REASON_CODES.get(change.kind, change.kind),
                        change.effective_date.isoformat(),
                        change.recorded_at.astimezone(_TOKYO).date().isoformat(),
                        change.legal_basis,
                    )
                )
                counts["changes"] += 1
    finally:
        for handle in handles.values():
            handle.close()
    return counts
