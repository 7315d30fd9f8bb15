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
