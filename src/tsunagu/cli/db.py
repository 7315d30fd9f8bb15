"""``tsunagu db``: schema migrations."""

from __future__ import annotations

from pathlib import Path

import typer

from tsunagu import migrations
from tsunagu.cli.console import errors_as_messages, open_database, out, settings
from tsunagu.core.errors import TsunaguError
from tsunagu.migrations import datamodel

app = typer.Typer(help="Database schema: upgrade and check migrations.", no_args_is_help=True)


class SchemaMismatch(TsunaguError):
    code = "schema-mismatch"


@app.command()
def upgrade() -> None:
    """Apply every pending migration (SQLite or PostgreSQL)."""
    with errors_as_messages():
        database = open_database(settings())
        migrations.upgrade(database.engine)
        out.print(f"database at head: {', '.join(sorted(migrations.heads(database.engine)))}")


@app.command()
def check() -> None:
    """Fail unless the database is at head and the models match the migrations."""
    with errors_as_messages():
        database = open_database(settings())
        state = migrations.status(database.engine)
        if not state.at_head:
            raise SchemaMismatch(
                f"database is at {sorted(state.current) or 'no migration'}, head is "
                f"{sorted(state.heads)}; run `tsunagu db upgrade`"
            )
        if state.differences:
            raise SchemaMismatch("models and migrations disagree:\n  " + "\n  ".join(state.differences))
        out.print("database at head; models and migrations agree")


@app.command()
def revision(
    part: str = typer.Argument(..., help="Part whose tables changed, e.g. registry."),
    message: str = typer.Option(..., "-m", "--message", help="What the migration does."),
) -> None:
    """(Developers) write the next migration of a part from its models."""
    with errors_as_messages():
        database = open_database(settings())
        migrations.upgrade(database.engine)
        out.print(migrations.revision(database.engine, part, message))


@app.command("data-model")
def data_model(
    write: bool = typer.Option(False, "--write", help="Rewrite the document, not print it."),
    out_file: Path | None = typer.Option(
        None, "--out", help="Where --write writes it.", show_default="docs/data-model.md"
    ),
) -> None:
    """(Developers) print docs/data-model.md as the models make it, or rewrite it with --write."""
    if write:
        out.print(f"wrote {datamodel.write(out_file or datamodel.DOCUMENT)}")
    else:
        print(datamodel.render(), end="")
