"""OpenID Connect provider rules: clients, authorization with PKCE, consent, tokens, logout.

Every subject a client sees is pairwise (OIDC Core §8.1): an HMAC of the resident id under a
platform key and the client's sector, so two services cannot join their users.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from tsunagu.core import clock, sessions
from tsunagu.identity.oidc import claims as attribute_claims
from tsunagu.identity.oidc import keys, sealing
from tsunagu.identity.oidc.errors import (
    AuthorizationRequestRejectedError,
    ClientAuthenticationFailedError,
    CodeExpiredError,
    CodeReusedError,
    ConsentNotFoundError,
    InvalidClientRegistrationError,
    InvalidCodeError,
    InvalidLogoutRequestError,
    InvalidRedirectUriError,
    InvalidTokenError,
    PkceMismatchError,
    UnknownClientError,
    UnsupportedGrantTypeError,
)
from tsunagu.identity.oidc.models import AccessToken, AuthorizationCode, Client, Consent

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


# ---- discovery --------------------------------------------------------------------------------


def discovery(provider: Provider) -> dict[str, Any]:
    """OpenID Provider Metadata (OIDC Discovery 1.0 §3)."""
    issuer = provider.issuer
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oidc/authorize",
        "token_endpoint": f"{issuer}/oidc/token",
        "userinfo_endpoint": f"{issuer}/oidc/userinfo",
        "jwks_uri": f"{issuer}/oidc/jwks",
        "end_session_endpoint": f"{issuer}/oidc/logout",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": [keys.ALGORITHM],
        "scopes_supported": list(attribute_claims.SUPPORTED_SCOPES),
        "claims_supported": list(attribute_claims.SUPPORTED_CLAIMS),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": True,
        "claims_locales_supported": ["ja", "ja-Kana-JP"],
        "ui_locales_supported": ["ja", "en"],
    }


# ---- clients ----------------------------------------------------------------------------------


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


# ---- authorization ----------------------------------------------------------------------------


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


# ---- tokens -----------------------------------------------------------------------------------

# Built once: constructing a statement costs about as much as running it on the hot path.
_REDEMPTION = (
    select(Client, AuthorizationCode, keys.CURRENT_KID)
    .outerjoin(
        AuthorizationCode,
        (AuthorizationCode.code_hash == bindparam("code_hash"))
        & (AuthorizationCode.client_id == Client.client_id),
    )
    .where(Client.client_id == bindparam("client_id"))
)
_REDEEM = (
    update(AuthorizationCode)
    .where(AuthorizationCode.code_hash == bindparam("redeemed_code"), AuthorizationCode.used_at.is_(None))
    .values(used_at=bindparam("redeemed_at"))
    .execution_options(synchronize_session=False)
)


def exchange_code(
    db: Session,
    provider: Provider,
    *,
    grant_type: str,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> Tokens:
    """Token endpoint (RFC 6749 §4.1.3 + RFC 7636): one code, once, with the right verifier.

    The hot path is one SELECT (client, code and the current key id together), one conditional
    UPDATE that redeems the code atomically (a concurrent second redemption finds it used) and
    one INSERT, flushed with the commit.
    """
    code_hash = _hash(code)
    found = db.execute(_REDEMPTION, {"client_id": client_id, "code_hash": code_hash}).first()
    client_row, row, kid = found if found is not None else (None, None, None)
    _check_client(client_row, provider.secret, client_id, client_secret)
    assert client_row is not None
    if grant_type != "authorization_code":
        raise UnsupportedGrantTypeError(f"grant_type {grant_type!r} is not supported")
    now = clock.now()
    if row is None:
        raise InvalidCodeError("the authorization code is unknown or was issued to another client")
    if row.used_at is not None:
        raise CodeReusedError("the authorization code was already used; its tokens are revoked")
    if row.expires_at <= now:
        raise CodeExpiredError("the authorization code has expired; start the login again")
    if row.redirect_uri != redirect_uri:
        raise InvalidCodeError("redirect_uri differs from the one in the authorization request")
    if not hmac.compare_digest(pkce_challenge(code_verifier), row.code_challenge):
        raise PkceMismatchError("the code_verifier does not match the code_challenge")
    redeemed = db.execute(_REDEEM, {"redeemed_code": code_hash, "redeemed_at": now})
    if getattr(redeemed, "rowcount", 0) != 1:
        raise CodeReusedError("the authorization code was already used; its tokens are revoked")
    access_token = secrets.token_urlsafe(32)
    db.execute(
        insert(AccessToken),
        {
            "token_hash": _hash(access_token),
            "code_hash": code_hash,
            "client_id": client_id,
            "resident_id": row.resident_id,
            "scopes": row.scopes,
            "expires_at": now + ACCESS_TOKEN_TTL,
            "revoked": False,
        },
    )
    client = _client_view(client_row)
    id_claims: dict[str, Any] = {
        "iss": provider.issuer,
        "sub": pairwise_subject(provider, client, row.resident_id),
        "aud": client_id,
        "iat": int(now.timestamp()),
        "exp": int((now + ID_TOKEN_TTL).timestamp()),
        "at_hash": _half_hash(access_token),
    }
    if row.nonce:
        id_claims["nonce"] = row.nonce
    if row.auth_time is not None:
        id_claims["auth_time"] = int(row.auth_time.timestamp())
    signing_key = keys.signing_key(db, provider.secret, kid)
    id_token = jwt.encode(
        {"alg": keys.ALGORITHM, "kid": signing_key.kid, "typ": "JWT"}, id_claims, signing_key
    )
    return Tokens(
        access_token=access_token,
        id_token=id_token,
        expires_in=int(ACCESS_TOKEN_TTL.total_seconds()),
        scope=" ".join(row.scopes),
    )


def revoke_tokens_of_code(db: Session, code: str) -> int:
    """RFC 6749 §4.1.2: a replayed code revokes every token it obtained (own transaction)."""
    result = db.execute(update(AccessToken).where(AccessToken.code_hash == _hash(code)).values(revoked=True))
    return int(getattr(result, "rowcount", 0))


def userinfo(db: Session, provider: Provider, access_token: str) -> dict[str, Any]:
    """UserInfo (OIDC Core §5.3): the pairwise subject and exactly the consented attributes."""
    row = db.get(AccessToken, _hash(access_token))
    if row is None or row.revoked or row.expires_at <= clock.now():
        raise InvalidTokenError("the access token is unknown, expired or revoked")
    client = get_client(db, row.client_id)
    result: dict[str, Any] = {"sub": pairwise_subject(provider, client, row.resident_id)}
    if set(row.scopes) & set(attribute_claims.BY_SCOPE):
        record = attribute_claims.resident(db, row.resident_id)
        result.update(attribute_claims.claims_for(record, row.scopes))
    return result


def pairwise_subject(provider: Provider, client: ClientView, resident_id: str) -> str:
    """仮名の利用者識別子: the same resident gets unrelated subjects in different sectors."""
    digest = sealing.keyed_digest(
        provider.secret, PAIRWISE_PURPOSE, f"{client.sector_identifier}\x00{resident_id}"
    )
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 §4.2 S256."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


# ---- consents ---------------------------------------------------------------------------------


def consents_of(db: Session, resident_id: str) -> list[ConsentView]:
    """The resident's remembered consents, newest first (同意の一覧)."""
    rows = db.execute(
        select(Consent, Client)
        .join(Client, Client.client_id == Consent.client_id)
        .where(Consent.resident_id == resident_id, Consent.withdrawn_at.is_(None))
        .order_by(Consent.granted_at.desc(), Consent.id.desc())
    )
    return [
        ConsentView(
            id=consent.id,
            client_id=client.client_id,
            client_name=client.name,
            organization_code=client.organization_code,
            attributes=tuple(
                attribute_claims.BY_SCOPE[s] for s in consent.scopes if s in attribute_claims.BY_SCOPE
            ),
            granted_at=consent.granted_at,
        )
        for consent, client in rows
    ]


def withdraw_consent(db: Session, resident_id: str, consent_id: int) -> ConsentView:
    """同意の撤回: the next login at that service asks again."""
    withdrawn = next((c for c in consents_of(db, resident_id) if c.id == consent_id), None)
    consent = db.get(Consent, consent_id)
    if withdrawn is None or consent is None:
        raise ConsentNotFoundError("no such consent of yours")
    consent.withdrawn_at = clock.now()
    db.flush()
    return withdrawn


# ---- logout -----------------------------------------------------------------------------------


def logout_target(
    db: Session,
    provider: Provider,
    *,
    id_token_hint: str | None,
    post_logout_redirect_uri: str | None,
    state: str | None,
) -> tuple[ClientView | None, str]:
    """RP-initiated logout (OIDC RP-Initiated Logout 1.0 §2): where to send the browser after."""
    if not id_token_hint:
        if post_logout_redirect_uri:
            raise InvalidLogoutRequestError("post_logout_redirect_uri needs an id_token_hint")
        return None, "/"
    try:
        token = jwt.decode(
            id_token_hint, keys.verification_keys(db, provider.secret), algorithms=[keys.ALGORITHM]
        )
    except (JoseError, ValueError):
        raise InvalidLogoutRequestError("the id_token_hint was not issued by this provider") from None
    if token.claims.get("iss") != provider.issuer:
        raise InvalidLogoutRequestError("the id_token_hint was not issued by this provider")
    client = get_client(db, str(token.claims.get("aud", "")))
    if not post_logout_redirect_uri:
        return client, "/"
    if post_logout_redirect_uri not in client.post_logout_redirect_uris:
        raise InvalidLogoutRequestError(
            f"the post-logout redirect URI {post_logout_redirect_uri!r} is not registered"
        )
    return client, _redirect(post_logout_redirect_uri, state=state)


# ---- helpers ----------------------------------------------------------------------------------


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


def _redirect_uri_problem(uri: str) -> str | None:
    parts = urlsplit(uri)
    if parts.fragment:
        return "a redirect URI must not have a fragment"
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return None
    return "a redirect URI must be https (http only on a loopback address)"


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


def _half_hash(access_token: str) -> str:
    """``at_hash`` (OIDC Core §3.1.3.6): left half of SHA-256, base64url."""
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
