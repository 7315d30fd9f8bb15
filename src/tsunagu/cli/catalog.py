"""``tsunagu catalog``: the data catalog's jobs, and its seed step (the registries' datasets)."""

from __future__ import annotations

import typer

from tsunagu.catalog import service
from tsunagu.cli.seed_options import SeedOptions
from tsunagu.core.database import Database
from tsunagu.core.progress import ProgressReporter

catalog_app = typer.Typer(help="Data catalog: datasets, open data, checks.", no_args_is_help=True)


def seed_catalog(
    database: Database, _options: SeedOptions, _only_if_empty: bool, progress: ProgressReporter
) -> None:
    """データカタログ: every registry registers its datasets (unchanged ones are left as they are)."""
    progress.start("catalog: the registries' datasets", None)
    with database.session() as db:
        progress.advance(service.register_shipped(db))
