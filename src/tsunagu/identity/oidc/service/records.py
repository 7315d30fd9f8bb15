"""What the provider's use cases take and hand back: the provider, clients, requests, tokens, consents."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

from tsunagu.identity.oidc import claims as attribute_claims
from tsunagu.identity.oidc import keys
from tsunagu.identity.oidc.models import Client

CODE_TTL = timedelta(minutes=1)


ACCESS_TOKEN_TTL = keys.SIGNED_TOKEN_TTL


ID_TOKEN_TTL = keys.SIGNED_TOKEN_TTL


PAIRWISE_PURPOSE = "oidc-pairwise-subject"


CLIENT_SECRET_PURPOSE = "oidc-client-secret"  # noqa: S105 - a key-derivation label


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Provider:
    """Where the provider is (``iss``) and the platform secret its keys derive from."""

    issuer: str
    secret: str


@dataclass(frozen=True)
class ClientView:
    client_id: str
    name: str
    organization_code: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    allowed_scopes: tuple[str, ...]
    sector_identifier: str
    created_at: datetime


@dataclass(frozen=True)
class RegisteredClient:
    client: ClientView
    client_secret: str  # shown once; only its hash is kept


@dataclass(frozen=True)
class AuthorizationRequest:
    client: ClientView
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    nonce: str | None
    code_challenge: str
    prompt: str | None
    max_age: int | None = None

    @property
    def attributes(self) -> list[attribute_claims.Attribute]:
        """The 基本4情報 attributes this request would release (shown on the consent screen)."""
        return [attribute_claims.BY_SCOPE[s] for s in self.scopes if s in attribute_claims.BY_SCOPE]

    def as_params(self) -> dict[str, str]:
        """The request again as query parameters (carried through the consent form)."""
        params = {
            "response_type": "code",
            "client_id": self.client.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.scopes),
            "code_challenge": self.code_challenge,
            "code_challenge_method": "S256",
        }
        optional = {
            "state": self.state,
            "nonce": self.nonce,
            "prompt": self.prompt,
            "max_age": None if self.max_age is None else str(self.max_age),
        }
        params.update({k: v for k, v in optional.items() if v is not None})
        return params


@dataclass(frozen=True)
class Tokens:
    access_token: str
    id_token: str
    expires_in: int
    scope: str
    token_type: str = "Bearer"  # noqa: S105 - the RFC 6750 token type, not a secret


@dataclass(frozen=True)
class ConsentView:
    id: int
    client_id: str
    client_name: str
    organization_code: str
    attributes: tuple[attribute_claims.Attribute, ...]
    granted_at: datetime


def _redirect(base: str, **params: str | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{base}{'&' if urlsplit(base).query else '?'}{query}"


def _client_view(row: Client) -> ClientView:
    return ClientView(
        client_id=row.client_id,
        name=row.name,
        organization_code=row.organization_code,
        redirect_uris=tuple(row.redirect_uris),
        post_logout_redirect_uris=tuple(row.post_logout_redirect_uris),
        allowed_scopes=tuple(row.allowed_scopes),
        sector_identifier=row.sector_identifier,
        created_at=row.created_at,
    )


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
