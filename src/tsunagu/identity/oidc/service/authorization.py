"""The authorization request: validation, login, consent (同意) and the code that answers it."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock, sessions
from tsunagu.identity.oidc.errors import (
    AuthorizationRequestRejectedError,
    InvalidRedirectUriError,
)
from tsunagu.identity.oidc.models import AuthorizationCode, Client, Consent
from tsunagu.identity.oidc.service.clients import get_client
from tsunagu.identity.oidc.service.records import CODE_TTL, AuthorizationRequest, Provider, _hash, _redirect


def parse_authorization(db: Session, params: Mapping[str, str]) -> AuthorizationRequest:
    """Validate an authorization request (OIDC Core §3.1.2.1; PKCE S256 required).

    The client and redirect URI are checked first and fail without redirecting; every later
    problem is sent back to the (now trusted) redirect URI.
    """
    client = get_client(db, params.get("client_id", ""))
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in client.redirect_uris:
        raise InvalidRedirectUriError(
            f"the redirect URI {redirect_uri!r} is not registered for {client.name}"
        )
    state = params.get("state") or None

    def reject(error: str, detail: str) -> AuthorizationRequestRejectedError:
        return AuthorizationRequestRejectedError(detail, error=error, redirect_uri=redirect_uri, state=state)

    if params.get("response_type") != "code":
        raise reject("unsupported_response_type", "only response_type=code is supported")
    scopes = tuple(dict.fromkeys(params.get("scope", "").split()))
    if "openid" not in scopes:
        raise reject("invalid_scope", "the openid scope is required")
    not_allowed = [s for s in scopes if s not in client.allowed_scopes]
    if not_allowed:
        raise reject("invalid_scope", "scopes not allowed for this client: " + " ".join(not_allowed))
    challenge = params.get("code_challenge", "")
    if params.get("code_challenge_method") != "S256" or not 43 <= len(challenge) <= 128:
        raise reject("invalid_request", "PKCE with code_challenge_method=S256 is required")
    prompt = params.get("prompt") or None
    if prompt not in (None, "consent", "login", "none"):
        raise reject("invalid_request", f"unsupported prompt {prompt!r}")
    max_age = params.get("max_age") or None
    if max_age is not None and not max_age.isdigit():
        raise reject("invalid_request", "max_age is a number of seconds")
    return AuthorizationRequest(
        client=client,
        redirect_uri=redirect_uri,
        scopes=scopes,
        state=state,
        nonce=params.get("nonce") or None,
        code_challenge=challenge,
        prompt=prompt,
        max_age=None if max_age is None else int(max_age),
    )


def needs_login(request: AuthorizationRequest, authenticated_at: datetime | None) -> bool:
    """True when the resident must (re-)authenticate first (``prompt=login``, ``max_age``)."""
    if authenticated_at is None or request.prompt == "login":
        return True
    return request.max_age is not None and clock.now() - authenticated_at > timedelta(seconds=request.max_age)


def login_required(request: AuthorizationRequest) -> AuthorizationRequestRejectedError:
    """``prompt=none`` with no (fresh enough) login: tell the client, show nothing (§3.1.2.6)."""
    return AuthorizationRequestRejectedError(
        "the resident is not logged in",
        error="login_required",
        redirect_uri=request.redirect_uri,
        state=request.state,
    )


def resume_after_login(request: AuthorizationRequest) -> str:
    """The on-site URL that repeats this request once the resident has logged in.

    ``prompt=login`` is dropped: the login that follows is the one it asked for.
    """
    params = request.as_params()
    if params.get("prompt") == "login":
        del params["prompt"]
    return "/oidc/authorize?" + urlencode(params)


def origin_of(uri: str) -> str:
    """``scheme://host[:port]`` of a URI (an IPv6 host in brackets), as a security policy names it."""
    parts = urlsplit(uri)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port is not None else "")


def return_origin(db: Session, target: str) -> str | None:
    """The relying party's origin where ``target`` — an on-site authorization request, as
    :func:`resume_after_login` writes it — may end: its client's registered redirect URI's origin,
    or None when ``target`` is anything else (an unknown client, an unregistered URI)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path != "/oidc/authorize":
        return None
    params = dict(parse_qsl(parts.query))
    row = db.get(Client, params.get("client_id", ""))
    redirect_uri = params.get("redirect_uri", "")
    if row is None or not row.active or redirect_uri not in row.redirect_uris:
        return None
    return origin_of(redirect_uri)


def authenticated_at(db: Session, session_token: str | None) -> datetime | None:
    """When the session's principal logged in (認証時刻): ``authenticated_at`` in the session's data,
    else its start, since a session is always started afresh at login."""
    if not session_token:
        return None
    record = db.get(sessions.WebSession, hashlib.sha256(session_token.encode("ascii", "replace")).hexdigest())
    if record is None:
        return None
    stated = (record.data or {}).get("authenticated_at")
    return datetime.fromisoformat(stated) if isinstance(stated, str) else record.created_at


def remembered_consent(db: Session, resident_id: str, request: AuthorizationRequest) -> bool:
    """True when the resident has already consented to at least these scopes for this client."""
    if request.prompt == "consent":
        return False
    active = _active_consent(db, resident_id, request.client.client_id)
    return active is not None and set(request.scopes) <= set(active.scopes)


def approve(
    db: Session,
    provider: Provider,
    resident_id: str,
    request: AuthorizationRequest,
    *,
    remember: bool,
    auth_time: datetime | None = None,
) -> str:
    """同意: issue a one-time code; returns the URL that sends the browser back to the client."""
    if remember:
        _remember_consent(db, resident_id, request)
    code = secrets.token_urlsafe(32)
    db.add(
        AuthorizationCode(
            code_hash=_hash(code),
            client_id=request.client.client_id,
            resident_id=resident_id,
            redirect_uri=request.redirect_uri,
            scopes=list(request.scopes),
            nonce=request.nonce,
            code_challenge=request.code_challenge,
            auth_time=auth_time,
            expires_at=clock.now() + CODE_TTL,
        )
    )
    db.flush()
    return _redirect(request.redirect_uri, code=code, state=request.state, iss=provider.issuer)


def deny(provider: Provider, request: AuthorizationRequest) -> str:
    """同意しない: tell the client the resident refused."""
    return rejection_url(
        provider,
        AuthorizationRequestRejectedError(
            "the resident did not consent",
            error="access_denied",
            redirect_uri=request.redirect_uri,
            state=request.state,
        ),
    )


def rejection_url(provider: Provider, rejected: AuthorizationRequestRejectedError) -> str:
    return _redirect(
        rejected.redirect_uri,
        error=rejected.error,
        error_description=rejected.detail,
        state=rejected.state,
        iss=provider.issuer,
    )


def _active_consent(db: Session, resident_id: str, client_id: str) -> Consent | None:
    return db.scalars(
        select(Consent)
        .where(
            Consent.resident_id == resident_id, Consent.client_id == client_id, Consent.withdrawn_at.is_(None)
        )
        .order_by(Consent.id.desc())
        .limit(1)
    ).first()


def _remember_consent(db: Session, resident_id: str, request: AuthorizationRequest) -> None:
    now = clock.now()
    previous = _active_consent(db, resident_id, request.client.client_id)
    if previous is not None:
        previous.withdrawn_at = now
    db.add(
        Consent(
            resident_id=resident_id,
            client_id=request.client.client_id,
            scopes=list(request.scopes),
            granted_at=now,
        )
    )
