"""``tsunagu benefits``: execute a benefit run (給付金の支給), reconcile returns, list who has no account."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import typer
from sqlalchemy.orm import Session

from tsunagu.cli.console import RichProgress, err, errors_as_messages, open_database, out, settings
from tsunagu.core import clock
from tsunagu.core.errors import NotFound
from tsunagu.core.sessions import Principal
from tsunagu.identity.staff import service as staff
from tsunagu.procedures.benefits import batches, definition, service

app = typer.Typer(
    help="Benefit payment runs (給付金): 全銀 transfer files and returned transfers.", no_args_is_help=True
)
STAFF = typer.Option(..., "--staff", help="Login id of the staff member (管理 of the paying organization).")


class StaffNotFound(NotFound):
    code = "benefits-staff-not-found"
    title = "No such staff member in the paying organization"


def staff_principal(db: Session, login_id: str, organization: str) -> Principal:
    """The active staff account ``login_id`` of ``organization`` as the principal a use case checks."""
    found = [s for s in staff.staff_of(db, organization) if s.login_id == login_id and s.active]
    if not found:
        raise StaffNotFound(f"no active staff account {login_id!r} in organization {organization}")
    record = found[0]
    return Principal(
        kind="staff",
        subject_id=record.id,
        display_name=record.display_name,
        organization_code=record.organization_code,
        roles=record.roles,
    )


@app.command()
def run(
    *,
    run_file: Path = typer.Argument(..., help="The run definition (YAML)."),
    reference_date: date = typer.Option(
        ..., "--reference-date", formats=["%Y-%m-%d"], help="基準日: who lived there at the end of this day."
    ),
    output: Path = typer.Option(..., "--out", help="Where the 全銀 総合振込 file is written."),
    login_id: str = STAFF,
    transfer_date: date | None = typer.Option(
        None,
        "--transfer-date",
        formats=["%Y-%m-%d"],
        help="振込指定日 (default: three days from today, JST).",
    ),
    no_newlines: bool = typer.Option(False, "--no-newlines", help="120-byte records without CRLF."),
) -> None:
    """Execute a run: pay everyone eligible with a 公金受取口座 not paid yet; tell the others."""
    with errors_as_messages():
        found = definition.load_run(run_file)
        database = open_database(settings())
        when = transfer_date or clock.today_jst().date() + timedelta(days=3)
        with database.session() as db, RichProgress() as progress:
            report = batches.execute_to_file(
                db,
                staff_principal(db, login_id, found.organization),
                found,
                reference_date=reference_date,
                transfer_date=when,
                path=output,
                progress=progress,
                newline=not no_newlines,
            )
    out.print(
        f"{found.name.ja} 第{report.batch}回: 対象 {report.eligible:,}人, "
        f"振込 {report.transferred:,}件 {report.total_yen:,}円 → {output}; "
        f"支給済 {report.already_transferred:,}人, "
        f"口座未登録 {report.without_account:,}人 (新たにお知らせ {report.newly_without_account:,}人); "
        f"SHA-256 {report.file_sha256}",
        highlight=False,
    )


@app.command()
def returns(
    run_file: Path = typer.Argument(..., help="The run definition (YAML)."),
    return_list: Path = typer.Argument(..., help="CSV with the header record_number,reason."),
    login_id: str = STAFF,
) -> None:
    """Import returned transfers (不能・組戻し): mark them failed; each person is asked to check
    their account."""
    with errors_as_messages():
        found = definition.load_run(run_file)
        try:
            lines = service.parse_returns(return_list.read_text(encoding="utf-8-sig"))
        except service.ReturnListInvalid as exc:
            for error in exc.errors:
                err.print(f"{return_list}: {error['message']}", highlight=False, markup=False)
            raise
        except (OSError, UnicodeDecodeError) as exc:
            raise service.ReturnListInvalid(f"{return_list}: cannot read the return list ({exc})") from None
        database = open_database(settings())
        with database.session() as db:
            marked = service.import_returns(
                db, staff_principal(db, login_id, found.organization), found, lines
            )
            totals = service.totals(db, found.id)
    out.print(
        f"{marked:,}件を返却として記録; 支給済 {totals.paid:,}件 {totals.paid_yen:,}円, "
        f"返却 {totals.returned:,}件 {totals.returned_yen:,}円",
        highlight=False,
    )


@app.command()
def missing(
    run_file: Path = typer.Argument(..., help="The run definition (YAML)."),
    output: Path = typer.Option(..., "--out", help="CSV of the eligible people without an account."),
    login_id: str = STAFF,
) -> None:
    """List the eligible people not paid for want of a 公金受取口座 (UTF-8 CSV with BOM, for Excel)."""
    with errors_as_messages():
        found = definition.load_run(run_file)
        database = open_database(settings())
        count = 0
        with database.session() as db, output.open("w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(["住民ID", "氏名", "フリガナ", "生年月日", "住所"])
            for person in service.without_account(
                db, staff_principal(db, login_id, found.organization), found
            ):
                name = person.name
                writer.writerow(
                    [
                        person.id,
                        f"{name.family} {name.given}",
                        f"{name.family_kana} {name.given_kana}",
                        person.birth_date.isoformat(),
                        str(person.address),
                    ]
                )
                count += 1
    out.print(f"口座未登録 {count:,}人 → {output}", highlight=False)
