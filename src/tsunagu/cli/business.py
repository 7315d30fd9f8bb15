"""``tsunagu business``: GビズID-style business accounts from the command line — the prime
application (signed by the representative), the card app's signature of an application
downloaded from the web, and the representative records (代表者確認記録) applications are
checked against."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from tsunagu.cli.console import errors_as_messages, open_database, out, settings
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.progress import ProgressReporter
from tsunagu.identity.business import service as business
from tsunagu.identity.cards.virtualcard import VirtualCard
from tsunagu.mesh import corporate
from tsunagu.mesh.node.embedded import endpoint_of
from tsunagu.registry.corporations import service as corporations
from tsunagu.registry.residents import service as residents

if TYPE_CHECKING:
    from tsunagu.cli.seeding import SeedOptions

app = typer.Typer(
    help="Business accounts (gBizID-style): prime applications and representative records.",
    no_args_is_help=True,
)
DEMO_REPRESENTATIVES_FILE = "demo-business-representatives.txt"
DEMO_CORPORATIONS = 10
DEMO_MUNICIPALITIES = ("131016", "142018")
#: 代表者の肩書 as 商業登記 writes it, by the NTA kind of corporation
TITLES = {"301": "代表取締役", "302": "代表取締役", "305": "代表社員", "303": "代表社員", "304": "代表社員"}


@app.command("apply-prime")
def apply_prime(
    *,
    corporate_number: str = typer.Option(..., help="法人番号 of a corporation that is not closed."),
    login_id: str = typer.Option(..., help="The prime account's login id (an e-mail address)."),
    name: str = typer.Option(..., help="The prime account holder's display name."),
    card_file: Path = typer.Option(
        ..., "--card", exists=True, dir_okay=False, help="The representative's virtual My Number Card."
    ),
    sign_pin: str = typer.Option(..., prompt="署名用 PIN", hide_input=True),
    password: str = typer.Option(
        ..., prompt="Password of the new account (12+ characters)", hide_input=True, confirmation_prompt=True
    ),
) -> None:
    """gビズID プライム申請: the representative signs the application with the 署名用 certificate."""
    with errors_as_messages():
        config = settings()
        card = VirtualCard.load(card_file)
        document = business.application_document(corporate_number, login_id, name)
        try:
            signature = card.sign("signature", sign_pin, document)
        finally:
            card.save(card_file)
        database = open_database(config)
        with database.session() as db:
            enrolment = business.create_prime(
                db,
                config.resolved_secret_key(),
                corporate_number=corporate_number,
                login_id=login_id,
                display_name=name,
                password=password,
                signature=signature,
                certificate_pem=card.certificate_pem("signature"),
            )
        out.print(f"prime account {enrolment.account.login_id} created for {corporate_number}")
        out.print(f"TOTP secret (enrol it in an authenticator app now): {enrolment.totp_secret}")
        out.print(enrolment.provisioning_uri, soft_wrap=True)
        out.print("log in at /business/login; create member accounts there")


@app.command("sign-application")
def sign_application(
    document_file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="The application downloaded from /business/apply."
    ),
    card_file: Path = typer.Option(
        ..., "--card", exists=True, dir_okay=False, help="The representative's virtual My Number Card."
    ),
    sign_pin: str = typer.Option(..., prompt="署名用 PIN", hide_input=True),
    output: Path | None = typer.Option(
        None,
        "--out",
        dir_okay=False,
        help="Where to write the signed application (default: next to the document, .signed.json).",
    ),
) -> None:
    """The card app: sign a prime application from the web with the 署名用 certificate, for upload."""
    with errors_as_messages():
        document = document_file.read_bytes()
        corporate_number, login_id, name = business.read_document(document)
        out.print(f"申請内容: 法人番号 {corporate_number} / ログインID {login_id} / 氏名 {name}")
        card = VirtualCard.load(card_file)
        try:
            signature = card.sign("signature", sign_pin, document)
        finally:
            card.save(card_file)
        signed = business.SignedApplication(
            corporate_number=corporate_number,
            login_id=login_id,
            display_name=name,
            signature=signature,
            certificate_pem=card.certificate_pem("signature"),
        )
        target = output or document_file.with_name(document_file.stem + ".signed.json")
        target.write_text(signed.as_json(), encoding="utf-8")
        out.print(f"signed; upload {target} on the application page")


@app.command("sign-delegation")
def sign_delegation(
    *,
    corporate_number: str = typer.Option(..., help="法人番号 of the corporation you represent."),
    delegate_name: str = typer.Option(..., help="氏名 of the person you authorize (as on their card)."),
    delegate_address: str = typer.Option(..., help="住所 of the person you authorize (as on their card)."),
    expires_on: str = typer.Option(..., help="有効期限 of the delegation (YYYY-MM-DD)."),
    card_file: Path = typer.Option(
        ..., "--card", exists=True, dir_okay=False, help="The representative's virtual My Number Card."
    ),
    sign_pin: str = typer.Option(..., prompt="署名用 PIN", hide_input=True),
    output: Path = typer.Option(
        Path("prime.delegation.json"), "--out", dir_okay=False, help="Where to write the signed delegation."
    ),
) -> None:
    """電子委任状: a representative authorizes someone else to apply for the prime account."""
    with errors_as_messages():
        try:
            until = date.fromisoformat(expires_on)
        except ValueError:
            raise ValidationFailed(f"--expires-on is a date (YYYY-MM-DD), got {expires_on!r}") from None
        document = business.delegation_document(corporate_number, delegate_name, delegate_address, until)
        card = VirtualCard.load(card_file)
        try:
            signature = card.sign("signature", sign_pin, document)
        finally:
            card.save(card_file)
        signed = business.SignedDelegation(
            corporate_number=corporate_number,
            delegate_name=delegate_name,
            delegate_address=delegate_address,
            expires_on=until,
            signature=signature,
            certificate_pem=card.certificate_pem("signature"),
        )
        output.write_text(signed.as_json(), encoding="utf-8")
        out.print(f"signed; the delegate uploads {output} with their signed application (until {until})")


@app.command("add-representative")
def add_representative(
    *,
    corporate_number: str = typer.Option(..., help="法人番号 of the corporation."),
    name: str | None = typer.Option(None, help="氏名 as the 登記事項証明書 writes it."),
    address: str | None = typer.Option(None, help="住所 as the 登記事項証明書 writes it."),
    resident: str | None = typer.Option(
        None, help="(Demo) take name and address from this synthetic resident's 住民票 instead."
    ),
    title: str = typer.Option("代表取締役", help="肩書 (代表取締役, 代表理事, 代表社員…)."),
    source: str = typer.Option(..., help="What was checked, e.g. '登記事項証明書（令和8年12月1日発行）'."),
    recorded_by: str = typer.Option(..., help="Who checked it (staff login id)."),
) -> None:
    """代表者確認記録: record a corporation's representative from its commercial registration."""
    with errors_as_messages():
        database = open_database(settings())
        with database.session() as db:
            if resident:
                person = residents.get_resident(db, resident)
                if person is None:
                    raise ValidationFailed(f"no resident with id {resident}")
                name, address = person.name.full, person.address.label()
            if not name or not address:
                raise ValidationFailed("give --name and --address (or --resident)")
            record = business.record_representative(
                db,
                corporate_number=corporate_number,
                name=name,
                address=address,
                title=title,
                source=source,
                recorded_by=recorded_by,
            )
        out.print(f"recorded #{record.id}: {record.title} {record.name} of {record.corporate_number}")


@app.command("representatives")
def list_representatives(corporate_number: str = typer.Argument(..., help="法人番号.")) -> None:
    """The corporation's current representatives on record."""
    with errors_as_messages():
        database = open_database(settings())
        with database.session() as db:
            found = business.representatives_of(db, corporate_number)
        table = Table(title=f"representatives of {corporate_number}")
        for column in ("#", "title", "name", "address", "source", "recorded"):
            table.add_column(column, overflow="fold")
        for r in found:
            table.add_row(
                str(r.id),
                r.title,
                r.name,
                r.address,
                r.source,
                f"{r.recorded_at.astimezone(clock.JST):%Y-%m-%d %H:%M} JST by {r.recorded_by}",
            )
        out.print(table if found else "no current representative is on record")


@app.command("end-representative")
def end_representative(representative_id: int = typer.Argument(..., help="# of the record.")) -> None:
    """退任: the person no longer represents the corporation (the record is kept, ended)."""
    with errors_as_messages():
        database = open_database(settings())
        with database.session() as db:
            record = business.end_representative(db, representative_id)
        out.print(f"ended #{record.id}: {record.name} of {record.corporate_number}")


def seed_representatives(
    database: Database, options: SeedOptions, only_if_empty: bool, progress: ProgressReporter
) -> None:
    """(Demo) the commercial registry's 登記事項 of the synthetic companies; the first ones are
    represented by synthetic adult residents of the demo municipalities (written to var/identity/
    so that a demo user can issue their card and open the prime account)."""
    lines = []
    with database.session() as db:
        companies, _total = corporations.search(db, closed=False, limit=DEMO_CORPORATIONS)
        chosen = {}
        for company, person in zip(companies, _demo_adults(db, len(companies)), strict=False):
            if corporations.has_registration(db, company.number):
                continue
            chosen[company.number] = (person.name.full, person.address.label())
            title = TITLES.get(company.kind, "代表者")
            lines.append("\t".join((company.number, company.name, title, person.name.full, person.id)))
        corporations.seed_commercial(db, options.seed, representatives=chosen, progress=progress)
        # the 法務局 answers corporate data on the mesh (basic information and 登記事項)
        config = settings()
        corporate.register(db, config.resolved_secret_key(), lambda code: endpoint_of(config.base_url, code))
    if not lines:
        return
    path = settings().data_dir / "identity" / DEMO_REPRESENTATIVES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "corporate number\tname\ttitle\trepresentative\tresident id\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    out.print(
        f"demo representatives of {len(lines)} corporations: {path} "
        "(issue the representative's card, then apply at /business/apply)"
    )


def _demo_adults(db: Session, count: int) -> list[residents.ResidentRecord]:
    """Adults of the demo municipalities, from the middle of the kana order (tests use both ends)."""
    today = clock.today_jst().date()
    found: list[residents.ResidentRecord] = []
    for city in DEMO_MUNICIPALITIES:
        page, _total = residents.find_residents(db, city, residents.SearchQuery(), limit=200, offset=10)
        found += [p for p in page if today.year - p.birth_date.year >= 25]
    return found[:count]
