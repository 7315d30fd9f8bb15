"""CSRF protection: a signed double-submit token bound to the session, and an origin check.

The cookie holds a random value; forms carry an HMAC of it *and of the session cookie* under the
server secret. An attacker who can plant a cookie (a sibling host of the same site can) still
cannot forge the matching field, and a pair taken from the attacker's own visit is worthless with
the victim's session.

Every unsafe request that carries a session cookie must also come from this origin: a browser
says where a request comes from in ``Sec-Fetch-Site`` and ``Origin``, and anything but this
origin (another site, or another host or port of the same site) is refused. The middleware
applies that check and, on the JSON API, requires the token in the ``X-CSRF-Token`` header (a
header a cross-site form cannot send); page routers check the form field with :func:`protect`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from starlette.requests import HTTPConnection

from tsunagu.core.errors import CsrfFailed
from tsunagu.core.http.auth import SESSION_COOKIE

COOKIE = "tsunagu_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: ``Sec-Fetch-Site`` values of a request this origin's own pages (or the person, typing) made
_OWN_FETCH_SITES = frozenset({"same-origin", "none"})
MISSING = "the form's security token is missing or wrong; reload the page and try again"


def new_cookie_value() -> str:
    return secrets.token_urlsafe(32)


def token_for(secret: str, cookie_value: str, session: str = "") -> str:
    """The token of a CSRF cookie value within a session (``""`` before login)."""
    message = f"{cookie_value}\n{session}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def cookie_value(request: Request) -> str:
    """The browser's CSRF cookie value, creating one for this response if it has none."""
    value = request.cookies.get(COOKIE) or getattr(request.state, "new_csrf_cookie", None)
    if not value:
        value = new_cookie_value()
        request.state.new_csrf_cookie = value
    return value


def token(request: Request) -> str:
    """The token pages and scripts of this request send back (bound to its session cookie)."""
    secret: str = request.app.state.secret_key
    return token_for(secret, cookie_value(request), request.cookies.get(SESSION_COOKIE, ""))


def valid(connection: HTTPConnection, secret: str, submitted: str | None) -> bool:
    """Whether ``submitted`` is the token of this browser's CSRF cookie and session cookie."""
    cookie = connection.cookies.get(COOKIE)
    if not cookie or not submitted:
        return False
    expected = token_for(secret, cookie, connection.cookies.get(SESSION_COOKIE, ""))
    return hmac.compare_digest(submitted.encode(), expected.encode())


def foreign_origin(connection: HTTPConnection, base_url: str) -> str | None:
    """Why a request does not come from this origin (None when it does, or a non-browser client
    says nothing): another site or another host/port of this site named by ``Sec-Fetch-Site`` or
    ``Origin``. This origin is the public base URL's, or the one the request was addressed to."""
    fetch_site = connection.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in _OWN_FETCH_SITES:
        return f"Sec-Fetch-Site is {fetch_site!r}"
    origin = connection.headers.get("origin")
    if origin is None:
        return None
    own = {_origin_of(base_url), f"{connection.url.scheme}://{connection.url.netloc}".lower()}
    if origin.lower() not in own:
        return f"Origin {origin[:100]!r} is not this site's"
    return None


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


async def protect(request: Request) -> None:
    """Dependency for every router that accepts browser forms."""
    if request.method in SAFE_METHODS:
        return
    secret: str = request.app.state.secret_key
    if valid(request, secret, request.headers.get(HEADER)):
        return
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        field = (await request.form()).get(FIELD)
        if isinstance(field, str) and valid(request, secret, field):
            return
    raise CsrfFailed(MISSING)
