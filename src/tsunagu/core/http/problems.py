"""RFC 9457 problem details: the one place where errors become HTTP responses."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tsunagu.core.errors import TsunaguError, ValidationFailed

PROBLEM_TYPE_BASE = "https://tsunagu.example/problems/"
MEDIA_TYPE = "application/problem+json"
# ``responses=`` for errors a route gives that its dependencies do not imply (web/openapi.py adds
# the problem body and the ones its dependencies do imply).
TOO_MANY_ATTEMPTS: dict[int | str, dict[str, Any]] = {
    429: {"description": "Too many failed attempts: wait `Retry-After` seconds"}
}
UNTRUSTED_CERTIFICATE: dict[int | str, dict[str, Any]] = {
    401: {"description": "The certificate is not one the platform CA issued, or is revoked"}
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "The resource the body names does not exist"}
}


def problem(status: int, code: str, title: str, detail: str, instance: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    headers = {"Retry-After": str(extra["retry_after"])} if "retry_after" in extra else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def wants_html(request: Request) -> bool:
    """People's pages get HTML errors; the API and machine clients get problem+json."""
    if request.url.path.startswith("/api/"):
        return False
    return "text/html" in request.headers.get("accept", "")


def from_domain_error(request: Request, exc: TsunaguError) -> JSONResponse:
    errors = exc.errors if isinstance(exc, ValidationFailed) else None
    return problem(
        exc.status,
        exc.code,
        exc.title,
        exc.detail,
        request.url.path,
        errors=errors,
        request_id=_request_id(request),
        **exc.extra,
    )


def from_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ())]
        errors.append({"location": location, "message": error.get("msg", ""), "type": error.get("type", "")})
    malformed = any(error["type"] == "json_invalid" for error in errors)
    if malformed:
        return problem(
            400,
            "malformed-json",
            "Malformed JSON",
            "the request body is not valid JSON",
            request.url.path,
            errors=errors,
            request_id=_request_id(request),
        )
    return problem(
        422,
        "validation-failed",
        "Validation failed",
        f"{len(errors)} field(s) failed validation",
        request.url.path,
        errors=errors,
        request_id=_request_id(request),
    )


def from_http_error(request: Request, exc: StarletteHTTPException) -> Response:
    titles = {
        404: ("not-found", "Not found", "no such resource: " + request.url.path),
        405: (
            "method-not-allowed",
            "Method not allowed",
            f"{request.method} is not allowed on {request.url.path}",
        ),
        413: ("payload-too-large", "Payload too large", str(exc.detail)),
    }
    code, title, detail = titles.get(exc.status_code, ("http-error", "HTTP error", str(exc.detail)))
    response = problem(
        exc.status_code, code, title, detail, request.url.path, request_id=_request_id(request)
    )
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)
