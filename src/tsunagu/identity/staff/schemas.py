"""API shapes of staff login and accounts."""

from __future__ import annotations

from pydantic import BaseModel, Field


class StaffLogin(BaseModel):
    login_id: str = Field(max_length=64)
    password: str = Field(max_length=200)
    totp: str = Field(default="", max_length=10, description="The 6-digit one-time code.")


class StaffCreate(BaseModel):
    login_id: str = Field(max_length=64)
    display_name: str = Field(max_length=200)
    roles: list[str]
    password: str = Field(max_length=200)


class StaffOut(BaseModel):
    id: str
    organization_code: str
    login_id: str
    display_name: str
    roles: list[str]
    active: bool


class StaffCreated(StaffOut):
    totp_secret: str = Field(description="Shown once: enrol it in an authenticator app.")
    totp_uri: str
