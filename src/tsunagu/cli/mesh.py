"""``tsunagu mesh``: run a node, deliver push notifications, verify and checkpoint a node's log."""

from __future__ import annotations

import getpass
import time
from datetime import timedelta
from typing import TYPE_CHECKING

import typer
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey

from tsunagu.cli.console import RichProgress, errors_as_messages, open_database, out, settings
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import TsunaguError
from tsunagu.core.progress import ProgressReporter
from tsunagu.mesh.node.context import build

if TYPE_CHECKING:
    from tsunagu.cli.seed_options import SeedOptions
    from tsunagu.mesh.log.archive import DiskStatus

app = typer.Typer(
    help="Public service mesh: nodes, push delivery and log verification.", no_args_is_help=True
)


ACTOR = f"cli:{getpass.getuser()}"  # who changed the directory, in its audit trail


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
    org: str | None = typer.Option(
        None,
        "--org",
        help="Only this provider's outbox (a separate node); "
        "default: every node embedded in this deployment.",
    ),
    once: bool = typer.Option(False, "--once", help="One pass, then exit."),
    interval: float = typer.Option(1.0, min=0.05, help="Seconds between passes."),
) -> None:
    """Publish registry change events and deliver queued push notifications (retries with
    exponential backoff; dead letters after TSUNAGU_MESH_PUSH_MAX_ATTEMPTS failures)."""
    from tsunagu.mesh.node.embedded import EmbeddedNodes
    from tsunagu.mesh.push.worker import delivery_pass

    with errors_as_messages():
        config = settings()
        database = open_database(config)
        nodes = EmbeddedNodes(database, config.resolved_secret_key(), config.mesh)
        while True:
            contexts = (
                [build(org, database, config.resolved_secret_key(), config.mesh)] if org else nodes.contexts()
            )
            done = delivery_pass(database, contexts, None if org else nodes.context)
            for code, run in done.runs.items():
                if run.delivered or run.failed or run.dead or once:
                    out.print(
                        f"{code}: delivered {run.delivered}, failed {run.failed}, "
                        f"dead {run.dead}, waiting {run.waiting}"
                    )
            if done.published:
                out.print(f"published {done.published} registry change event(s)")
            if once:
                return
            time.sleep(interval)


@app.command("verify-log")
def verify_log(org: str = typer.Option(..., "--org", help="Organization whose log to verify.")) -> None:
    """Recompute a node's hash chain (its archive files first), check its signed checkpoints and
    the checkpoints the directory anchored (kept and countersigned); exit 1 at the first break."""
    from tsunagu.mesh.directory import keys
    from tsunagu.mesh.log import archive
    from tsunagu.mesh.log.service import anchored_heads, verify

    with errors_as_messages():
        config = settings()
        ctx = build(org, open_database(config), config.resolved_secret_key(), config.mesh)
        own = ctx.key

        def checkpoint_key(kid: str) -> EllipticCurvePublicKey | None:
            """Checkpoints signed before a rotation verify with the key published then."""
            if kid == own.kid:
                return own.public
            with ctx.database.session() as db:
                return keys.published_key(db, kid)

        with RichProgress() as reporter:
            # what the directory keeps, each anchor verified with the operator's key
            anchors = anchored_heads(ctx.directory.anchors(org), ctx.directory.public_key, org)
            folder = archive.archive_dir_of(ctx.settings, config.data_dir)
            report = verify(
                ctx.database,
                org,
                checkpoint_key,
                reporter,
                anchors,
                archived=archive.rows(folder, org),
                archived_count=archive.count(folder, org),
            )
        if report.broken_seq is not None:
            raise BrokenLog(
                f"the log of {org} is broken at entry {report.broken_seq}: {report.reason} "
                f"(archive files read from {folder})"
            )
        if report.problems:
            raise BrokenLog(f"the log of {org}: " + "; ".join(report.problems))
        out.print(
            f"the log of {org} is intact: {report.entries} entries, {report.checkpoints} signed "
            f"checkpoints verified, {report.anchors} of them against the directory's anchors"
        )


@app.command("archive-log")
def archive_log(
    org: str = typer.Option(..., "--org", help="Organization whose log to archive."),
    older_than_days: float = typer.Option(
        90.0, "--older-than-days", min=0, help="Archive entries older than this many days."
    ),
) -> None:
    """Move old log entries to an archive file ending at a checkpoint the directory anchored (as
    X-Road's message-log archive); verify-log walks the archive files and then the database."""
    from tsunagu.mesh.log import archive

    with errors_as_messages():
        config = settings()
        mesh_settings = config.mesh
        folder = archive.archive_dir_of(mesh_settings, config.data_dir)
        with RichProgress() as reporter:
            done = archive.archive(
                open_database(config), org, folder, timedelta(days=older_than_days), reporter
            )
        if done is None:
            out.print(
                f"{org}: nothing to archive (no anchored checkpoint older than {older_than_days:g} days)"
            )
        else:
            out.print(f"{org}: entries {done.first}–{done.last} archived to {done.path}")
        _disk_alarm(archive.disk_status(folder), mesh_settings.disk_alarm_ratio)


@app.command("log-status")
def log_status(org: str = typer.Option(..., "--org", help="Organization whose log to describe.")) -> None:
    """Entries in the database and in archive files, and the free disk space; exit 2 when a disk
    holding the log has less free space than TSUNAGU_MESH_DISK_ALARM_RATIO (for monitoring)."""
    from tsunagu.mesh.log import archive

    with errors_as_messages():
        config = settings()
        mesh_settings = config.mesh
        database = open_database(config)
        folder = archive.archive_dir_of(mesh_settings, config.data_dir)
        live, archived = archive.live_count(database, org), archive.count(folder, org)
        out.print(
            f"{org}: {live} entries in the database, {archived} in "
            f"{len(archive.files(folder, org))} archive files ({folder})"
        )
        alarm = False
        for path in archive.watched_paths(database.url, folder):
            alarm = _disk_alarm(archive.disk_status(path), mesh_settings.disk_alarm_ratio) or alarm
        if alarm:
            raise typer.Exit(2)


def _disk_alarm(status: DiskStatus, alarm_below: float) -> bool:
    out.print(
        f"disk of {status.path}: {status.free_bytes / 2**30:.1f} GiB free of "
        f"{status.total_bytes / 2**30:.1f} GiB ({status.free_ratio:.0%})"
    )
    if status.free_ratio < alarm_below:
        out.print(
            f"[bold red]alarm:[/] less than {alarm_below:.0%} free — archive the log "
            "(tsunagu mesh archive-log) and move archive files to other storage"
        )
        return True
    return False


@app.command("rotate-key")
def rotate_key(
    org: str = typer.Argument(..., help="Organization whose signing key to rotate."),
    overlap_days: float = typer.Option(
        7.0, "--overlap-days", min=0, max=365, help="Days the previous keys still verify signatures."
    ),
) -> None:
    """Register a new signing key (kid = org#RFC 7638 thumbprint) and make it current; the private
    key is stored encrypted under the deployment secret."""
    from tsunagu.mesh.directory import keys

    with errors_as_messages():
        config = settings()
        with open_database(config).session() as db:
            key = keys.rotate(db, org, timedelta(days=overlap_days), ACTOR)
        out.print(
            f"{org}: new current key {key.kid}; earlier keys verify until "
            f"{(clock.now() + timedelta(days=overlap_days)):%Y-%m-%d %H:%M} UTC"
        )


@app.command("revoke-key")
def revoke_key(
    org: str = typer.Argument(..., help="Organization the key belongs to."),
    kid: str = typer.Argument(..., help="The key id, e.g. 131016#<thumbprint>."),
    reason: str = typer.Option("", help="Why (kept in the audit trail)."),
) -> None:
    """Revoke a signing key now: messages signed with it are refused (mesh-key-revoked)."""
    from tsunagu.mesh.directory import keys

    with errors_as_messages():
        with open_database(settings()).session() as db:
            key = keys.revoke(db, org, kid, reason, ACTOR)
        out.print(f"{org}: key {key.kid} revoked")


@app.command()
def checkpoint(org: str = typer.Option(..., "--org", help="Organization whose log head to sign.")) -> None:
    """Sign the current head of a node's log now."""
    from tsunagu.mesh.log.service import checkpoint as sign_head

    with errors_as_messages():
        config = settings()
        ctx = build(org, open_database(config), config.resolved_secret_key(), config.mesh)
        out.print(f"signed checkpoint at entry {sign_head(ctx.database, org, ctx.key)}")


def seed_mesh(
    database: Database, options: SeedOptions, only_if_empty: bool, progress: ProgressReporter
) -> None:
    """公共サービスメッシュ: demo members (embedded nodes), services, 事務, subscriptions, 機関別符号."""
    from tsunagu.mesh import demo

    config = settings()
    demo.seed_demo(
        database,
        config.resolved_secret_key(),
        config.base_url,
        only_if_empty=only_if_empty,
        seed=options.seed,
        progress=progress,
    )
