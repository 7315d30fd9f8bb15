"""OpenID Provider Metadata: what the provider tells relying parties about itself."""

from __future__ import annotations

from typing import Any

from tsunagu.identity.oidc import claims as attribute_claims
from tsunagu.identity.oidc import keys
from tsunagu.identity.oidc.service.records import Provider


def discovery(provider: Provider) -> dict[str, Any]:
    """OpenID Provider Metadata (OIDC Discovery 1.0 §3)."""
    issuer = provider.issuer
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oidc/authorize",
        "token_endpoint": f"{issuer}/oidc/token",
        "userinfo_endpoint": f"{issuer}/oidc/userinfo",
        "jwks_uri": f"{issuer}/oidc/jwks",
        "end_session_endpoint": f"{issuer}/oidc/logout",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": [keys.ALGORITHM],
        "scopes_supported": list(attribute_claims.SUPPORTED_SCOPES),
        "claims_supported": list(attribute_claims.SUPPORTED_CLAIMS),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": True,
        "claims_locales_supported": ["ja", "ja-Kana-JP"],
        "ui_locales_supported": ["ja", "en"],
    }
