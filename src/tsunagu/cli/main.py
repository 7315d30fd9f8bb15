"""Entry point of the ``tsunagu`` command."""

from __future__ import annotations

import os

import typer

from tsunagu import __version__, migrations
from tsunagu.cli import benefits as benefits_cli
from tsunagu.cli import business, conformance, db, identity, mesh, oidc, oversight, procedures, registry
from tsunagu.cli import catalog as catalog_cli
from tsunagu.cli import corpinfo as corpinfo_cli
from tsunagu.cli import notify as notify_cli
from tsunagu.cli.console import errors_as_messages, open_database, out, settings
from tsunagu.cli.seeding import SeedOptions, run_seed
from tsunagu.core.errors import TsunaguError
from tsunagu.core.settings import Settings, get_settings

app = typer.Typer(
    help="Tsunagu (つなぐ): open digital public infrastructure. Run `tsunagu demo` to start.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(mesh.app, name="mesh")
app.add_typer(registry.app, name="registry")
app.add_typer(identity.identity_app, name="identity")
app.add_typer(identity.card_app, name="card")
app.add_typer(business.app, name="business")
app.add_typer(benefits_cli.app, name="benefits")
app.add_typer(corpinfo_cli.app, name="corpinfo")
app.add_typer(oidc.app, name="oidc")
app.add_typer(procedures.app, name="procedures")
app.add_typer(oversight.app, name="oversight")
app.add_typer(notify_cli.app, name="notify")
app.add_typer(conformance.app, name="conformance")
app.add_typer(catalog_cli.catalog_app, name="catalog")


PLANNED_MOVES_EVERY = 60.0  # seconds between the demo's passes over moves accepted for a later day


class NotReady(TsunaguError):
    code = "not-ready"


@app.command()
def version() -> None:
    """Print the version."""
    out.print(f"tsunagu {__version__}")


WORKER_HEALTHCHECK_SECONDS = 120


def listen_on(host: str | None, port: int | None) -> Settings:
    """The settings with ``--host``/``--port`` applied, also for the server's worker processes (they
    read the environment): unless TSUNAGU_BASE_URL is set, the public URL follows the port, so the
    QR login URL and the OpenID Connect issuer name the port the server listens on."""
    if host is not None:
        os.environ["TSUNAGU_HOST"] = host
    if port is not None:
        os.environ["TSUNAGU_PORT"] = str(port)
    get_settings.cache_clear()
    return settings()


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default TSUNAGU_HOST)."),
    port: int | None = typer.Option(
        None,
        min=1,
        max=65535,
        help="Port (default TSUNAGU_PORT, 8000); the public URL follows it unless TSUNAGU_BASE_URL is set.",
    ),
    workers: int | None = typer.Option(None, help="Worker processes (default TSUNAGU_WORKERS)."),
) -> None:
    """Serve the web app and API; the database must be at the latest migration."""
    import uvicorn

    with errors_as_messages():
        config = listen_on(host, port)
        database = open_database(config)
        if not migrations.status(database.engine).at_head:
            raise NotReady("the database is not at the latest migration; run `tsunagu db upgrade`")
        database.dispose()
        out.print(f"serving on http://{config.host}:{config.port} (public URL {config.base_url})")
        # a spawned worker answers the supervisor's health check only once its interpreter is up; on a busy
        # machine that takes longer than uvicorn's 5 s, which would kill and respawn it forever
        # forwarded headers are the app's to believe, from TSUNAGU_TRUSTED_PROXIES only: uvicorn's
        # own default would believe any X-Forwarded-For from 127.0.0.1
        uvicorn.run(
            "tsunagu.web.asgi:app",
            host=config.host,
            port=config.port,
            proxy_headers=False,
            workers=workers or config.workers,
            log_level="warning",
            access_log=False,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        )


@app.command()
def seed(
    residents: int = typer.Option(2000, min=0, help="Synthetic residents to create."),
    corporations: int = typer.Option(300, min=0, help="Synthetic corporations to create."),
    random_seed: int = typer.Option(1, "--seed", help="Seed of the deterministic generator."),
) -> None:
    """Load reference data and deterministic synthetic demo data (with a progress bar)."""
    with errors_as_messages():
        database = open_database(settings())
        migrations.upgrade(database.engine)
        run_seed(database, SeedOptions(residents=residents, corporations=corporations, seed=random_seed))


@app.command()
def demo(
    port: int | None = typer.Option(
        None,
        min=1,
        max=65535,
        help="Port (default TSUNAGU_PORT, 8000); the public URL follows it unless TSUNAGU_BASE_URL is set.",
    ),
    deliver_every: float = typer.Option(
        2.0,
        min=0,
        help="Seconds between the embedded mesh push delivery passes (0: run "
        "`tsunagu mesh deliver` yourself).",
    ),
) -> None:
    """Migrate, load the demo data once, deliver mesh push notifications in the background, and
    serve at http://127.0.0.1:8000 (or --port)."""
    from tsunagu.mesh.node.embedded import EmbeddedNodes
    from tsunagu.mesh.push.worker import run_in_background
    from tsunagu.notify import wiring as notify_wiring
    from tsunagu.procedures.onestop import worker as planned_moves
    from tsunagu.procedures.push import worker as push_notices

    with errors_as_messages():
        config = listen_on(None, port)
        database = open_database(config)
        migrations.upgrade(database.engine)
        run_seed(database, SeedOptions(), only_if_empty=True)
        if deliver_every:
            nodes = EmbeddedNodes(database, config.resolved_secret_key(), config.mesh)
            run_in_background(database, nodes.contexts, nodes.context, deliver_every)
            out.print(f"mesh push: delivered every {deliver_every:g} s in the background")
            planned_moves.run_in_background(database, nodes.context, PLANNED_MOVES_EVERY)
            names = notify_cli.sender_names(database)
            notify_wiring.run_in_background(database, config, names, deliver_every)  # e-mail, SMS, apps
            push_notices.run_in_background(database, deliver_every)  # プッシュ型のお知らせ
        else:
            database.dispose()
    serve(host=None, port=port, workers=None)


if __name__ == "__main__":
    app()
