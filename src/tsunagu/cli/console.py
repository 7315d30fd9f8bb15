"""Shared CLI plumbing: settings and database from the environment, errors as one red line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from tsunagu.core.database import Database, check_connection
from tsunagu.core.errors import TsunaguError
from tsunagu.core.settings import Settings, get_settings

out = Console()
err = Console(stderr=True)


@contextmanager
def errors_as_messages() -> Iterator[None]:
    """Expected errors end the command with a message and exit code 1, never a traceback."""
    try:
        yield
    except TsunaguError as exc:
        err.print("[bold red]error:[/]", Text(exc.detail), highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def settings() -> Settings:
    return get_settings()


def open_database(settings: Settings) -> Database:
    database = Database(settings.resolved_database_url, secret_key=settings.resolved_secret_key())
    check_connection(database.engine)
    return database


class RichProgress:
    """A ProgressReporter drawing Rich progress bars on standard error."""

    def __init__(self) -> None:
        self.bar = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.bar.stop()

    def start(self, description: str, total: int | None) -> None:
        self._task = self.bar.add_task(description, total=total)

    def advance(self, units: int = 1) -> None:
        if self._task is not None:
            self.bar.advance(self._task, units)
