"""``tsunagu conformance``: check an export or a running system against a requirement set (適合性確認)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from tsunagu.cli.console import RichProgress, errors_as_messages, open_database, out, settings
from tsunagu.conformance import api_check, checker, pmo, reports, requirements
from tsunagu.conformance.findings import Report
from tsunagu.conformance.sources import MIB, Limits
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.progress import ProgressReporter
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.residents import export as residents_export

app = typer.Typer(
    help="Conformance (適合性確認): requirement sets, checks of exports and linkage APIs.",
    no_args_is_help=True,
)
SHIPPED = requirements.REQUIREMENTS_DIR / "juminkiroku" / "1.0"


class UnknownLayout(ValidationFailed):
    code = "conformance-unknown-layout"
    title = "Unknown file layout"


def _print(report: Report) -> None:
    table = Table(title=f"{report.title.ja} ({report.requirement_set})")
    for column in ("rule", "level", "count", "規則"):
        table.add_column(column)
    for total in report.findings.sorted_totals():
        table.add_row(total.rule, total.level, f"{total.count:,}", total.title.ja)
    if report.findings.totals:
        out.print(table)
    for finding in report.findings.kept[:20]:
        out.print(
            f"{finding.file or '-'}:{finding.row or '-'} [{finding.column or '-'}] {finding.rule}: "
            f"{finding.message_ja}" + (f" ({finding.value})" if finding.value else ""),
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    verdict = "適合 passed" if report.passed else "不適合 failed"
    out.print(
        f"{verdict}: {report.findings.must:,} MUST, {report.findings.should:,} SHOULD; "
        f"{report.total_rows:,} rows in {report.seconds:.1f} s",
        highlight=False,
    )


@app.command()
def check(
    *,
    inputs: list[Path] = typer.Argument(
        ..., help="Exported files: CSV/TSV (UTF-8 or CP932), JSONL, .xlsx, ZIP."
    ),
    requirement_dir: Path = typer.Option(
        SHIPPED, "--requirements", help="Requirement set folder.", show_default="住民記録 1.0"
    ),
    layout: str | None = typer.Option(None, help="Check one file against this file layout (連携ファイル)."),
    html: Path | None = typer.Option(None, help="Write the HTML report here."),
    json_path: Path | None = typer.Option(None, "--json", help="Write the JSON report here."),
    junit: Path | None = typer.Option(None, help="Write a JUnit XML report here (for CI)."),
    keep: int = typer.Option(1000, min=1, help="Findings listed in full per rule (totals are always exact)."),
    max_file_mb: int = typer.Option(
        4096, min=1, help="Largest file (or ZIP member, uncompressed) read, MiB."
    ),
) -> None:
    """Check exported files; exit 1 on any MUST violation (SHOULD findings are warnings)."""
    with errors_as_messages():
        found = requirements.load(requirement_dir)
        limits = Limits(max_file_bytes=max_file_mb * MIB)
        with RichProgress() as progress:
            if layout is not None:
                chosen = next((f for f in found.files if f.id == layout), None)
                if chosen is None or len(inputs) != 1:
                    raise UnknownLayout(
                        f"--layout needs one input and one of: "
                        f"{', '.join(f.id for f in found.files) or 'none'}"
                    )
                report = checker.check_layout(
                    found, chosen, inputs[0], limits=limits, progress=progress, keep=keep
                )
            else:
                report = checker.check(found, inputs, limits=limits, progress=progress, keep=keep)
        reports.write(report, html=html, json_path=json_path, junit=junit, found=found)
    _print(report)
    if not report.passed:
        raise typer.Exit(1)


@app.command("check-api")
def check_api(
    *,
    base_url: str = typer.Option(
        ..., help="The system under test (loopback only), e.g. http://127.0.0.1:8000"
    ),
    requirement_dir: Path = typer.Option(
        SHIPPED, "--requirements", help="Requirement set folder.", show_default="住民記録 1.0"
    ),
    api: str | None = typer.Option(None, help="Only this linkage API of the set."),
    header: list[str] = typer.Option([], help="A header for every request, NAME:VALUE (e.g. a test token)."),
    max_examples: int = typer.Option(20, min=1, help="Generated requests per operation."),
    html: Path | None = typer.Option(None),
    json_path: Path | None = typer.Option(None, "--json"),
    junit: Path | None = typer.Option(None),
) -> None:
    """Call every operation of the linkage API with generated requests (schemathesis); exit 1 on failures."""
    with errors_as_messages():
        found = requirements.load(requirement_dir)
        report = api_check.check_api(
            found, base_url, api_id=api, headers=tuple(header), max_examples=max_examples
        )
        reports.write(report, html=html, json_path=json_path, junit=junit)
    _print(report)
    if not report.passed:
        raise typer.Exit(1)


@app.command()
def validate(requirement_dir: Path = typer.Argument(SHIPPED, help="Requirement set folder.")) -> None:
    """Check a requirement set itself; a problem is printed as FILE:LINE: message (exit 1)."""
    with errors_as_messages():
        found = requirements.load(requirement_dir)
    out.print(
        f"{found.key}: {len(found.tables)} tables, {sum(len(t.columns) for t in found.tables)} columns, "
        f"{len(found.rules)} rules, {len(found.code_lists)} code lists, {len(found.apis)} APIs, "
        f"{len(found.files)} file layouts — valid",
        highlight=False,
    )


@app.command("export")
def export_registry(
    municipality: str = typer.Option(..., help="全国地方公共団体コード of the municipality, e.g. 131016."),
    out_dir: Path = typer.Option(..., "--out", help="Folder for persons/households/addresses/changes.csv."),
) -> None:
    """Write the municipality's resident register as the 住民記録 migration files (no 個人番号)."""
    with errors_as_messages():
        database = open_database(settings())
        with database.session() as db:
            counts = residents_export.write(db, municipality, out_dir)
    out.print(", ".join(f"{name}: {count:,}" for name, count in counts.items()), highlight=False)


def seed_migration(
    database: Database, _options: object, _only_if_empty: bool, progress: ProgressReporter
) -> None:
    """Seed step: synthetic 移行状況 of every municipality (not the wards of 政令指定都市) × 20 事務."""
    with database.session() as db:
        municipalities = [
            pmo.Municipality(m.code, m.name, m.prefecture)
            for m in addresses.list_municipalities(db)
            if m.designated_city_code is None
        ]
        added = pmo.seed(db, municipalities, 1, progress, today=clock.today_jst().date())
    out.print(
        f"migration status: {added:,} rows for {len(municipalities):,} municipalities"
        if added
        else "migration status already seeded; kept",
        highlight=False,
    )
