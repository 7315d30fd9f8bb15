"""Tables of the resident registry (住民基本台帳), one municipality's records side by side.

個人番号 is never stored in clear: ``number_ciphertext`` is AES-GCM under a key derived from the
installation secret, ``number_hash`` an HMAC for exact look-up (see ``numbers.py``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class Resident(Base):
    """住民票: the current state of one person in one municipality."""

    __tablename__ = "residents_people"
    __table_args__ = (
        Index("ix_residents_people_number", "municipality_code", "number_hash", unique=True),
        Index("ix_residents_people_kana", "municipality_code", "search_kana"),
        Index("ix_residents_people_name", "municipality_code", "search_name"),
        Index("ix_residents_people_birth", "municipality_code", "birth_date"),
        # a municipality's people in id order, a page at a time (benefit runs: residents_on)
        Index("ix_residents_people_municipality_id", "municipality_code", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(6))
    number_ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    number_hash: Mapped[str] = mapped_column(String(64))
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    family_kana: Mapped[str] = mapped_column(String(100))
    given_kana: Mapped[str] = mapped_column(String(100))
    search_name: Mapped[str] = mapped_column(String(200))
    search_kana: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    prefecture: Mapped[str] = mapped_column(String(10))
    municipality: Mapped[str] = mapped_column(String(50))
    town: Mapped[str] = mapped_column(String(100))
    chome: Mapped[int | None] = mapped_column(Integer, nullable=True)
    koaza: Mapped[str] = mapped_column(String(100))
    banchi: Mapped[str] = mapped_column(String(20))
    go: Mapped[str] = mapped_column(String(20))
    building: Mapped[str] = mapped_column(String(200))
    town_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    household_id: Mapped[str] = mapped_column(String(32), index=True)
    relationship: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))
    status_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    destination: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Household(Base):
    """世帯: the members share ``household_id``; ``head_id`` is the 世帯主."""

    __tablename__ = "residents_households"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(6), index=True)
    head_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Change(Base):
    """One entry of the append-only history: what became true from ``effective_date``.

    ``snapshot`` is the whole record after the change (without 個人番号), so that a read "as of"
    a date is the last snapshot effective on or before it.
    """

    __tablename__ = "residents_changes"
    __table_args__ = (Index("ix_residents_changes_resident", "resident_id", "effective_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(20))
    effective_date: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    legal_basis: Mapped[str] = mapped_column(String(100))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What the 届出 said beyond the record: 前住所, 転出証明書, reason of a name change, ...
    details: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)


class ChangeEvent(Base):
    """Outbox: change notifications waiting for the mesh to deliver them."""

    __tablename__ = "residents_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(32), unique=True)
    resident_id: Mapped[str] = mapped_column(String(32), index=True)
    municipality_code: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)


class Access(Base):
    """Who read whose record, when and why; shown to the person (やりとり履歴)."""

    __tablename__ = "residents_accesses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_id: Mapped[str] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    organization_code: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(200))
    accessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    role: Mapped[str] = mapped_column(String(20), default="", server_default="")


class RegistrationKey(Base):
    """An Idempotency-Key of a registration: the same key and request give the same change."""

    __tablename__ = "residents_registration_keys"
    __table_args__ = (UniqueConstraint("actor", "key", name="uq_residents_registration_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    actor: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(128))
    request_sha256: Mapped[str] = mapped_column(String(64))
    change_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PlannedMove(Base):
    """転出予定: an accepted 転出届 for one or more members of a 世帯, recorded on the date declared.

    Until ``effective_date`` the members are still residents (a 住民票の写し can be issued); on
    that date :func:`tsunagu.registry.residents.moving.apply_due` closes each member's record with
    that date as the 異動日. ``certificate`` is the 転出証明書情報 made at acceptance (without
    個人番号), answered to the destination municipality through the mesh.
    """

    __tablename__ = "residents_planned_moves"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    municipality_code: Mapped[str] = mapped_column(String(6), index=True)
    household_id: Mapped[str] = mapped_column(String(32), index=True)
    members: Mapped[list[str]] = mapped_column(JSON)
    whole_household: Mapped[bool] = mapped_column(Boolean)
    # the member who stays and becomes 世帯主 when the head leaves without the others
    remaining_head_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    destination: Mapped[str] = mapped_column(String(300))
    effective_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # planned | done | cancelled
    source: Mapped[str] = mapped_column(String(64), unique=True)  # the 転出届 it records
    actor: Mapped[str] = mapped_column(String(100))
    legal_basis: Mapped[str] = mapped_column(String(100))
    certificate: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DeathInformant(Base):
    """死亡届の届出人 (戸籍法第87条) of one death: who reported it and in which capacity.

    ``informant_id`` is set when the 届出人 is a resident of the registry (their name and address
    then come from their own record); the bereavement list and its お知らせ go to them.
    """

    __tablename__ = "residents_death_informants"

    resident_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the deceased
    qualification: Mapped[str] = mapped_column(String(32))  # INFORMANT_QUALIFICATIONS key
    informant_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    relationship: Mapped[str] = mapped_column(String(50))  # 続柄 to the deceased (relatives)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
