"""CSRF protection for forms: a signed double-submit token (cookie + hidden field).

The cookie holds a random value; the form carries an HMAC of it under the server secret, so an
attacker who can plant a cookie still cannot forge the matching field.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from tsunagu.core.errors import CsrfFailed

COOKIE = "tsunagu_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def new_cookie_value() -> str:
    return secrets.token_urlsafe(32)


def token_for(secret: str, cookie_value: str) -> str:
    return hmac.new(secret.encode(), cookie_value.encode(), hashlib.sha256).hexdigest()


def cookie_value(request: Request) -> str:
    """The browser's CSRF cookie value, creating one for this response if it has none."""
    value = request.cookies.get(COOKIE) or getattr(request.state, "new_csrf_cookie", None)
    if not value:
        value = new_cookie_value()
        request.state.new_csrf_cookie = value
    return value


async def protect(request: Request) -> None:
    """Dependency for every router that accepts browser forms."""
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(COOKIE)
    submitted = request.headers.get(HEADER)
    if submitted is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            field = form.get(FIELD)
            submitted = field if isinstance(field, str) else None
    secret: str = request.app.state.secret_key
    if not cookie or not submitted or not hmac.compare_digest(submitted, token_for(secret, cookie)):
        raise CsrfFailed("the form's security token is missing or wrong; reload the page and try again")
