"""RP-initiated logout: where the browser goes after the provider's session ends."""

from __future__ import annotations

from joserfc import jwt
from joserfc.errors import JoseError
from sqlalchemy.orm import Session

from tsunagu.identity.oidc import keys
from tsunagu.identity.oidc.errors import (
    InvalidLogoutRequestError,
)
from tsunagu.identity.oidc.service.clients import get_client
from tsunagu.identity.oidc.service.records import ClientView, Provider, _redirect


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
