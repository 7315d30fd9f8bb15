"""API shapes of card login, issuance and signature verification."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

# Base64 as the decoders accept it (padding optional), so the document states what is refused.
BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$"
BASE64URL = r"^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}(?:==)?|[A-Za-z0-9_-]{3}=?)?$"


class ChallengeOut(BaseModel):
    challenge_id: str
    nonce: str = Field(description="Sign these ASCII bytes with the 利用者証明用 key.")
    expires_at: datetime
    card_app_url: str = Field(description="The URL the login QR code carries.")


class CardAnswer(BaseModel):
    challenge_id: str = Field(max_length=64)
    nonce: str = Field(max_length=128)
    certificate: str = Field(max_length=8000, description="利用者証明用 certificate, PEM.")
    signature: str = Field(
        max_length=200, pattern=BASE64URL, description="ECDSA P-256 r‖s over the nonce, base64url."
    )


class AnswerAccepted(BaseModel):
    status: str = "answered"


class LoggedIn(BaseModel):
    kind: str
    subject_id: str
    display_name: str
    organization_code: str | None = None
    roles: list[str] = []


class SignatureCheck(BaseModel):
    data: str = Field(pattern=BASE64, description="The signed bytes, base64.")
    signature: str = Field(pattern=BASE64, description="DER ECDSA signature, base64.")
    certificate: str = Field(max_length=8000, description="署名用 certificate, PEM.")


class SignerOut(BaseModel):
    serial: str
    resident_id: str | None
    name: str
    name_kana: str
    birth_date: date
    sex: str
    address: str
    not_after: datetime


class CardIssue(BaseModel):
    resident_id: str = Field(max_length=64)
    authentication_pin: str = Field(max_length=16)
    signature_pin: str = Field(max_length=16)


class CardRevoke(BaseModel):
    reason: str = Field(default="lost", max_length=200)


class CardOut(BaseModel):
    id: str
    resident_id: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
