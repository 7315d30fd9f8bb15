"""``tsunagu oidc``: the OpenID Connect provider's administration (clients, signing keys)."""

from __future__ import annotations

import typer

from tsunagu.cli.console import errors_as_messages, open_database, out, settings
from tsunagu.identity.oidc import keys, service

app = typer.Typer(help="OpenID Connect provider: register clients, rotate signing keys.",
                  no_args_is_help=True)


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
        database = open_database(settings())
        with database.session() as db:
            registered = service.register_client(
                db, name=name, organization_code=organization, redirect_uris=redirect_uri,
                post_logout_redirect_uris=post_logout_redirect_uri, scopes=scope or None,
                sector_identifier=sector)
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
