"""``tsunagu corpinfo``: the open corporate information (法人活動情報) — API keys for clients and
the import of subsidy and procurement records."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from tsunagu.cli.console import err, errors_as_messages, open_database, out, settings
from tsunagu.cli.seed_options import SeedOptions
from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.progress import ProgressReporter
from tsunagu.procedures.corpinfo import service

app = typer.Typer(
    help="Open corporate information (法人活動情報): API keys, subsidies and procurement.",
    no_args_is_help=True,
)


def _operator() -> str:
    """The CLI is run by the operator who holds the installation: recorded as cli:<user>."""
    return f"cli:{getpass.getuser()}"


def _problems(exc: ValidationFailed) -> None:
    for problem in exc.errors:
        where = " ".join(str(part) for part in problem.get("location", []))
        err.print(f"  {where}: {problem.get('message', '')}", highlight=False, soft_wrap=True)


@app.command("issue-key")
def issue_key(
    *,
    name: str = typer.Option(..., "--name", help="The client (団体・サービス) the key is for."),
    contact: str = typer.Option(..., "--contact", help="The client's contact e-mail address."),
    per_minute: int = typer.Option(service.DEFAULT_PER_MINUTE, "--per-minute", help="Requests a minute."),
    per_day: int = typer.Option(service.DEFAULT_PER_DAY, "--per-day", help="Requests a day (JST)."),
) -> None:
    """Issue an API key; it is printed once (only its hash is kept)."""
    with errors_as_messages():
        database = open_database(settings())
        try:
            with database.session() as db:
                issued = service.issue_key(
                    db,
                    name=name,
                    contact=contact,
                    issued_by=_operator(),
                    per_minute=per_minute,
                    per_day=per_day,
                )
        except ValidationFailed as exc:
            _problems(exc)
            raise
    err.print(f"client {issued.client.id} ({issued.client.name}): {per_minute:,}/minute, {per_day:,}/day")
    err.print("the key is shown only now; give it to the client by a safe channel:")
    out.print(issued.key, highlight=False)


@app.command("revoke-key")
def revoke_key(
    client_id: str = typer.Argument(..., help="The client's id (tsunagu corpinfo clients)."),
) -> None:
    """Revoke a client's key at once (its usage stays on record)."""
    with errors_as_messages(), open_database(settings()).session() as db:
        client = service.revoke(db, client_id, _operator())
    out.print(f"revoked: {client.name} ({client.key_prefix}…)")


@app.command("clients")
def list_clients() -> None:
    """Every client with its limits and today's requests (JST)."""
    with errors_as_messages(), open_database(settings()).session() as db:
        found = service.clients(db, _operator())
    for c in found:
        state = "active" if c.active else f"revoked {c.revoked_at:%Y-%m-%d}"
        out.print(
            f"{c.id}  {c.key_prefix}…  {c.name}  {c.per_minute:,}/min {c.per_day:,}/day  "
            f"today {c.requests_today:,}  {state}",
            highlight=False,
        )


@app.command("usage")
def usage(
    client_id: str = typer.Argument(...), days: int = typer.Option(30, "--days", min=1, max=366)
) -> None:
    """Requests and refusals (429) of a client per day (JST)."""
    with errors_as_messages(), open_database(settings()).session() as db:
        rows = service.usage_of(db, client_id, days)
    for row in rows:
        out.print(
            f"{row.day.isoformat()}  {row.requests:,} requests  {row.refused:,} refused", highlight=False
        )


def _import(kind: service.Kind, file: Path) -> None:
    with errors_as_messages():
        try:
            with open_database(settings()).session() as db:
                report = service.import_file(db, kind, file)
        except ValidationFailed as exc:
            _problems(exc)
            raise
    out.print(f"{kind}: {report.created:,} added, {report.replaced:,} replaced")


@app.command("import-subsidies")
def import_subsidies(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="UTF-8 CSV (docs/operations.md)."),
) -> None:
    """Import 補助金 records (交付決定); all or nothing, a file again replaces its records."""
    _import("subsidies", file)


@app.command("import-procurements")
def import_procurements(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="UTF-8 CSV (docs/operations.md)."),
) -> None:
    """Import 調達 records (契約); all or nothing, a file again replaces its records."""
    _import("procurements", file)


def seed_awards(
    database: Database, options: SeedOptions, only_if_empty: bool, progress: ProgressReporter
) -> None:
    """Seed step (demo): synthetic subsidies and procurement of the registry's companies, imported
    through the documented layouts and marked 合成データ（デモ用）."""
    progress.start("corpinfo: synthetic subsidies and procurement", None)
    with database.session() as db:
        reports = service.seed_demo_awards(db, options.seed, only_if_empty=only_if_empty)
    if reports is None:
        err.print("subsidies and procurement already seeded; kept")
        return
    subsidies, procurements = reports
    progress.advance(subsidies.created + subsidies.replaced + procurements.created + procurements.replaced)
    err.print(
        f"corpinfo: {subsidies.created + subsidies.replaced:,} synthetic subsidies, "
        f"{procurements.created + procurements.replaced:,} procurement records"
    )
