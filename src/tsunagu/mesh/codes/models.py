"""Directory-held person links and every organization's code (機関別符号) for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class MeshPersonLink(Base):
    """The directory's own random handle for a person; only the directory can join codes on it."""

    __tablename__ = "mesh_person_links"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    resident_id: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MeshSubjectCode(Base):
    __tablename__ = "mesh_subject_codes"

    organization_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    link_id: Mapped[str] = mapped_column(ForeignKey("mesh_person_links.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)


class MeshPersonRelation(Base):
    """Why an organization may know a person (the directory's record, checked on every query):
    the person is its resident, applied to it, moves to it, or it holds their record by law."""

    __tablename__ = "mesh_person_relations"

    organization_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    link_id: Mapped[str] = mapped_column(ForeignKey("mesh_person_links.id"), primary_key=True)
    relation: Mapped[str] = mapped_column(String(16), primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), default="")
    since: Mapped[datetime] = mapped_column(UTCDateTime)
