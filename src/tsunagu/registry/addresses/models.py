"""Tables of the address base registry (アドレス・ベース・レジストリ)."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base


class Prefecture(Base):  # 都道府県
    __tablename__ = "addresses_prefectures"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(8), unique=True)


class Municipality(Base):  # 市区町村 (政令市の区 included, with its city in designated_city_code)
    __tablename__ = "addresses_municipalities"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("addresses_prefectures.code"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    designated_city_code: Mapped[str | None] = mapped_column(String(6), nullable=True)


class Town(Base):  # 町字
    __tablename__ = "addresses_towns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("addresses_municipalities.code"), index=True)
    town: Mapped[str] = mapped_column(String(80), index=True)
    koaza: Mapped[str] = mapped_column(String(80), default="")
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)  # 469 towns have no point
    lng: Mapped[float | None] = mapped_column(Float, nullable=True)


class TownPostcode(Base):  # 郵便番号 of a 町字 (a town may have several, a postcode several towns)
    __tablename__ = "addresses_town_postcodes"

    town_id: Mapped[int] = mapped_column(
        ForeignKey("addresses_towns.id", ondelete="CASCADE"), primary_key=True
    )
    postcode: Mapped[str] = mapped_column(String(7), primary_key=True, index=True)
