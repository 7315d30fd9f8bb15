"""Typed domain errors. Each maps once, at the HTTP or CLI edge, to a problem or a message."""

from __future__ import annotations

from typing import Any, ClassVar


class TsunaguError(Exception):
    """Base of every expected error. ``code`` is stable and documented in docs/api.md."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class ConfigurationError(TsunaguError):
    code = "configuration"
    title = "Configuration error"
    status = 500


class DatabaseUnavailable(TsunaguError):
    status = 503
    code = "database-unavailable"
    title = "Database unavailable"


class ValidationFailed(TsunaguError):
    """Input that breaks a rule. ``errors`` lists field-level problems."""

    status = 422
    code = "validation-failed"
    title = "Validation failed"

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.errors = errors or []


class NotAuthenticated(TsunaguError):
    status = 401
    code = "not-authenticated"
    title = "Authentication required"


class Forbidden(TsunaguError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class CsrfFailed(Forbidden):
    code = "csrf-failed"
    title = "Security token missing or wrong"


class NotFound(TsunaguError):
    status = 404
    code = "not-found"
    title = "Not found"


class Conflict(TsunaguError):
    status = 409
    code = "conflict"
    title = "Conflict"


class UpstreamUnavailable(TsunaguError):
    """Another organization's system did not answer (e.g. a mesh provider is down)."""

    status = 503
    code = "upstream-unavailable"
    title = "Upstream unavailable"
