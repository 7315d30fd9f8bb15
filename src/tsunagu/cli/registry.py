"""``tsunagu registry``: base-registry commands (address normalization, data imports)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any, Protocol, TextIO

import typer

from tsunagu.cli.benefits import staff_principal
from tsunagu.cli.console import RichProgress, err, errors_as_messages, open_database, out, settings
from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.progress import ProgressReporter
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.corporations import service as corporations
from tsunagu.registry.taxation import service as taxation

app = typer.Typer(help="Base registries: addresses, residents, corporations.", no_args_is_help=True)

OUTPUT_FIELDS = (
    "input",
    "level",
    "prefecture",
    "prefecture_code",
    "municipality",
    "municipality_code",
    "town",
    "town_id",
    "chome",
    "banchi",
    "go",
    "building",
    "postcode",
    "lat",
    "lng",
)
EXPLAIN_FIELDS = ("remainder", "skipped", "candidates")


def seed_addresses(
    database: Database, _options: object, only_if_empty: bool, progress: ProgressReporter
) -> None:
    """Seed step: the address base registry (all 277,676 towns) with postal codes."""
    with database.session() as db:
        report = addresses.load(db, progress, only_if_empty=only_if_empty)
    if report is None:
        err.print("addresses already loaded; kept")
        return
    err.print(
        f"addresses: {report.towns:,} towns in {report.municipalities:,} municipalities; "
        f"{report.towns_with_listed_postcode:,} with their own postcode, "
        f"{report.towns_with_default_postcode:,} with the municipality's general postcode"
    )


def _row(result: addresses.NormalizedAddress) -> dict[str, Any]:
    address = result.address
    values: dict[str, Any] = {
        "input": result.input,
        "level": result.level,
        "lat": result.lat,
        "lng": result.lng,
    }
    for name in OUTPUT_FIELDS[2:-2]:
        value = getattr(address, name, None) if address else None
        values[name] = "" if value is None else str(value)
    values["remainder"] = result.remainder
    values["skipped"] = " / ".join(result.skipped)
    values["candidates"] = " / ".join(
        f"{c.prefecture}{c.municipality}{c.town} ({c.municipality_code})" for c in result.candidates
    )
    return values


@app.command("normalize-address")
def normalize_address(
    text: str | None = typer.Argument(None, help="An address, e.g. 東京都千代田区霞が関2-1-1."),
    file: Path | None = typer.Option(
        None, "--file", exists=True, dir_okay=False, help="Normalize every line of FILE (UTF-8)."
    ),
    output_format: str = typer.Option("csv", "--format", help="csv or json (batch mode)."),
    output: Path | None = typer.Option(None, "--output", help="Write results here (default stdout)."),
) -> None:
    """Normalize one address, or every line of a file with --file (progress bar, CSV/JSON out)."""
    with errors_as_messages():
        if (text is None) == (file is None):
            raise ValidationFailed("give either an address or --file FILE")
        if output_format not in ("csv", "json"):
            raise ValidationFailed("--format must be csv or json")
        database = open_database(settings())
        with database.session() as db:
            if not addresses.registry_loaded(db):
                err.print(
                    "住所レジストリがこのデータベースにありません。同梱のデータで正規化します "
                    "(初回は約10秒)。データベースに読み込むには: tsunagu db upgrade && tsunagu seed",
                    highlight=False,
                )
            index = addresses.normalizer(db)
        if text is not None:
            result = index.normalize(text)
            row = _row(result)
            for name in (*OUTPUT_FIELDS, *EXPLAIN_FIELDS):
                if row[name] not in ("", None):
                    out.print(f"{name}: {row[name]}", highlight=False)
            for line in result.explanation:
                out.print(f"  {line}", highlight=False)
            out.print(f"出典: {addresses.ATTRIBUTION}", highlight=False)
            return
        assert file is not None
        lines = [line.strip() for line in file.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
        handle: TextIO = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
        matched = 0
        try:
            writer = _Writer(handle, output_format)
            with RichProgress() as progress:
                progress.start("normalizing", len(lines))
                for line in lines:  # each result is written as soon as it is made
                    row = _row(index.normalize(line))
                    matched += row["level"] in ("town", "block")
                    writer.write(row)
                    progress.advance()
            writer.close()
        finally:
            if output:
                handle.close()
        err.print(f"{len(lines)} addresses, {matched} matched to a town")


class _Writer:
    """CSV rows or the items of one JSON document, written one at a time."""

    def __init__(self, handle: TextIO, output_format: str) -> None:
        self.handle, self.format, self.count = handle, output_format, 0
        if output_format == "json":
            handle.write(
                json.dumps({"attribution": addresses.ATTRIBUTION}, ensure_ascii=False)[:-1] + ', "items": [\n'
            )
        else:
            self.csv = csv.DictWriter(handle, fieldnames=(*OUTPUT_FIELDS, *EXPLAIN_FIELDS, "attribution"))
            self.csv.writeheader()

    def write(self, row: dict[str, Any]) -> None:
        if self.format == "json":
            self.handle.write((",\n" if self.count else "") + json.dumps(row, ensure_ascii=False))
        else:
            self.csv.writerow({**row, "attribution": addresses.ATTRIBUTION})
        self.count += 1

    def close(self) -> None:
        if self.format == "json":
            self.handle.write("\n]}\n")


class CorporationSeedOptions(Protocol):
    @property
    def corporations(self) -> int: ...

    @property
    def seed(self) -> int: ...


def seed_corporations(
    database: Database, options: CorporationSeedOptions, only_if_empty: bool, progress: ProgressReporter
) -> None:
    """Seed step: deterministic synthetic corporations (法人番号) with some history."""
    with database.session() as db:
        report = corporations.load_synthetic(
            db, options.corporations, options.seed, only_if_empty=only_if_empty, progress=progress
        )
    if report is None:
        err.print("corporations already loaded; kept")
        return
    err.print(f"corporations: {report.created:,} created, {report.history_added:,} history records")


@app.command("import-corporations")
def import_corporations(
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="An NTA 法人番号 CSV (Unicode, 全件 or 差分) or its .zip."
    ),
    skip_invalid: bool = typer.Option(
        False,
        "--skip-invalid/--all-or-nothing",
        help="Import the good rows and report the bad ones (default: any bad row rejects the whole file).",
    ),
) -> None:
    """Import the National Tax Agency's published corporate-number data (with a progress bar)."""
    with errors_as_messages():
        database = open_database(settings())
        try:
            with RichProgress() as progress, database.session() as db:
                report = corporations.import_file(db, file, skip_invalid=skip_invalid, progress=progress)
        except corporations.ImportRejected as rejected:
            for error in rejected.errors:
                err.print(f"line {error['location'][1]}: {error['message']}", highlight=False)
            raise
        for row_error in report.errors:
            err.print(f"skipped line {row_error.line}: {row_error.reason}", highlight=False)
        for unknown in report.unknown_municipalities:
            err.print(f"line {unknown.line}: {unknown.reason}", highlight=False)
        out.print(
            f"{report.imported:,} rows imported ({report.created:,} new corporations, "
            f"{report.updated:,} updated, {report.history_added:,} history records); "
            f"{report.skipped:,} skipped; {report.linked:,} linked to their municipality, "
            f"{report.unknown_municipality_lines:,} with a code the address registry lacks"
        )


@app.command("import-commercial")
def import_commercial(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="A 登記事項 extract (CSV layout: registry/corporations/commercial_csv.py).",
    ),
) -> None:
    """Import 商業・法人登記 extracts (purpose, capital, officers, branches); any bad row rejects the file."""
    with errors_as_messages():
        database = open_database(settings())
        try:
            with database.session() as db:
                report = corporations.import_commercial_file(db, file)
        except corporations.CommercialImportRejected as rejected:
            for error in rejected.errors:
                err.print(f"line {error['location'][1]}: {error['message']}", highlight=False)
            raise
        out.print(
            f"{report.registrations:,} registrations, {report.officers:,} officers and "
            f"{report.branches:,} branches imported"
        )


@app.command("corporation")
def show_corporation(number: str = typer.Argument(..., help="法人番号 (13 digits).")) -> None:
    """登記事項 of one corporation (as a 履歴事項全部証明書 would show them)."""
    with errors_as_messages():
        with open_database(settings()).session() as db:
            record = corporations.require_corporation(db, number)
            matters = corporations.registered_matters(db, number)
        out.print(f"{record.number} {record.name} ({record.kind_label}) {record.address} — {record.status}")
        if matters is None:
            out.print("no commercial registration (登記記録) is held for this corporation")
            return
        out.print(
            f"管轄登記所 {matters.registry_office} / 成立 {matters.established_on} / "
            f"資本金 {matters.capital_yen if matters.capital_yen is not None else '—'} 円"
        )
        for purpose in matters.purposes:
            out.print(f"  目的: {purpose}")
        for officer in matters.officers:
            until = f" 〜 {officer.resigned_on}" if officer.resigned_on else ""
            out.print(f"  {officer.title} {officer.name} {officer.address} ({officer.appointed_on}{until})")
        for past in matters.past_names:
            out.print(f"  旧商号: {past.value} (〜{past.until})")
        for past in matters.past_head_offices:
            out.print(f"  旧本店: {past.value} (〜{past.until})")


@app.command("link-corporations")
def link_corporations() -> None:
    """Link every corporation to its municipality again (after loading the address registry)."""
    with errors_as_messages():
        with open_database(settings()).session() as db:
            linked = corporations.link_municipalities(db)
        out.print(f"{linked:,} corporations linked to their municipality")


@app.command("apply-moves")
def apply_moves() -> None:
    """Apply the accepted moves (転出予定) whose date has come and tell the companies the people
    consented to. Run it once a day just after midnight Asia/Tokyo (cron or a systemd timer);
    running it again the same day changes nothing."""
    from tsunagu.mesh.node.embedded import EmbeddedNodes
    from tsunagu.procedures.onestop import service as onestop

    with errors_as_messages():
        config = settings()
        database = open_database(config)
        nodes = EmbeddedNodes(database, config.resolved_secret_key(), config.mesh)
        applied = onestop.run_due(database, nodes.context)
        out.print(f"{applied:,} planned move(s) applied")


@app.command("import-assessments")
def import_assessments(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="住民税の課税台帳 (CSV: resident_id,fiscal_year,total_income,taxable).",
    ),
    organization: str = typer.Option(
        ..., "--organization", help="The municipality (全国地方公共団体コード)."
    ),
    staff: str = typer.Option(
        ..., "--staff", help="Login id of the staff member (管理 of the municipality)."
    ),
) -> None:
    """Record or correct 住民税 assessments; each new or changed result tells the push-type notices."""
    with errors_as_messages():
        database = open_database(settings())
        try:
            with database.session() as db:
                report = taxation.record(
                    db,
                    staff_principal(db, staff, organization),
                    taxation.parse(_utf8(file)),
                )
        except taxation.AssessmentsInvalid as rejected:
            for error in rejected.errors:
                err.print(error["message"], highlight=False)
            raise
        out.print(
            f"{report.recorded:,} recorded, {report.corrected:,} corrected, {report.unchanged:,} unchanged"
        )


def _utf8(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise taxation.AssessmentsInvalid(f"{file} is not UTF-8 text (save the CSV as UTF-8)") from None
