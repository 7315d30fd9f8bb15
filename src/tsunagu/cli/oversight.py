"""``tsunagu oversight``: the procedure inventory (棚卸データ), systems and their costs."""

from __future__ import annotations

from pathlib import Path

import typer

from tsunagu.cli.console import RichProgress, err, errors_as_messages, open_database, out, settings
from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.progress import ProgressReporter
from tsunagu.oversight import costs, generator, inventory, layouts, legal_basis, links
from tsunagu.oversight import service as oversight
from tsunagu.procedures import service as procedures_service

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
    """Import one survey year of the procedure inventory; replaces that year atomically, then says
    which entries this platform's procedures are linked to."""
    with errors_as_messages():
        config = settings()
        database = open_database(config)
        data = file.read_bytes()
        served = served_procedures(config.procedures_dir)
        try:
            with RichProgress() as progress, database.session() as db:
                report = inventory.import_inventory(
                    db,
                    file.name,
                    data,
                    actor=CLI_ACTOR,
                    survey_year=year,
                    progress=progress,
                    served=served,
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
        _print_links(report.links, procedure_names(config.procedures_dir))


def served_procedures(directory: Path | None) -> list[links.Served]:
    """This platform's procedure definitions as the inventory links read them."""
    live = procedures_service.registry_for(directory).snapshot().procedures.values()
    return [links.Served(p.id, tuple(b.ja for b in p.legal_basis), p.inventory_id) for p in live]


def procedure_names(directory: Path | None) -> dict[str, str]:
    live = procedures_service.registry_for(directory).snapshot().procedures.values()
    return {p.id: p.name.ja for p in live}


def _print_links(found: dict[str, links.Link], names: dict[str, str]) -> None:
    """One line per procedure: its entry and how it was linked, or the candidates, or none."""
    out.print("つなぐの手続と棚卸データの対応:", highlight=False)
    for link in sorted(found.values(), key=lambda link: (link.method == "none", link.procedure)):
        how = links.METHOD_NAMES[link.method]
        if link.entry is not None:
            cited = f"（{link.entry.cited}）" if link.entry.cited else ""
            line = f"{link.entry.procedure_id} {link.entry.name} — {how}{cited}"
        elif link.method == "ambiguous":
            line = f"{how}: " + "、".join(f"{e.procedure_id} {e.name}" for e in link.entries[:5])
            line += f" ほか {len(link.entries) - 5} 件" if len(link.entries) > 5 else ""
        else:
            line = how
        missing = f"（定義の手続ID {link.missing_id} はこの年度にありません）" if link.missing_id else ""
        # one line per procedure whatever the terminal's width (grep, logs); the terminal wraps it
        named = names.get(link.procedure, link.procedure)
        out.print(f"  {named}: {line}{missing}", highlight=False, soft_wrap=True)


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
        served = served_procedures(settings().procedures_dir)
        cited = [c for s in served for text in s.legal_basis for c in legal_basis.citations(text)]
        if output.suffix.lower() == ".xlsx":
            generator.write_xlsx(output, chosen, survey_year, rows, seed, reserved=cited)
        elif output.suffix.lower() == ".csv":
            generator.write_csv(output, chosen, survey_year, rows, seed, reserved=cited)
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
    served = served_procedures(settings().procedures_dir)
    with database.session() as db:
        loaded = oversight.seed_demo(db, progress, only_if_empty=only_if_empty, served=served)
    err.print("oversight: " + (loaded or "already loaded; kept"), highlight=False)
