"""Directory data over HTTP: the directory's records (``records``) as the API reads and writes
them, and the bodies only the API has (key rotation and revocation, the version)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tsunagu.mesh.directory.records import (
    CODE_PATTERN,
    STANDARD_TYPES,
    AuditEntry,
    BasisKind,
    Consent,
    DataItem,
    EventKind,
    KeyStatus,
    LegalBasis,
    LegalBasisEntry,
    Organization,
    OrganizationIn,
    OrganizationKind,
    Service,
    SigningKey,
    Subscription,
    SubscriptionIn,
)


class KeyRotation(BaseModel):
    overlap_days: float = Field(
        default=7, ge=0, le=365, description="How long the previous keys still verify"
    )


class KeyRevocation(BaseModel):
    reason: str = Field(default="", max_length=200)


class DirectoryVersion(BaseModel):
    version: int = Field(description="Grows with every change (the newest audit entry's id)")


__all__ = [
    "CODE_PATTERN",
    "STANDARD_TYPES",
    "AuditEntry",
    "BasisKind",
    "Consent",
    "DataItem",
    "DirectoryVersion",
    "EventKind",
    "KeyRevocation",
    "KeyRotation",
    "KeyStatus",
    "LegalBasis",
    "LegalBasisEntry",
    "Organization",
    "OrganizationIn",
    "OrganizationKind",
    "Service",
    "SigningKey",
    "Subscription",
    "SubscriptionIn",
]
