"""``tsunagu oidc``: the OpenID Connect provider's administration (clients, signing keys)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from tsunagu.cli.console import errors_as_messages, open_database, out, settings
from tsunagu.core.database import Database
from tsunagu.core.progress import ProgressReporter
from tsunagu.identity.oidc import demo, keys, relying_party, service

if TYPE_CHECKING:
    from tsunagu.cli.seed_options import SeedOptions

app = typer.Typer(
    help="OpenID Connect provider: register clients, rotate signing keys, demo relying party.",
    no_args_is_help=True,
)


@app.command("register-client")
def register_client(
    *,
    name: str = typer.Option(..., help="Service name shown to residents on the consent screen."),
    organization: str = typer.Option(..., help="Organization code of the operator of the service."),
    redirect_uri: list[str] = typer.Option(..., help="Redirect URI (repeat for several)."),
    post_logout_redirect_uri: list[str] = typer.Option([], help="Where logout may return (repeatable)."),
    scope: list[str] = typer.Option([], help="Allowed scope (repeatable; default: all)."),
    sector: str | None = typer.Option(None, help="Sector identifier for pairwise subjects."),
) -> None:
    """Register a relying party; prints its client id and secret (the secret only this once)."""
    with errors_as_messages():
        config = settings()
        database = open_database(config)
        with database.session() as db:
            registered = service.register_client(
                db,
                config.resolved_secret_key(),
                name=name,
                organization_code=organization,
                redirect_uris=redirect_uri,
                post_logout_redirect_uris=post_logout_redirect_uri,
                scopes=scope or None,
                sector_identifier=sector,
            )
        out.print(f"client_id:     {registered.client.client_id}")
        out.print(f"client_secret: {registered.client_secret}")
        out.print(f"sector:        {registered.client.sector_identifier}")


@app.command("rotate-keys")
def rotate_keys() -> None:
    """Make a new ID-token signing key current; the old one stays in the JWKS until its tokens expire."""
    with errors_as_messages():
        config = settings()
        database = open_database(config)
        with database.session() as db:
            kid = keys.rotate(db, config.resolved_secret_key())
            published = [key["kid"] for key in keys.published(db, config.resolved_secret_key())["keys"]]
        out.print(f"signing with {kid}; published: {', '.join(published)}")


@app.command("demo-rp")
def demo_rp(
    port: int = typer.Option(
        demo.DEFAULT_PORT, min=1, max=65535, help="Port of the demo service on 127.0.0.1."
    ),
) -> None:
    """Serve a demo relying party at http://127.0.0.1:PORT that logs residents in with the provider."""
    import uvicorn

    with errors_as_messages():
        config = settings()
        platform_secret = config.resolved_secret_key()
        database = open_database(config)
        with database.session() as db:
            demo.ensure_client(db, platform_secret, port)
        database.dispose()
        client = relying_party.ClientConfig(
            issuer=config.base_url.rstrip("/"),
            client_id=demo.CLIENT_ID,
            client_secret=demo.client_secret(platform_secret),
            redirect_uri=demo.redirect_uri(port),
            post_logout_redirect_uri=demo.post_logout_uri(port),
        )
        out.print(f"demo relying party on http://127.0.0.1:{port} (provider {client.issuer})")
        uvicorn.run(
            relying_party.create_app(client, config),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
        )


def seed_demo_client(
    database: Database, options: SeedOptions, only_if_empty: bool, progress: ProgressReporter
) -> None:
    """The demo relying party's client (idempotent), so `tsunagu oidc demo-rp` works at once."""
    progress.start("OpenID Connect demo client", 1)
    with database.session() as db:
        demo.ensure_client(db, settings().resolved_secret_key())
    progress.advance()
