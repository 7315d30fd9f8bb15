"""Tables of the corporate registry: the current state and every published change (履歴)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
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
