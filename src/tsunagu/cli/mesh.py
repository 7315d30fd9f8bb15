"""``tsunagu mesh``: run a node, deliver push notifications, verify and checkpoint a node's log."""

from __future__ import annotations

import time

import typer

from tsunagu.cli.console import RichProgress, errors_as_messages, open_database, out, settings
from tsunagu.core.errors import TsunaguError
from tsunagu.mesh.node.context import build
from tsunagu.mesh.settings import get_mesh_settings

app = typer.Typer(help="Public service mesh: nodes, push delivery and log verification.",
                  no_args_is_help=True)


class BrokenLog(TsunaguError):
    code = "mesh-log-broken"


@app.command()
def node(
    org: str = typer.Option(..., "--org", help="Organization code this node serves."),
    port: int = typer.Option(8100, help="Port on 127.0.0.1."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
) -> None:
    """Serve one organization's node (security server) as its own process."""
    from tsunagu.mesh.node.runner import serve

    with errors_as_messages():
        out.print(f"mesh node {org} on http://{host}:{port}")
        serve(org, host, port)


@app.command()
def deliver(
    org: str = typer.Option(..., "--org", help="Provider organization whose outbox to deliver."),
    once: bool = typer.Option(False, "--once", help="One pass, then exit."),
    interval: float = typer.Option(1.0, min=0.05, help="Seconds between passes."),
) -> None:
    """Deliver queued push notifications (retries with backoff; dead letters after N failures)."""
    from tsunagu.mesh.push.service import deliver_due

    with errors_as_messages():
        config = settings()
        ctx = build(org, open_database(config), config.resolved_secret_key(), get_mesh_settings())
        while True:
            run = deliver_due(ctx)
            if run.delivered or run.failed or run.dead or once:
                out.print(f"delivered {run.delivered}, failed {run.failed}, dead {run.dead}, "
                          f"waiting {run.waiting}")
            if once:
                return
            time.sleep(interval)


@app.command("verify-log")
def verify_log(org: str = typer.Option(..., "--org", help="Organization whose log to verify.")) -> None:
    """Recompute a node's hash chain and check its signed checkpoints; exit 1 at the first break."""
    from tsunagu.mesh.log.service import verify

    with errors_as_messages():
        config = settings()
        ctx = build(org, open_database(config), config.resolved_secret_key(), get_mesh_settings())
        with RichProgress() as reporter:
            report = verify(ctx.database, org, ctx.directory.public_key, reporter)
        if report.broken_seq is not None:
            raise BrokenLog(f"the log of {org} is broken at entry {report.broken_seq}: {report.reason}")
        if report.problems:
            raise BrokenLog(f"the log of {org}: " + "; ".join(report.problems))
        out.print(f"the log of {org} holds: {report.entries} entries, {report.checkpoints} signed "
                  "checkpoints verified")


@app.command()
def checkpoint(org: str = typer.Option(..., "--org", help="Organization whose log head to sign.")) -> None:
    """Sign the current head of a node's log now."""
    from tsunagu.mesh.log.service import checkpoint as sign_head

    with errors_as_messages():
        config = settings()
        ctx = build(org, open_database(config), config.resolved_secret_key(), get_mesh_settings())
        out.print(f"signed checkpoint at entry {sign_head(ctx.database, org, ctx.key)}")
