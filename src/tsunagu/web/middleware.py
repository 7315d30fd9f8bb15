"""The request context around every request (a plain ASGI middleware, no extra task per request).

It gives the request an id (the client's ``X-Request-ID`` only when it is a short token of safe
characters), refuses oversized bodies by counting the bytes as they arrive (a chunked body has no
``Content-Length`` to believe), refuses unsafe requests with a session that do not come from this
origin (and, on the API, lack the CSRF header; see ``core.http.csrf``), loads the acting principal
from the session cookie, sets the CSRF cookie a page asked for, adds security headers (``no-store``
on every response to a session, HSTS when the public URL is https), and records Prometheus
metrics and one structured log line.

The content security policy is strict everywhere: forms post only to this origin
(``form-action 'self'``). Chromium applies ``form-action`` to every redirect that follows a form
submission, so a page whose form ends at another site on purpose — the OpenID Connect consent,
login and logout pages, which send the browser back to a relying party's *registered* redirect
URI — names that origin in ``request.state.form_action_origins`` (a tuple of
``scheme://host[:port]``); only that response's policy allows it.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable
from http.cookies import SimpleCookie

import structlog
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tsunagu.core import logging as core_logging
from tsunagu.core import sessions
from tsunagu.core.errors import CsrfFailed
from tsunagu.core.http import auth, csrf
from tsunagu.core.settings import Settings
from tsunagu.web import errors, metrics

log = core_logging.get_logger("tsunagu.web")

#: ``request.state`` key: origins a page's forms may end at besides this one (see the module doc).
FORM_ACTION_ORIGINS = "form_action_origins"
_ORIGIN = re.compile(r"https?://(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?")
_POLICY = (  # form-action last: content_security_policy() appends to it
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)
#: a client's request id is kept only when it looks like one (it is echoed and logged)
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+=/-]{1,128}")
HSTS = "max-age=31536000"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "content-security-policy": _POLICY,
}


def content_security_policy(form_action_origins: Iterable[str] = ()) -> str:
    """The policy, with ``form-action`` (its last directive) widened to the given origins; anything
    that is not a bare ``scheme://host[:port]`` is dropped, so nothing can be smuggled into it."""
    extra = []
    for origin in dict.fromkeys(form_action_origins):
        if _ORIGIN.fullmatch(origin):
            extra.append(origin)
        else:
            log.warning("form_action_origin_refused", origin=origin)
    return " ".join((_POLICY, *extra))


def request_id_of(given: str | None) -> str:
    """The client's ``X-Request-ID`` when it is a short token of safe characters, else a new id."""
    return given if given and _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class BodyTooLarge(HTTPException):
    """The body grew past the limit while it was read (an HTTP exception, so that FastAPI's body
    parsing lets it through instead of calling it a malformed body)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the body exceeds the limit of {limit} bytes")


def _limited(receive: Receive, limit: int) -> Receive:
    """``receive`` that counts body bytes and stops reading once they pass ``limit``: memory
    stays bounded whatever the client declared (or did not, with chunked encoding)."""
    received = 0

    async def receive_within_limit() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
        return message

    return receive_within_limit


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        connection = HTTPConnection(scope)
        request_id = request_id_of(connection.headers.get("x-request-id"))
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        settings: Settings = scope["app"].state.settings
        session_token = connection.cookies.get(auth.SESSION_COOKIE)
        private = bool(session_token) and not scope["path"].startswith("/static/")
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                new_cookie = state.get("new_csrf_cookie")
                if new_cookie:
                    headers.append("set-cookie", _csrf_cookie(new_cookie, settings.secure_cookies))
                headers["x-request-id"] = request_id
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if private or new_cookie or state.get("principal") is not None:
                    headers.setdefault("cache-control", "no-store")  # nothing personal in any cache
                if settings.secure_cookies:
                    headers.setdefault("strict-transport-security", HSTS)
                origins = state.get(FORM_ACTION_ORIGINS)
                if origins:
                    headers["content-security-policy"] = content_security_policy(origins)
            await send(message)

        try:
            refusal = await _refusal(Request(scope, receive), settings, bool(session_token))
            if refusal is not None:
                await refusal(scope, receive, send_with_headers)
                return
            if session_token:
                with scope["app"].state.database.engine.connect() as db:
                    state["principal"] = sessions.principal_for(db, session_token)
            await self.app(scope, _limited(receive, settings.max_body_bytes), send_with_headers)
        finally:
            route_path = getattr(scope.get("route"), "path", "<unmatched>")
            elapsed = time.perf_counter() - started
            method = scope["method"]
            metrics.REQUESTS.labels(method, route_path, str(status)).inc()
            metrics.LATENCY.labels(method, route_path).observe(elapsed)
            log.info(
                "request",
                method=method,
                path=scope["path"],
                route=route_path,
                status=status,
                ms=round(elapsed * 1000, 2),
            )
            structlog.contextvars.unbind_contextvars("request_id")


async def _refusal(request: Request, settings: Settings, with_session: bool) -> Response | None:
    """The answer to a request turned away before the app sees it, or None to let it through:
    a declared body over the limit; an unsafe request carrying a session that does not come from
    this origin or, on the API, lacks the session's CSRF token in ``X-CSRF-Token`` (page routers
    check their form field themselves)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.max_body_bytes:
        return errors.too_large(
            request,
            settings.max_body_bytes,
            f"the body is {declared} bytes; the limit is {settings.max_body_bytes} bytes",
        )
    if not with_session or request.method in csrf.SAFE_METHODS:
        return None
    refused = csrf.foreign_origin(request, settings.base_url)
    if (
        refused is None
        and request.url.path.startswith("/api/")
        and not csrf.valid(request, request.app.state.secret_key, request.headers.get(csrf.HEADER))
    ):
        refused = "the X-CSRF-Token header is missing or wrong"
    if refused is None:
        return None
    log.warning("csrf_refused", path=request.url.path, reason=refused)
    return await errors.domain_error(request, CsrfFailed(csrf.MISSING))


def _csrf_cookie(value: str, secure: bool) -> str:
    cookie: SimpleCookie = SimpleCookie()
    cookie[csrf.COOKIE] = value
    morsel = cookie[csrf.COOKIE]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "lax"
    if secure:
        morsel["secure"] = True
    return morsel.OutputString()
