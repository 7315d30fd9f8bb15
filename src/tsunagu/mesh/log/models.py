"""Hash-chained message log entries (one chain per organization), signed checkpoints and the
directory's countersigned copies of them (anchors)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class MeshLogEntry(Base):
    __tablename__ = "mesh_log_entries"
    __table_args__ = (UniqueConstraint("organization_code", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization_code: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    role: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str] = mapped_column(String(64), index=True)
    consumer: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(32))
    service: Mapped[str] = mapped_column(String(100))
    purpose: Mapped[str] = mapped_column(String(64))
    subject_code: Mapped[str] = mapped_column(String(64))
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    result: Mapped[str] = mapped_column(String(64))
    message_sha256: Mapped[str] = mapped_column(String(64))
    person_link: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    visible_from: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class MeshLogCheckpoint(Base):
    __tablename__ = "mesh_log_checkpoints"
    __table_args__ = (UniqueConstraint("organization_code", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization_code: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    signature: Mapped[str] = mapped_column(Text)
    # the directory's countersignature (tsunagu-mesh-log-anchor+jws), once it has kept the checkpoint
    anchor: Mapped[str | None] = mapped_column(Text, nullable=True)


class MeshLogAnchor(Base):
    """A node's checkpoint as the directory received, countersigned and keeps it (outside the
    node: a node that deletes its log's tail, recomputes its chain or deletes its own checkpoints
    cannot change what the directory holds)."""

    __tablename__ = "mesh_log_anchors"
    __table_args__ = (UniqueConstraint("organization_code", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organization_code: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))
    anchored_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checkpoint: Mapped[str] = mapped_column(Text)  # the node's signed checkpoint, as received
    signature: Mapped[str] = mapped_column(Text)  # the directory's countersignature
