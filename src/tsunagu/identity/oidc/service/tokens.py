"""The token and UserInfo endpoints: one code redeemed once, pairwise subjects."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from joserfc import jwt
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.identity.oidc import claims as attribute_claims
from tsunagu.identity.oidc import keys, sealing
from tsunagu.identity.oidc.errors import (
    CodeExpiredError,
    CodeReusedError,
    InvalidCodeError,
    InvalidTokenError,
    PkceMismatchError,
    UnsupportedGrantTypeError,
)
from tsunagu.identity.oidc.models import AccessToken, AuthorizationCode, Client
from tsunagu.identity.oidc.service.clients import _check_client, get_client
from tsunagu.identity.oidc.service.records import (
    ACCESS_TOKEN_TTL,
    ID_TOKEN_TTL,
    PAIRWISE_PURPOSE,
    ClientView,
    Provider,
    Tokens,
    _client_view,
    _hash,
)

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


def _half_hash(access_token: str) -> str:
    """``at_hash`` (OIDC Core §3.1.3.6): left half of SHA-256, base64url."""
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
