"""The demo relying party's client registration (seeded by ``tsunagu seed``, step "oidc").

Its secret is derived from the platform secret rather than stored anywhere, so the seed step
and ``tsunagu oidc demo-rp`` (both run on the installation) agree on it without a file.
"""

from __future__ import annotations

import base64

from sqlalchemy.orm import Session

from tsunagu.identity.oidc import sealing, service
from tsunagu.identity.oidc.models import Client

CLIENT_ID = "tsunagu-demo-rp"
NAME = "つなぐデモサービス"
ORGANIZATION = "digital-agency"
DEFAULT_PORT = 8001
SECRET_PURPOSE = "oidc-demo-rp-client-secret"  # noqa: S105 - a key-derivation label


def redirect_uri(port: int) -> str:
    return f"http://127.0.0.1:{port}/callback"


def post_logout_uri(port: int) -> str:
    return f"http://127.0.0.1:{port}/"


def client_secret(platform_secret: str) -> str:
    """The demo client's secret, recomputable by anyone holding the platform secret."""
    digest = sealing.keyed_digest(platform_secret, SECRET_PURPOSE, CLIENT_ID)
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def ensure_client(db: Session, platform_secret: str, port: int = DEFAULT_PORT) -> bool:
    """Register the demo client, or add the redirect URIs of ``port``; True when anything changed."""
    row = db.get(Client, CLIENT_ID)
    if row is None:
        service.register_client(
            db,
            platform_secret,
            name=NAME,
            organization_code=ORGANIZATION,
            redirect_uris=[redirect_uri(port)],
            post_logout_redirect_uris=[post_logout_uri(port)],
            sector_identifier="demo-rp.tsunagu.example",
            client_id=CLIENT_ID,
            client_secret=client_secret(platform_secret),
        )
        return True
    if redirect_uri(port) in row.redirect_uris:
        return False
    # JSON columns change only on reassignment; every registered port stays usable.
    row.redirect_uris = [*row.redirect_uris, redirect_uri(port)]
    row.post_logout_redirect_uris = [*row.post_logout_redirect_uris, post_logout_uri(port)]
    db.flush()
    return True
