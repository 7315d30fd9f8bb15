"""``tsunagu catalog``: the data catalog's jobs, and its seed step (the registries' datasets)."""

from __future__ import annotations

import typer

from tsunagu.catalog import service
from tsunagu.cli import catalog_checks
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
