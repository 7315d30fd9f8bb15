"""JSON in and out of the business account API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from tsunagu.identity.cards.schemas import BASE64


class PrimeApplication(BaseModel):
    corporate_number: str = Field(pattern=r"^\d{13}$", description="法人番号 (13 digits).")
    login_id: str = Field(max_length=254, description="E-mail address used to log in.")
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=200)
    signature: str = Field(
        max_length=400,
        pattern=BASE64,
        description="Base64 DER ECDSA signature over the application document.",
    )
    certificate_pem: str = Field(description="The representative's 署名用 certificate (PEM).")
    delegation: str | None = Field(
        default=None,
        max_length=65536,
        description="A signed delegation (電子委任状, `tsunagu business sign-delegation`) when the signer "
        "is not a representative but acts for one; its JSON as text.",
    )


class MemberIn(BaseModel):
    login_id: str = Field(max_length=254)
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=200)
    procedures: list[str] = Field(default_factory=list)


class GrantIn(BaseModel):
    procedures: list[str]


class AccountOut(BaseModel):
    id: str
    corporate_number: str
    login_id: str
    display_name: str
    kind: str
    procedures: list[str]


class EnrolmentOut(BaseModel):
    account: AccountOut
    totp_secret: str = Field(description="Shown once: register it in an authenticator app.")
    provisioning_uri: str


class LoginIn(BaseModel):
    login_id: str = Field(max_length=254)
    password: str = Field(max_length=200)
    totp: str = Field(default="", max_length=10)


class ResetRequestIn(BaseModel):
    login_id: str = Field(max_length=254)


class ResetIn(BaseModel):
    token: str
    new_password: str = Field(max_length=200)


class Message(BaseModel):
    message: str


class SoleProprietorIn(BaseModel):
    """個人事業主のアカウントの開設: the identity is the logged-in resident's own (no 法人番号)."""

    trade_name: str = Field(
        default="", max_length=400, description="屋号 (optional, at most 100 characters)."
    )
    office_address: str = Field(max_length=1200, description="事業所の所在地 (at most 300 characters).")
    industry: str = Field(max_length=400, description="業種 (at most 100 characters).")


class SoleProprietorCloseIn(BaseModel):
    closed_on: date = Field(description="廃業日: between the opening of the account and today (Asia/Tokyo).")


class SoleProprietorOut(BaseModel):
    """A sole proprietor's account; it names the person by their registered name, never a number."""

    id: str
    owner_name: str
    trade_name: str
    office_address: str
    industry: str
    opened_at: datetime
    closed_on: date | None


class ActingOut(BaseModel):
    """Who the session acts as after a switch."""

    acting_as: str = Field(description="`sole_proprietor` (the business) or `self` (the person).")
    display_name: str
