"""利用者（サービス）: registering relying parties and checking their secrets."""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core import authz, clock, sessions
from tsunagu.core.authz import Operation
from tsunagu.core.errors import Forbidden
from tsunagu.identity.oidc import claims as attribute_claims
from tsunagu.identity.oidc import sealing
from tsunagu.identity.oidc.errors import (
    ClientAuthenticationFailedError,
    InvalidClientRegistrationError,
    UnknownClientError,
)
from tsunagu.identity.oidc.models import Client
from tsunagu.identity.oidc.service.records import (
    CLIENT_SECRET_PURPOSE,
    LOOPBACK_HOSTS,
    ClientView,
    RegisteredClient,
    _client_view,
)

PLATFORM_OPERATOR = "digital-agency"  # デジタル庁: registers the services that use the login


def require_platform_admin(principal: sessions.Principal) -> None:
    """Only administrators (管理) of the platform operator (デジタル庁) manage relying parties."""
    authz.require(principal, Operation.MANAGE_CLIENTS)
    if principal.organization_code != PLATFORM_OPERATOR:
        raise Forbidden("only administrators of the platform operator register OpenID Connect clients")


def register_client_as(
    db: Session,
    admin: sessions.Principal,
    platform_secret: str,
    *,
    name: str,
    organization_code: str,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str] | None = None,
    scopes: list[str] | None = None,
    sector_identifier: str | None = None,
) -> RegisteredClient:
    """利用者（サービス）の登録 by an administrator of the platform operator (the API's use case)."""
    require_platform_admin(admin)
    return register_client(
        db,
        platform_secret,
        name=name,
        organization_code=organization_code,
        redirect_uris=redirect_uris,
        post_logout_redirect_uris=post_logout_redirect_uris,
        scopes=scopes,
        sector_identifier=sector_identifier,
    )


def list_clients_as(
    db: Session, admin: sessions.Principal, *, limit: int, offset: int
) -> tuple[list[ClientView], int]:
    """The registered relying parties, for administrators of the platform operator."""
    require_platform_admin(admin)
    return list_clients(db, limit=limit, offset=offset)


def register_client(
    db: Session,
    platform_secret: str,
    *,
    name: str,
    organization_code: str,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str] | None = None,
    scopes: list[str] | None = None,
    sector_identifier: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> RegisteredClient:
    """利用者（サービス）の登録 by the platform operator; the secret is returned only here.

    ``client_id`` and ``client_secret`` are generated unless given (the demo client derives
    its secret from the platform secret so that the demo relying party can recompute it).
    """
    errors: list[dict[str, Any]] = []
    if not name.strip():
        errors.append({"location": ["name"], "message": "a client needs a name"})
    if not redirect_uris:
        errors.append({"location": ["redirect_uris"], "message": "register at least one redirect URI"})
    logout_uris = post_logout_redirect_uris or []
    for field, uris in (("redirect_uris", redirect_uris), ("post_logout_redirect_uris", logout_uris)):
        for index, uri in enumerate(uris):
            problem = _redirect_uri_problem(uri)
            if problem:
                errors.append({"location": [field, index], "message": problem})
    allowed = scopes or list(attribute_claims.SUPPORTED_SCOPES)
    unknown = sorted(set(allowed) - set(attribute_claims.SUPPORTED_SCOPES))
    if unknown:
        errors.append({"location": ["scopes"], "message": "unknown scopes: " + ", ".join(unknown)})
    hosts = {urlsplit(uri).hostname for uri in redirect_uris}
    if not sector_identifier and len(hosts) > 1:
        errors.append(
            {
                "location": ["sector_identifier"],
                "message": "redirect URIs on several hosts need an explicit sector identifier",
            }
        )
    if errors:
        raise InvalidClientRegistrationError("the client registration is invalid", errors=errors)
    if "openid" not in allowed:
        allowed = ["openid", *allowed]
    secret = client_secret or secrets.token_urlsafe(32)
    row = Client(
        client_id=client_id or secrets.token_urlsafe(16),
        name=name.strip(),
        organization_code=organization_code,
        secret_hash=_secret_hash(platform_secret, secret),
        redirect_uris=list(redirect_uris),
        post_logout_redirect_uris=logout_uris,
        allowed_scopes=allowed,
        sector_identifier=sector_identifier or str(hosts.pop()),
        active=True,
        created_at=clock.now(),
    )
    db.add(row)
    db.flush()
    return RegisteredClient(client=_client_view(row), client_secret=secret)


def list_clients(db: Session, *, limit: int, offset: int) -> tuple[list[ClientView], int]:
    total = db.scalar(select(func.count()).select_from(Client)) or 0
    rows = db.scalars(
        select(Client).order_by(Client.created_at, Client.client_id).limit(limit).offset(offset)
    )
    return [_client_view(row) for row in rows], total


def get_client(db: Session, client_id: str) -> ClientView:
    row = db.get(Client, client_id)
    if row is None or not row.active:
        raise UnknownClientError(f"no client is registered with client_id {client_id!r}")
    return _client_view(row)


def _redirect_uri_problem(uri: str) -> str | None:
    parts = urlsplit(uri)
    if parts.fragment:
        return "a redirect URI must not have a fragment"
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return None
    return "a redirect URI must be https (http only on a loopback address)"


def _secret_hash(platform_secret: str, client_secret: str) -> str:
    # Client secrets are generated 256-bit random values: a slow password hash adds nothing
    # against guessing, and the pepper (a key derived from the platform secret) means a
    # database dump alone does not even allow checking a candidate secret offline.
    return sealing.keyed_digest(platform_secret, CLIENT_SECRET_PURPOSE, client_secret).hex()


def _check_client(row: Client | None, platform_secret: str, client_id: str, client_secret: str) -> None:
    if row is None or not row.active:
        raise UnknownClientError(f"no client is registered with client_id {client_id!r}")
    if not hmac.compare_digest(row.secret_hash, _secret_hash(platform_secret, client_secret)):
        raise ClientAuthenticationFailedError("the client secret is wrong")
