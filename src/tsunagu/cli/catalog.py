"""``tsunagu catalog``: the data catalog's jobs, and its seed step (the registries' datasets)."""

from __future__ import annotations

import typer

from tsunagu.catalog import service
from tsunagu.cli import catalog_checks
from tsunagu.cli.console import RichProgress, err, errors_as_messages, open_database, out, settings
from tsunagu.cli.seed_options import SeedOptions
from tsunagu.core.database import Database
from tsunagu.core.progress import ProgressReporter

catalog_app = typer.Typer(help="Data catalog: datasets, open data, checks.", no_args_is_help=True)
catalog_app.command("check")(catalog_checks.check)  # 機械可読性チェック
catalog_app.command("validate-dcat")(catalog_checks.validate_dcat)  # DCAT-AP 3 SHACL


def seed_catalog(
    database: Database, _options: SeedOptions, _only_if_empty: bool, progress: ProgressReporter
) -> None:
    """データカタログ: every registry registers its datasets (unchanged ones are left as they are)."""
    progress.start("catalog: the registries' datasets", None)
    with database.session() as db:
        progress.advance(service.register_shipped(db))


@catalog_app.command("check-links")
def check_links(
    base_url: str = typer.Option(
        "", help="Where the catalog's own server answers (default: the deployment's base URL)."
    ),
) -> None:
    """Request every published distribution's URL on this deployment and keep the answers (the
    metadata quality score reads them). Run it on a schedule while the server runs."""
    with errors_as_messages():
        config = settings()
        database = open_database(config)
        base = base_url or str(config.base_url)
        with RichProgress() as progress, database.session() as db:
            progress.start("catalog: distribution URLs", None)
            report = service.check_links(db, base, progress=progress.advance)
        out.print(
            f"{report.checked} URLs requested, {report.answered} answered; "
            f"{report.skipped} outside this deployment not requested"
        )
        for dataset_id, distribution_id, problem in report.failed:
            err.print(f"{dataset_id} / {distribution_id}: {problem}")
        if report.failed:
            raise typer.Exit(1)
