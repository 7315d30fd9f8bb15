"""The directory's records: members, services, 事務 (legal bases), subscriptions, consents, audit.

These are the directory's own data, not an HTTP representation: the directory publishes them to
nodes (signed, as canonical JSON) and nodes, push and the やりとり履歴 read them, so they are
validated Pydantic models and live beside the rules. ``schemas`` re-exports them for the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tsunagu.core.messages import N_
from tsunagu.core.types.address import Address
from tsunagu.core.types.corporate_number import CorporateNumber
from tsunagu.core.types.local_government_code import LocalGovernmentCode
from tsunagu.core.types.name import PersonName
from tsunagu.core.types.phone import PhoneNumber
from tsunagu.core.types.postcode import Postcode

OrganizationKind = Literal["national", "municipal", "agency", "private"]
EventKind = Literal[
    "address_changed",
    "died",
    "name_changed",
    "moved_out",
    "moving_notice",
    # changes of a corporation's 登記 (mesh.corporate)
    "trade_name_changed",
    "head_office_moved",
    "representative_changed",
    "dissolved",
]
BasisKind = Literal["law", "consent"]
KeyStatus = Literal["current", "verification-only", "pending", "expired", "revoked"]
CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{1,31}$"

# The types a data item may declare: the standard types of tsunagu.core.types (行政基本情報データ
# 連携モデル) and the JSON primitives and code lists the services answer with.
STANDARD_TYPES: dict[str, str] = {
    **{
        cls.__name__: title
        for cls, title in (
            (PersonName, N_("氏名")),
            (Address, N_("住所")),
            (CorporateNumber, N_("法人番号")),
            (LocalGovernmentCode, N_("全国地方公共団体コード")),
            (PhoneNumber, N_("電話番号")),
            (Postcode, N_("郵便番号")),
        )
    },
    "sex-code": N_("性別コード(JIS X 0303)"),
    "household": N_("世帯"),
    "date": N_("日付"),
    "moving-out-certificate": N_("転出証明書情報"),
    "officers": N_("役員の一覧（役職・氏名・就任日）"),
    "text-list": N_("文字列の一覧"),
    "code": N_("コード"),
    "string": N_("文字列"),
    "integer": N_("整数"),
    "boolean": N_("真偽値"),
}


class OrganizationIn(BaseModel):
    """A member as an administrator writes it; ``keys`` left out keeps the published keys."""

    code: str = Field(pattern=CODE_PATTERN, description="全国地方公共団体コード or a short code")
    name_ja: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    kind: OrganizationKind
    endpoint: str = Field(
        pattern=r"^https?://",
        max_length=500,
        description="Base URL of its node (loopback http(s) in this environment)",
    )
    keys: list[dict[str, Any]] | None = Field(default=None, description="Signing public keys (JWK)")


class Organization(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(pattern=CODE_PATTERN, description="全国地方公共団体コード or a short code")
    name_ja: str
    name_en: str
    kind: OrganizationKind
    endpoint: str = Field(description="Base URL of its node")
    keys: list[dict[str, Any]] = Field(
        default_factory=list, description="Signing public keys (JWK) with nbf/exp/revoked"
    )
    active: bool = True


class SigningKey(BaseModel):
    """One of a member's signing keys, as the console lists it."""

    model_config = ConfigDict(from_attributes=True)

    kid: str
    fingerprint: str = Field(description="RFC 7638 JWK thumbprint (SHA-256)")
    not_before: datetime | None
    not_after: datetime | None
    status: KeyStatus


class DataItem(BaseModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    type: str = Field(description="A standard type: " + ", ".join(STANDARD_TYPES))
    title_ja: str = Field(min_length=1, max_length=100)

    @field_validator("type")
    @classmethod
    def _standard(cls, value: str) -> str:
        if value not in STANDARD_TYPES:
            raise ValueError(f"not a standard type; choose one of {', '.join(STANDARD_TYPES)}")
        return value


class Service(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    provider: str
    code: str = Field(pattern=CODE_PATTERN)
    version: str = Field(pattern=r"^v[0-9]{1,3}$")
    title_ja: str = Field(min_length=1, max_length=200)
    items: list[DataItem] = Field(min_length=1)
    response_schema: dict[str, Any] = Field(description="JSON Schema (2020-12) of the response items")


class LegalBasis(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(pattern=CODE_PATTERN, description="事務 id")
    kind: BasisKind = Field(
        default="law",
        description="law (a law article) or consent (本人の同意: "
        "each exchange needs the person's recorded consent)",
    )
    title_ja: str = Field(min_length=1, max_length=200)
    law_ja: str = Field(min_length=1, description="The law and article, in words")
    consumer: str
    provider: str
    service_code: str
    items: list[str] = Field(min_length=1)
    withheld_category: str | None = Field(
        default=None, description="A category the law withholds from the person, e.g. 犯則調査"
    )
    withheld_days: int = Field(default=0, ge=0, le=3650, description="Hidden from the person this long")


class LegalBasisEntry(LegalBasis):
    revoked_at: datetime | None = Field(default=None, description="When it was revoked (no longer usable)")


class SubscriptionIn(BaseModel):
    subscriber: str
    provider: str
    event_kinds: list[EventKind] = Field(min_length=1)
    legal_basis_id: str
    endpoint: str = Field(pattern=r"^https?://", max_length=500)


class Subscription(SubscriptionIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    active: bool


class Consent(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subscriber: str
    subject_code: str = Field(description="The person's code at the subscriber (機関別符号)")
    scope: str
    source: str
    granted_at: datetime
    expires_at: datetime
    withdrawn_at: datetime | None


class AuditEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any] = Field(description="{before, after} of the change")
