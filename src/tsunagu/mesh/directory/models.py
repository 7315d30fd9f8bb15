"""Directory tables: members, services, legal bases (事務), subscriptions and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class MeshOrganization(Base):
    __tablename__ = "mesh_organizations"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    endpoint: Mapped[str] = mapped_column(String(500))
    keys: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MeshService(Base):
    __tablename__ = "mesh_services"
    __table_args__ = (UniqueConstraint("provider", "code", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(ForeignKey("mesh_organizations.code"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(16))
    title_ja: Mapped[str] = mapped_column(String(200))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    response_schema: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class MeshLegalBasis(Base):
    __tablename__ = "mesh_legal_bases"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title_ja: Mapped[str] = mapped_column(String(200))
    law_ja: Mapped[str] = mapped_column(Text)
    consumer: Mapped[str] = mapped_column(ForeignKey("mesh_organizations.code"), index=True)
    provider: Mapped[str] = mapped_column(ForeignKey("mesh_organizations.code"))
    service_code: Mapped[str] = mapped_column(String(64))
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    withheld_category: Mapped[str | None] = mapped_column(String(64), nullable=True)
    withheld_days: Mapped[int] = mapped_column(Integer, default=0)


class MeshSubscription(Base):
    __tablename__ = "mesh_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscriber: Mapped[str] = mapped_column(ForeignKey("mesh_organizations.code"), index=True)
    provider: Mapped[str] = mapped_column(ForeignKey("mesh_organizations.code"), index=True)
    event_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    legal_basis_id: Mapped[str] = mapped_column(ForeignKey("mesh_legal_bases.id"))
    endpoint: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class MeshDirectoryAudit(Base):
    __tablename__ = "mesh_directory_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
