"""Tables of the corporate registry: the current state and every published change (履歴)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class Corporation(Base):
    """The latest published state of one 法人番号 (基本3情報 plus closure)."""

    __tablename__ = "corporations_corporations"

    number: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    furigana: Mapped[str] = mapped_column(String(500), default="", index=True)
    en_name: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(3))
    prefecture_name: Mapped[str] = mapped_column(String(10), default="")
    city_name: Mapped[str] = mapped_column(String(40), default="")
    street_number: Mapped[str] = mapped_column(String(300), default="")
    prefecture_code: Mapped[str] = mapped_column(String(2), default="", index=True)
    city_code: Mapped[str] = mapped_column(String(3), default="")
    # 全国地方公共団体コード of prefectureCode + cityCode, when the address registry knows it.
    municipality_code: Mapped[str] = mapped_column(String(6), default="", server_default="", index=True)
    post_code: Mapped[str] = mapped_column(String(7), default="")
    address_outside: Mapped[str] = mapped_column(String(300), default="")
    en_prefecture_name: Mapped[str] = mapped_column(String(9), default="")
    en_city_name: Mapped[str] = mapped_column(String(600), default="")
    en_address_outside: Mapped[str] = mapped_column(String(600), default="")
    assignment_date: Mapped[date | None] = mapped_column(Date)
    change_date: Mapped[date | None] = mapped_column(Date)
    update_date: Mapped[date] = mapped_column(Date)
    last_process: Mapped[str] = mapped_column(String(2))
    close_date: Mapped[date | None] = mapped_column(Date)
    close_cause: Mapped[str] = mapped_column(String(2), default="")
    successor_number: Mapped[str] = mapped_column(String(13), default="")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CorporationChange(Base):
    """One published record (一行) about a corporation, kept forever: the history.

    ``fingerprint`` makes re-importing the same file a no-op.
    """

    __tablename__ = "corporations_changes"
    __table_args__ = (Index("ix_corporations_changes_number_order", "number", "update_date", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(ForeignKey("corporations_corporations.number", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    process: Mapped[str] = mapped_column(String(2))
    correction: Mapped[bool] = mapped_column(Boolean, default=False)
    update_date: Mapped[date] = mapped_column(Date)
    change_date: Mapped[date | None] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(300))
    furigana: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[str] = mapped_column(String(3))
    prefecture_name: Mapped[str] = mapped_column(String(10), default="")
    city_name: Mapped[str] = mapped_column(String(40), default="")
    street_number: Mapped[str] = mapped_column(String(300), default="")
    prefecture_code: Mapped[str] = mapped_column(String(2), default="")
    city_code: Mapped[str] = mapped_column(String(3), default="")
    post_code: Mapped[str] = mapped_column(String(7), default="")
    address_outside: Mapped[str] = mapped_column(String(300), default="")
    close_date: Mapped[date | None] = mapped_column(Date)
    close_cause: Mapped[str] = mapped_column(String(2), default="")
    successor_number: Mapped[str] = mapped_column(String(13), default="")
    change_cause: Mapped[str] = mapped_column(String(500), default="")
    latest: Mapped[bool] = mapped_column(Boolean, default=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CorporationRegistration(Base):
    """商業・法人登記の登記記録: what a 登記事項証明書 proves beyond the 法人番号's 基本3情報.

    Name and head office stay in :class:`Corporation` (with their history in
    :class:`CorporationChange`); here are the registry office, purpose, capital and dates.
    """

    __tablename__ = "corporations_registrations"

    number: Mapped[str] = mapped_column(
        ForeignKey("corporations_corporations.number", ondelete="CASCADE"), primary_key=True
    )
    registry_office: Mapped[str] = mapped_column(String(60))  # 管轄登記所
    purpose: Mapped[str] = mapped_column(Text)  # 目的, one line per purpose
    capital_yen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # 資本金の額
    established_on: Mapped[date] = mapped_column(Date)  # 会社成立の年月日
    dissolved_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # 解散
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CorporationOfficer(Base):
    """役員に関する事項: one appointment (就任) of one person to one title, ended by 退任.

    The register keeps the 住所 of representatives only (代表取締役, 代表社員, 代表理事…), as
    商業登記 does; an ended appointment stays, with its 退任 date.
    """

    __tablename__ = "corporations_officers"
    __table_args__ = (Index("ix_corporations_officers_number", "number", "resigned_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(ForeignKey("corporations_corporations.number", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    representative: Mapped[bool] = mapped_column(Boolean, default=False)
    appointed_on: Mapped[date] = mapped_column(Date)
    resigned_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class CorporationBranch(Base):
    """支店に関する事項: a branch office, from its 設置 to its 廃止."""

    __tablename__ = "corporations_branches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(
        ForeignKey("corporations_corporations.number", ondelete="CASCADE"), index=True
    )
    address: Mapped[str] = mapped_column(String(300))
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class CorporationEvent(Base):
    """Outbox of 登記 changes (商号変更, 本店移転, 代表者変更, 解散) waiting for the mesh to push them,
    kept as the record of each change entered: who entered it (a staff account, with the office
    they entered it for) stays here and never goes into the pushed payload."""

    __tablename__ = "corporations_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(32), unique=True)
    number: Mapped[str] = mapped_column(String(13), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    # the 登記官 who entered the change (a staff account id) and their office's organization code;
    # empty for a change recorded by a load (synthetic data, an extract) rather than by a person
    entered_by: Mapped[str] = mapped_column(String(32), default="", server_default="")
    entered_by_organization: Mapped[str] = mapped_column(String(32), default="", server_default="")
