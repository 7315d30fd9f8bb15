"""The values the registry hands out (住民票, history entries, accesses, outbox events) and the legal
basis of each change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from tsunagu.core.types.address import Address
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName

_CHOME = re.compile(r"([一二三四五六七八九十]+)丁目$")
_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}

Status = Literal["resident", "moved_out", "deceased"]
ChangeKind = Literal["birth", "move_in", "address_change", "move_out", "death", "name_change", "head_change"]
#: what the municipality's outbox carries besides register changes: a 住民税 assessment recorded or
#: corrected (課税台帳), which the push-type notices and the mesh's subscribers read like a change
EventKind = ChangeKind | Literal["income_assessed"]
HEAD = "世帯主"

LEGAL_BASIS: dict[ChangeKind, str] = {
    "birth": "住民基本台帳法第8条",  # 職権記載 on the 出生届 (戸籍法第49条)
    "move_in": "住民基本台帳法第22条",
    "address_change": "住民基本台帳法第23条",
    "move_out": "住民基本台帳法第24条",
    "death": "住民基本台帳法第8条",  # 職権消除 on the 死亡届 (戸籍法第86条)
    "name_change": "住民基本台帳法第9条第2項",  # 戸籍の届出に基づく記載の修正
    "head_change": "住民基本台帳法第25条",  # 世帯主の変更 (here: on the death of the head)
}


@dataclass(frozen=True)
class ResidentRecord:
    """住民票 of one person: 基本4情報, household and status (never the 個人番号)."""

    id: str
    municipality_code: str
    name: PersonName
    birth_date: date
    sex: str
    address: Address
    town_id: int | None
    household_id: str
    relationship: str
    status: Status
    status_date: date | None = None
    destination: str = ""


@dataclass(frozen=True)
class ChangeRecord:
    """One history entry: the change, who recorded it, when and under which law."""

    id: int
    resident_id: str
    kind: ChangeKind
    effective_date: date
    recorded_at: datetime
    actor: str
    legal_basis: str
    record: ResidentRecord
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AccessRecord:
    resident_id: str
    actor: str
    organization_code: str
    purpose: str
    accessed_at: datetime
    role: str = ""


@dataclass(frozen=True)
class EventRecord:
    """A change event in the outbox; ``sequence`` orders events for ``pending_events``."""

    sequence: int
    event_id: str
    resident_id: str
    municipality_code: str
    kind: EventKind
    payload: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class Residence:
    """Where someone lives: a 町字 of the address registry plus 番地・号 and building."""

    town_id: int
    banchi: str = ""
    go: str = ""
    building: str = ""


@dataclass(frozen=True)
class NewResident:
    """What a birth or move-in registers. ``household_id`` None starts a household (世帯主)."""

    name: PersonName
    birth_date: date
    sex: str
    individual_number: IndividualNumber
    household_id: str | None = None
    relationship: str = HEAD


@dataclass(frozen=True)
class SearchQuery:
    name: str = ""
    kana: str = ""
    birth_date: date | None = None
    statuses: tuple[Status, ...] = field(default=("resident",))
