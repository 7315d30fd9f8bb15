"""The request context around every request (a plain ASGI middleware, no extra task per request).

It gives the request an id, refuses oversized bodies, loads the acting principal from the
session cookie, sets the CSRF cookie a page asked for, adds security headers, and records
Prometheus metrics and one structured log line.

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
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tsunagu.core import logging as core_logging
from tsunagu.core import sessions
from tsunagu.core.http import auth, csrf, problems
from tsunagu.core.settings import Settings
from tsunagu.web import errors, metrics

log = core_logging.get_logger("tsunagu.web")

#: ``request.state`` key: origins a page's forms may end at besides this one (see the module doc).
FORM_ACTION_ORIGINS = "form_action_origins"
_ORIGIN = re.compile(r"https?://(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?")
_POLICY = (  # form-action last: content_security_policy() appends to it
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'")
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


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        connection = HTTPConnection(scope)
        request_id = connection.headers.get("x-request-id") or uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        settings: Settings = scope["app"].state.settings
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
                origins = state.get(FORM_ACTION_ORIGINS)
                if origins:
                    headers["content-security-policy"] = content_security_policy(origins)
            await send(message)

        try:
            declared = connection.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > settings.max_body_bytes:
                request = Request(scope, receive)
                response = errors.too_large_page(request, settings.max_body_bytes) \
                    if problems.wants_html(request) else problems.problem(
                    413, "payload-too-large", "Payload too large",
                    f"the body is {declared} bytes; the limit is {settings.max_body_bytes} bytes",
                    connection.url.path, request_id=request_id, limit=settings.max_body_bytes)
                await response(scope, receive, send_with_headers)
                return
            token = connection.cookies.get(auth.SESSION_COOKIE)
            if token:
                with scope["app"].state.database.engine.connect() as connection:
                    state["principal"] = sessions.principal_for(connection, token)
            await self.app(scope, receive, send_with_headers)
        finally:
            route_path = getattr(scope.get("route"), "path", "<unmatched>")
            elapsed = time.perf_counter() - started
            method = scope["method"]
            metrics.REQUESTS.labels(method, route_path, str(status)).inc()
            metrics.LATENCY.labels(method, route_path).observe(elapsed)
            log.info("request", method=method, path=scope["path"], route=route_path,
                     status=status, ms=round(elapsed * 1000, 2))
            structlog.contextvars.unbind_contextvars("request_id")


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
