"""Tables of virtual cards, their certificates, published CRLs and login challenges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tsunagu.core.database import Base, UTCDateTime


class Card(Base):
    """A virtual My Number Card issued to a resident (カード)."""

    __tablename__ = "identity_cards"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    resident_id: Mapped[str] = mapped_column(String(64), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revocation_reason: Mapped[str] = mapped_column(String(200), default="")


class CardCertificate(Base):
    """A certificate on a card: 利用者証明用 (authentication) or 署名用 (signature)."""

    __tablename__ = "identity_card_certificates"

    serial: Mapped[str] = mapped_column(String(48), primary_key=True)  # hex; serials exceed 64 bits
    card_id: Mapped[str] = mapped_column(ForeignKey("identity_cards.id"), index=True)
    usage: Mapped[str] = mapped_column(String(16))
    not_after: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PublishedCrl(Base):
    """Every CRL the CA has published; the highest number is current."""

    __tablename__ = "identity_crls"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ca_fingerprint: Mapped[str] = mapped_column(ForeignKey("identity_ca_certificates.fingerprint"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_update: Mapped[datetime] = mapped_column(UTCDateTime)
    der: Mapped[bytes] = mapped_column(LargeBinary)


class LoginChallenge(Base):
    """A one-time login nonce, bound to one browser; only hashes are stored."""

    __tablename__ = "identity_card_challenges"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    nonce_hash: Mapped[str] = mapped_column(String(64))
    binding_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resident_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CaCertificate(Base):
    """The platform root certificate(s); verification needs only these, never the CA key."""

    __tablename__ = "identity_ca_certificates"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    pem: Mapped[bytes] = mapped_column(LargeBinary)
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime)
