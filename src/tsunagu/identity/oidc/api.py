"""Machine endpoints of the OpenID Connect provider and the admin API for clients.

Database sessions use ``scope="function"`` so that the transaction commits before the response
leaves: a relying party redeems a code (or replays one) the moment it has it.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.core.http.auth import db_session, require_staff
from tsunagu.core.http.deps import AppDatabase, AppSettings, SecretKey
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.identity.oidc import keys, service
from tsunagu.identity.oidc.errors import (
    ClientAuthenticationFailedError,
    CodeReusedError,
    InvalidTokenError,
)
from tsunagu.identity.oidc.schemas import (
    ClientOut,
    ClientRegistration,
    Jwks,
    RegisteredClientOut,
    TokenResponse,
)

PLATFORM_OPERATOR = service.PLATFORM_OPERATOR
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
COMMITTED = Depends(db_session, scope="function")

router = APIRouter(tags=["identity: OpenID Connect"])
admin = APIRouter(prefix="/api/v1/identity/oidc", tags=["identity: OpenID Connect"])


async def provider(settings: AppSettings, secret: SecretKey) -> service.Provider:
    return service.Provider(issuer=settings.base_url.rstrip("/"), secret=secret)


@router.get("/.well-known/openid-configuration", summary="OpenID Provider metadata")
def openid_configuration(op: service.Provider = Depends(provider)) -> dict[str, Any]:
    return service.discovery(op)


@router.get("/oidc/jwks", response_model=Jwks, summary="Signing keys (JWKS), current and recently retired")
def jwks(db: Session = COMMITTED, op: service.Provider = Depends(provider)) -> dict[str, Any]:
    return keys.published(db, op.secret)


@router.post("/oidc/token", response_model=TokenResponse, summary="Exchange an authorization code")
async def token(
    request: Request,
    *,
    grant_type: str = Form(...),
    code: str = Form(...),
    redirect_uri: str = Form(...),
    code_verifier: str = Form(...),
    client_id: str | None = Form(None),
    client_secret: str | None = Form(None),
    op: service.Provider = Depends(provider),
    database: AppDatabase,
) -> JSONResponse:
    """Token endpoint (client_secret_basic or client_secret_post; PKCE S256 verifier).

    The whole transaction runs in one worker-thread call (the hottest endpoint: each thread
    hop of a dependency costs as much as the database work) and commits before answering.
    """
    basic = _basic_credentials(request.headers.get("authorization"))
    identifier, secret = basic or (client_id or "", client_secret or "")
    issued = await run_in_threadpool(
        _redeem,
        database,
        op,
        code,
        grant_type=grant_type,
        client_id=identifier,
        client_secret=secret,
        redirect_uri=redirect_uri,
        code_verifier=code_verifier,
    )
    body = TokenResponse(
        access_token=issued.access_token,
        token_type=issued.token_type,
        expires_in=issued.expires_in,
        id_token=issued.id_token,
        scope=issued.scope,
    )
    return JSONResponse(body.model_dump(), headers=NO_STORE)


def _redeem(database: Database, op: service.Provider, code: str, **request: str) -> service.Tokens:
    try:
        with database.session() as db:
            return service.exchange_code(db, op, code=code, **request)
    except CodeReusedError:
        # The redeeming transaction rolled back with the error; the revocation must not.
        with database.session() as revoking:
            service.revoke_tokens_of_code(revoking, code)
        raise


@router.get("/oidc/userinfo", summary="Consented attributes of the logged-in resident")
@router.post("/oidc/userinfo", summary="Consented attributes of the logged-in resident")
def userinfo(
    request: Request, db: Session = COMMITTED, op: service.Provider = Depends(provider)
) -> dict[str, Any]:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value:
        raise InvalidTokenError("send the access token as Authorization: Bearer <token>")
    return service.userinfo(db, op, value.strip())


@admin.post(
    "/clients",
    response_model=RegisteredClientOut,
    status_code=201,
    summary="Register a relying party (platform administrators)",
)
def register_client(
    body: ClientRegistration,
    db: Session = COMMITTED,
    op: service.Provider = Depends(provider),
    admin: sessions.Principal = Depends(require_staff()),
) -> RegisteredClientOut:
    registered = service.register_client_as(
        db,
        admin,
        op.secret,
        name=body.name,
        organization_code=body.organization_code,
        redirect_uris=body.redirect_uris,
        post_logout_redirect_uris=body.post_logout_redirect_uris,
        scopes=body.scopes,
        sector_identifier=body.sector_identifier,
    )
    return RegisteredClientOut(
        **_client_out(registered.client).model_dump(), client_secret=registered.client_secret
    )


@admin.get("/clients", response_model=Page[ClientOut], summary="Registered relying parties")
def list_clients(
    page: PageParams = Depends(page_params),
    db: Session = COMMITTED,
    admin: sessions.Principal = Depends(require_staff()),
) -> Page[ClientOut]:
    clients, total = service.list_clients_as(db, admin, limit=page.limit, offset=page.offset)
    return Page(items=[_client_out(c) for c in clients], total=total, limit=page.limit, offset=page.offset)


def _client_out(client: service.ClientView) -> ClientOut:
    return ClientOut.model_validate(client, from_attributes=True)


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    """client_secret_basic (RFC 6749 §2.3.1: form-urlencoded id and secret, then base64)."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ClientAuthenticationFailedError("the Basic authorization header is malformed") from None
    identifier, separator, secret = decoded.partition(":")
    if not separator:
        raise ClientAuthenticationFailedError("the Basic authorization header is malformed")
    return unquote(identifier), unquote(secret)
