"""A node's own state: request ids seen (replay memory), its people and its local data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class MeshSeenRequest(Base):
    __tablename__ = "mesh_seen_requests"

    organization_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class MeshNodePerson(Base):
    """This organization's code for a person and its local id (resident id, pension number…)."""

    __tablename__ = "mesh_node_people"
    __table_args__ = (Index("ix_mesh_node_people_local", "organization_code", "local_id"),)

    organization_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    local_id: Mapped[str] = mapped_column(String(64))


class MeshNodeRecord(Base):
    """Synthetic local data of organizations without a registry (pension, tax) per service."""

    __tablename__ = "mesh_node_records"

    organization_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    local_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
