"""``tsunagu procedures``: check procedure definition files before they go live."""

from __future__ import annotations

from pathlib import Path

import typer

from tsunagu.cli.console import err, errors_as_messages, out
from tsunagu.core.errors import ValidationFailed
from tsunagu.procedures import loader

app = typer.Typer(help="Procedures declared as YAML data: check definition files.", no_args_is_help=True)


class DefinitionsInvalid(ValidationFailed):
    code = "procedure-definitions-invalid"
    title = "Procedure definitions invalid"


@app.command()
def check(
    directory: Path = typer.Argument(
        loader.SHIPPED_DIR,
        help="Directory of *.yaml procedure files.",
        show_default="the shipped definitions",
    ),
) -> None:
    """Validate every file (schema and meaning); print each error as FILE:LINE: message."""
    with errors_as_messages():
        result = loader.load_directory(directory)
        for problem in result.problems:
            err.print(str(problem), highlight=False, soft_wrap=True, markup=False)
        files = len({p.path for p in result.problems})
        if result.problems:
            raise DefinitionsInvalid(f"{len(result.problems)} error(s) in {files} file(s) under {directory}")
        out.print(
            f"{len(result.procedures)} procedure(s) valid: {', '.join(sorted(result.procedures))}",
            highlight=False,
        )
