"""The OpenAPI document says every answer an operation can give, not only its success.

FastAPI documents the success response and a 422 in plain JSON. Every error here is an RFC 9457
problem (``application/problem+json``, one handler: ``core.http.problems``), and which errors an
operation can give follows from what the operation depends on, so it is derived from the same
dependency graph FastAPI runs, not written per route:

- anything: 503 ``database-unavailable`` with ``Retry-After`` (the database cannot be reached);
- a request body: 400 malformed JSON, 413 too large, 422 invalid;
- path, query or header parameters: 422, and 404 when the path names a resource;
- a signed-in caller (``require_principal`` or another guard): 401, and 403 for a caller
  without the role, the organization or the consent the operation needs, or a missing CSRF
  token on a cookie session;
- a route's own ``responses=`` (409 conflicts, 429 rate limits, …) are kept as written, with
  the problem body where they name none.

A fuzzing test (tests/web/test_openapi_fuzz.py, schemathesis) holds the document to the API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi

from tsunagu.core.http.problems import MEDIA_TYPE

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `code` is stable (docs/api.md lists every code).",
    "type": "object",
    "required": ["type", "title", "status", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string"},
        "request_id": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Malformed request (the body is not JSON, or cannot be read)",
    "401": "Not signed in, or the session has ended",
    "403": "Signed in without the role, organization, consent or CSRF token this needs",
    "404": "No such resource (or not one the caller may see)",
    "413": "Request body larger than the limit",
    "422": "Validation failed: `errors` names each field",
    "503": "A dependency (the database) is unavailable; retry after `Retry-After` seconds",
}
# Guards that establish a caller (and refuse an anonymous one with 401).
_GUARD_NAMES = ("require_", "auth_session", "_business", "operator_admin")


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _is_guard(call: Callable[..., Any]) -> bool:
    name = getattr(call, "__qualname__", "")
    return any(part.startswith(_GUARD_NAMES) for part in name.split("."))


def _error_codes(dependant: Dependant, path: str, has_body: bool) -> set[str]:
    codes = {"503"}
    calls = list(_calls(dependant))
    parameters = (
        dependant.path_params
        or dependant.query_params
        or dependant.header_params
        or any(getattr(call, "__name__", "") == "page_params" for call in calls)
    )
    if has_body:
        codes |= {"400", "413", "422"}
    if parameters:
        codes.add("422")
    if "{" in path:
        codes.add("404")
    if any(_is_guard(call) for call in calls):
        codes |= {"401", "403"}
    if any(getattr(call, "__module__", "").endswith("core.http.csrf") for call in calls):
        codes.add("403")
    return codes


def _problem_response(code: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": DESCRIPTIONS[code],
        "content": {MEDIA_TYPE: {"schema": PROBLEM_REF}},
    }
    if code == "503":
        response["headers"] = {
            "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying"}
        }
    return response


def _routes(app: FastAPI) -> Iterator[Any]:
    """Every documented route with its dependency graph (behind the route gates too)."""
    for top in app.routes:
        contexts = top.effective_route_contexts() if hasattr(top, "effective_route_contexts") else [top]
        for context in contexts:
            if getattr(context, "include_in_schema", False) and hasattr(context, "dependant"):
                yield context


def document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI 3.1 document with every operation's problem responses."""
    spec = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        openapi_version=app.openapi_version,
    )
    spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for route in _routes(app):
        operations = spec["paths"].get(route.path_format, {})
        for method in route.methods or ():
            operation = operations.get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            has_body = route.body_field is not None or "requestBody" in operation  # or read raw
            for code in _error_codes(route.dependant, route.path_format, has_body):
                if code not in responses or code == "422":  # FastAPI's own 422 says plain JSON
                    responses[code] = _problem_response(code)
            for code, given in responses.items():
                if code.startswith(("4", "5")) and not given.get("content"):
                    given["content"] = {MEDIA_TYPE: {"schema": PROBLEM_REF}}
    return spec


def install(app: FastAPI) -> None:
    """Serve :func:`document` at the app's OpenAPI URL (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
