"""Errors of the OpenID Connect provider, each with its own stable code.

``error`` carries the OAuth 2.0 error name (RFC 6749 §5.2) next to the Tsunagu ``code`` so that
standard client libraries understand the problem+json answers of the token endpoint.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tsunagu.core.errors import NotAuthenticated, NotFound, TsunaguError, ValidationFailed


class OAuthError(TsunaguError):
    oauth_error: ClassVar[str] = "invalid_request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail, error=self.oauth_error, **extra)


class UnknownClientError(OAuthError):
    status = 401
    code = "oidc-unknown-client"
    title = "Unknown client"
    oauth_error = "invalid_client"


class ClientAuthenticationFailedError(OAuthError):
    status = 401
    code = "oidc-client-authentication-failed"
    title = "Client authentication failed"
    oauth_error = "invalid_client"


class InvalidRedirectUriError(OAuthError):
    """Never redirected to: the user sees an error page at the provider instead."""

    code = "oidc-invalid-redirect-uri"
    title = "Redirect URI not registered"


class InvalidCodeError(OAuthError):
    code = "oidc-invalid-code"
    title = "Invalid authorization code"
    oauth_error = "invalid_grant"


class CodeReusedError(OAuthError):
    code = "oidc-code-reused"
    title = "Authorization code already used"
    oauth_error = "invalid_grant"


class CodeExpiredError(OAuthError):
    code = "oidc-code-expired"
    title = "Authorization code expired"
    oauth_error = "invalid_grant"


class PkceMismatchError(OAuthError):
    code = "oidc-pkce-mismatch"
    title = "PKCE verifier does not match"
    oauth_error = "invalid_grant"


class UnsupportedGrantTypeError(OAuthError):
    code = "oidc-unsupported-grant-type"
    title = "Unsupported grant type"
    oauth_error = "unsupported_grant_type"


class InvalidTokenError(NotAuthenticated):
    code = "oidc-invalid-token"
    title = "Invalid access token"


class InvalidLogoutRequestError(OAuthError):
    code = "oidc-invalid-logout-request"
    title = "Invalid logout request"


class ConsentNotFoundError(NotFound):
    code = "oidc-consent-not-found"


class InvalidClientRegistrationError(ValidationFailed):
    code = "oidc-invalid-client-registration"


class AuthorizationRequestRejectedError(TsunaguError):
    """A bad authorization request from a known client to a registered redirect URI.

    Returned to the client at its redirect URI (RFC 6749 §4.1.2.1), not shown to the person.
    """

    code = "oidc-invalid-authorization-request"
    title = "Invalid authorization request"

    def __init__(self, detail: str, *, error: str, redirect_uri: str, state: str | None) -> None:
        super().__init__(detail)
        self.error = error
        self.redirect_uri = redirect_uri
        self.state = state
