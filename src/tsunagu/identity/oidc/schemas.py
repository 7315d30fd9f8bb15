"""JSON in and out of the OpenID Connect provider's endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ClientRegistration(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="Service name shown to residents.")
    organization_code: str = Field(
        min_length=1, max_length=32, description="Organization operating the service."
    )
    redirect_uris: list[str] = Field(min_length=1)
    post_logout_redirect_uris: list[str] = Field(default_factory=list)
    scopes: list[str] | None = Field(default=None, description="Allowed scopes (default: all).")
    sector_identifier: str | None = Field(
        default=None, description="Sector for pairwise subjects (default: the redirect URIs' host)."
    )


class ClientOut(BaseModel):
    client_id: str
    name: str
    organization_code: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    allowed_scopes: list[str]
    sector_identifier: str
    created_at: datetime


class RegisteredClientOut(ClientOut):
    client_secret: str = Field(description="Shown once; only its hash is kept.")


class TokenResponse(BaseModel):
    access_token: str
    token_type: str
    expires_in: int
    id_token: str
    scope: str


class Jwks(BaseModel):
    keys: list[dict[str, str]]
