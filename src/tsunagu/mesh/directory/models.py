"""Directory tables: members, services, legal bases (事務), subscriptions, consents, the audit trail
and the encrypted private keys that ``tsunagu mesh rotate-key`` generates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, true
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
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
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
    kind: Mapped[str] = mapped_column(String(16), default="law", server_default="law")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


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


class MeshConsent(Base):
    """A person's consent that a private member receive their changes (同意), e.g. a new address."""

    __tablename__ = "mesh_consents"
    __table_args__ = (Index("ix_mesh_consents_lookup", "subscriber", "person_link", "scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscriber: Mapped[str] = mapped_column(ForeignKey("mesh_organizations.code"))
    person_link: Mapped[str] = mapped_column(ForeignKey("mesh_person_links.id"))
    subject_code: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(100))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MeshPrivateKey(Base):
    """A rotated signing key, PKCS#8 encrypted under a key derived from the deployment secret."""

    __tablename__ = "mesh_private_keys"

    kid: Mapped[str] = mapped_column(String(120), primary_key=True)
    organization_code: Mapped[str] = mapped_column(ForeignKey("mesh_organizations.code"), index=True)
    encrypted_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
