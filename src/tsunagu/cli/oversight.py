"""``tsunagu oversight``: the procedure inventory (棚卸データ), systems and their costs."""

from __future__ import annotations

from pathlib import Path

import typer

from tsunagu.cli.console import RichProgress, err, errors_as_messages, open_database, out, settings
from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.progress import ProgressReporter
from tsunagu.oversight import costs, generator, inventory, layouts
from tsunagu.oversight import service as oversight

app = typer.Typer(
    help="Oversight: procedure inventory, systems and costs, the policy dashboard.", no_args_is_help=True
)
CLI_ACTOR = "cli"
MAX_PROBLEMS_SHOWN = 20


@app.command("import-inventory")
def import_inventory(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="The published inventory file (.xlsx or .csv, R6 or R7 layout).",
    ),
    year: int | None = typer.Option(
        None, "--year", help="Survey year (default: the layout's, R6 2024, R7 2025)."
    ),
) -> None:
    """Import one survey year of the procedure inventory; replaces that year atomically."""
    with errors_as_messages():
        database = open_database(settings())
        data = file.read_bytes()
        try:
            with RichProgress() as progress, database.session() as db:
                report = inventory.import_inventory(
                    db, file.name, data, actor=CLI_ACTOR, survey_year=year, progress=progress
                )
        except ValidationFailed as rejected:
            for problem in [p for p in rejected.errors if "line" in p][:MAX_PROBLEMS_SHOWN]:
                err.print(
                    f"  {problem['line']}行目 {problem['column']}: {problem['message']}", highlight=False
                )
            hidden = int(rejected.extra.get("problem_count", len(rejected.errors))) - MAX_PROBLEMS_SHOWN
            if hidden > 0:
                err.print(f"  … ほか {hidden} 件", highlight=False)
            raise
        for note in report.notes:
            err.print(note, highlight=False)
        for item in report.normalized:
            err.print(
                f"正規化: {item['label']} — {item['count']:,} 件（例 {item['example']}）", highlight=False
            )
        replaced = f"（{report.replaced:,} 件を置き換え）" if report.replaced else ""
        out.print(
            f"{report.survey_year}年度調査 ({report.layout} 様式): {report.rows:,} 件を取り込みました"
            f"{replaced}",
            highlight=False,
        )


@app.command("generate-inventory")
def generate_inventory(
    output: Path = typer.Argument(..., dir_okay=False, help="Where to write (.xlsx or .csv)."),
    layout: str = typer.Option("R7", "--layout", help="R6 (38 columns) or R7 (46 columns)."),
    year: int | None = typer.Option(None, "--year", help="Survey year (drives the online share)."),
    rows: int = typer.Option(generator.SURVEY_ROWS, "--rows", min=1, max=1_000_000),
    seed: int = typer.Option(1, "--seed"),
) -> None:
    """Write a synthetic inventory file in the exact published layout (benchmarks, the demo)."""
    with errors_as_messages():
        chosen = next((lay for lay in layouts.LAYOUTS if lay.id == layout.upper()), None)
        if chosen is None:
            raise ValidationFailed("--layout must be R6 or R7")
        survey_year = year or chosen.survey_year
        if output.suffix.lower() == ".xlsx":
            generator.write_xlsx(output, chosen, survey_year, rows, seed)
        elif output.suffix.lower() == ".csv":
            generator.write_csv(output, chosen, survey_year, rows, seed)
        else:
            raise ValidationFailed("the output file must end in .xlsx or .csv")
        out.print(f"wrote {rows:,} procedures ({chosen.id}, {survey_year}) to {output}")


@app.command("import-systems")
def import_systems(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="Systems and yearly costs (CSV, see docs/oversight.md)."
    ),
) -> None:
    """Register or update information systems and their yearly costs from a CSV file."""
    with errors_as_messages():
        database = open_database(settings())
        with database.session() as db:
            count = costs.import_systems(db, file.read_bytes(), actor=CLI_ACTOR)
        out.print(f"{count.systems:,} systems, {count.cost_rows:,} yearly cost rows")


def seed_oversight(
    database: Database, _options: object, only_if_empty: bool, progress: ProgressReporter
) -> None:
    """Seed step: a synthetic inventory of three survey years and demo systems with costs."""
    with database.session() as db:
        loaded = oversight.seed_demo(db, progress, only_if_empty=only_if_empty)
    err.print("oversight: " + (loaded or "already loaded; kept"), highlight=False)
