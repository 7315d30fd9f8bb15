"""OpenID Connect provider rules: clients, authorization with PKCE, consent, tokens, logout.

Every subject a client sees is pairwise (OIDC Core §8.1): an HMAC of the resident id under a
platform key and the client's sector, so two services cannot join their users.
"""

from __future__ import annotations

from tsunagu.identity.oidc.service.authorization import (
    approve,
    authenticated_at,
    deny,
    login_required,
    needs_login,
    origin_of,
    parse_authorization,
    rejection_url,
    remembered_consent,
    resume_after_login,
    return_origin,
)
from tsunagu.identity.oidc.service.clients import (
    PLATFORM_OPERATOR,
    get_client,
    list_clients,
    list_clients_as,
    register_client,
    register_client_as,
    require_platform_admin,
)
from tsunagu.identity.oidc.service.consents import consents_of, withdraw_consent
from tsunagu.identity.oidc.service.discovery import discovery
from tsunagu.identity.oidc.service.logout import logout_target
from tsunagu.identity.oidc.service.records import (
    ACCESS_TOKEN_TTL,
    CLIENT_SECRET_PURPOSE,
    CODE_TTL,
    ID_TOKEN_TTL,
    LOOPBACK_HOSTS,
    PAIRWISE_PURPOSE,
    AuthorizationRequest,
    ClientView,
    ConsentView,
    Provider,
    RegisteredClient,
    Tokens,
)
from tsunagu.identity.oidc.service.tokens import (
    exchange_code,
    pairwise_subject,
    pkce_challenge,
    revoke_tokens_of_code,
    userinfo,
)

__all__ = [
    "ACCESS_TOKEN_TTL",
    "CLIENT_SECRET_PURPOSE",
    "CODE_TTL",
    "ID_TOKEN_TTL",
    "LOOPBACK_HOSTS",
    "PAIRWISE_PURPOSE",
    "PLATFORM_OPERATOR",
    "AuthorizationRequest",
    "ClientView",
    "ConsentView",
    "Provider",
    "RegisteredClient",
    "Tokens",
    "approve",
    "authenticated_at",
    "consents_of",
    "deny",
    "discovery",
    "exchange_code",
    "get_client",
    "list_clients",
    "list_clients_as",
    "login_required",
    "logout_target",
    "needs_login",
    "origin_of",
    "pairwise_subject",
    "parse_authorization",
    "pkce_challenge",
    "register_client",
    "register_client_as",
    "rejection_url",
    "remembered_consent",
    "require_platform_admin",
    "resume_after_login",
    "return_origin",
    "revoke_tokens_of_code",
    "userinfo",
    "withdraw_consent",
]
