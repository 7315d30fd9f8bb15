"""``tsunagu identity`` (CA, organizations, staff) and ``tsunagu card`` (the virtual card app)."""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import httpx
import typer
from rich.table import Table

from tsunagu.cli.console import errors_as_messages, open_database, out, settings
from tsunagu.core.database import Database
from tsunagu.core.errors import TsunaguError, ValidationFailed
from tsunagu.core.progress import ProgressReporter
from tsunagu.identity.cards import ca as card_ca
from tsunagu.identity.cards import service as cards
from tsunagu.identity.cards.virtualcard import VirtualCard
from tsunagu.identity.organizations import service as organizations
from tsunagu.identity.staff import service as staff

if TYPE_CHECKING:
    from tsunagu.cli.seed_options import SeedOptions

identity_app = typer.Typer(
    help="Identity: platform CA, organizations and staff accounts.", no_args_is_help=True
)
card_app = typer.Typer(
    help="The virtual My Number Card: issue, revoke, and the card app.", no_args_is_help=True
)

DEMO_ACCOUNTS_FILE = "demo-staff-accounts.txt"
DEMO_STAFF: tuple[tuple[str, str, str, frozenset[str]], ...] = (
    ("131016", "chiyoda.admin", "千代田 管理者", frozenset({"管理", "閲覧"})),
    ("131016", "chiyoda.clerk", "千代田 住基担当", frozenset({"住基", "審査", "閲覧"})),
    ("131016", "chiyoda.chief", "千代田 課長", frozenset({"決裁", "閲覧"})),
    ("142018", "yokosuka.admin", "横須賀 管理者", frozenset({"管理", "閲覧"})),
    ("142018", "yokosuka.clerk", "横須賀 住基担当", frozenset({"住基", "審査", "閲覧"})),
    # decides what 横須賀市 reviews in two steps (the bid qualification's 資格認定の決裁)
    ("142018", "yokosuka.chief", "横須賀 課長", frozenset({"決裁", "閲覧"})),
    ("digital-agency", "da.admin", "デジタル庁 管理者", frozenset({"管理", "閲覧"})),
    ("digital-agency", "da.oversight", "デジタル庁 統括・監理担当", frozenset({"監査", "閲覧"})),
    ("jpn-pension", "nenkin.reviewer", "年金機構 審査担当", frozenset({"審査", "閲覧"})),
    ("nta-kojimachi", "kojimachi.reviewer", "麹町税務署 審査担当", frozenset({"審査", "閲覧"})),
    ("tsunagu-power", "power.operator", "つなぐ電力 担当", frozenset({"閲覧"})),
)


class CardAppError(TsunaguError):
    code = "card-app"


@identity_app.command("init-ca")
def init_ca(replace: bool = typer.Option(False, help="Replace the CA (old cards stop working).")) -> None:
    """Create the platform test CA under <data dir>/identity/ca/ and trust it."""
    with errors_as_messages():
        config = settings()
        authority = card_ca.init_ca(config.data_dir, replace=replace)
        database = open_database(config)
        with database.session() as db:
            cards.install_ca(db, authority)
        subject = authority.certificate.subject.rfc4514_string()
        out.print(f"CA created in {card_ca.ca_dir(config.data_dir)}: {subject}")


@identity_app.command("create-staff")
def create_staff(
    organization: str = typer.Option(..., help="Organization code, e.g. 131016."),
    login_id: str = typer.Option(..., help="Login id (lowercase)."),
    name: str = typer.Option(..., help="Display name."),
    role: list[str] = typer.Option(..., help="Role: 閲覧, 審査, 決裁, 住基 or 管理 (repeatable)."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create a staff account and print its TOTP secret once."""
    with errors_as_messages():
        database = open_database(settings())
        with database.session() as db:
            created = staff.create_staff(
                db, organization, login_id, display_name=name, roles=set(role), password=password
            )
        out.print(f"staff account {created.record.login_id} created for {organization}")
        out.print(f"TOTP secret (enrol it in an authenticator app now): {created.totp_secret}")
        out.print(created.provisioning_uri(), soft_wrap=True)


@identity_app.command("organizations")
def list_organizations() -> None:
    """List the organizations on the platform."""
    with errors_as_messages():
        database = open_database(settings())
        table = Table("code", "name", "English", "kind")
        with database.session() as db:
            for record in organizations.list_organizations(db):
                table.add_row(record.code, record.name_ja, record.name_en, record.kind)
        out.print(table)


@card_app.command("issue")
def issue(
    resident: str = typer.Option(..., help="Resident id."),
    out_file: Path = typer.Option(..., "--out", help="Where to write the card file."),
    auth_pin: str = typer.Option(
        ..., prompt="利用者証明用 PIN (4 digits)", hide_input=True, confirmation_prompt=True
    ),
    sign_pin: str = typer.Option(
        ..., prompt="署名用 PIN (6–16 capitals and digits)", hide_input=True, confirmation_prompt=True
    ),
) -> None:
    """Issue a virtual card to a resident and write the card file."""
    with errors_as_messages():
        config = settings()
        if out_file.exists():
            raise CardAppError(f"{out_file} exists; choose another file")
        authority = card_ca.load_ca(config.data_dir)
        database = open_database(config)
        with database.session() as db:
            issued = cards.issue_card(db, authority, resident, auth_pin, sign_pin)
        issued.file.save(out_file)
        out.print(f"card {issued.record.id} for resident {resident} written to {out_file}")


@card_app.command("revoke")
def revoke(
    card: str = typer.Option(..., help="Card id."),
    reason: str = typer.Option("lost", help="Reason (lost, stolen, returned, ...)."),
) -> None:
    """Revoke both certificates of a card and publish a new CRL."""
    with errors_as_messages():
        config = settings()
        authority = card_ca.load_ca(config.data_dir)
        database = open_database(config)
        with database.session() as db:
            record = cards.revoke_card(db, authority, card, reason)
        out.print(f"card {record.id} revoked at {record.revoked_at:%Y-%m-%d %H:%M:%S} UTC")


def _challenge_from(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if parts.scheme not in ("http", "https") or not query.get("challenge") or not query.get("nonce"):
        raise ValidationFailed("this is not a Tsunagu login URL (it needs challenge= and nonce=)")
    return f"{parts.scheme}://{parts.netloc}", query["challenge"][0], query["nonce"][0]


@card_app.command("login")
def login(
    url: str = typer.Argument(..., help="The URL in the login page's QR code."),
    card_file: Path = typer.Option(..., "--card", exists=True, dir_okay=False, help="Card file."),
    pin: str = typer.Option(..., prompt="利用者証明用 PIN", hide_input=True),
) -> None:
    """Answer a QR login with the card (the smartphone card app, on the command line)."""
    with errors_as_messages():
        base, challenge_id, nonce = _challenge_from(url)
        card = VirtualCard.load(card_file)
        try:
            signature = card.sign_raw("authentication", pin, nonce.encode())
        finally:
            card.save(card_file)
        body = {
            "challenge_id": challenge_id,
            "nonce": nonce,
            "certificate": card.certificate_pem("authentication").decode(),
            "signature": base64.urlsafe_b64encode(signature).decode().rstrip("="),
        }
        try:
            response = httpx.post(f"{base}/api/v1/identity/card-login/respond", json=body, timeout=15)
        except httpx.HTTPError as exc:
            raise CardAppError(f"cannot reach {base}: {exc}") from None
        if response.status_code != 200:
            detail = (
                response.json().get("detail", response.text)
                if response.headers.get("content-type", "").endswith("json")
                else response.text
            )
            raise CardAppError(f"login refused ({response.status_code}): {detail}")
        out.print("the card answered; continue on the login page")


@card_app.command("sign")
def sign(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="File to sign."),
    card_file: Path = typer.Option(..., "--card", exists=True, dir_okay=False),
    pin: str = typer.Option(..., prompt="署名用 PIN", hide_input=True),
) -> None:
    """Sign a file with the 署名用 certificate; prints JSON {signature, certificate}."""
    with errors_as_messages():
        card = VirtualCard.load(card_file)
        try:
            signature = card.sign("signature", pin, file.read_bytes())
        finally:
            card.save(card_file)
        out.print_json(
            json.dumps(
                {
                    "signature": base64.b64encode(signature).decode(),
                    "certificate": card.certificate_pem("signature").decode(),
                }
            )
        )


# --- seed steps -------------------------------------------------------------------------------


def seed_organizations(
    database: Database, options: SeedOptions, only_if_empty: bool, progress: ProgressReporter
) -> None:
    progress.start("organizations", len(organizations.DEMO_ORGANIZATIONS))
    with database.session() as db:
        if not (only_if_empty and organizations.count_organizations(db)):
            organizations.seed_demo_organizations(db)
    progress.advance(len(organizations.DEMO_ORGANIZATIONS))


def seed_ca(
    database: Database, options: SeedOptions, only_if_empty: bool, progress: ProgressReporter
) -> None:
    progress.start("platform CA", 1)
    authority = card_ca.ensure_ca(settings().data_dir)
    with database.session() as db:
        cards.install_ca(db, authority)
    progress.advance()


def seed_staff(
    database: Database, options: SeedOptions, only_if_empty: bool, progress: ProgressReporter
) -> None:
    """Demo staff accounts with random passwords, shown once and kept in var/identity/ (0600)."""
    progress.start("demo staff accounts", len(DEMO_STAFF))
    lines = []
    table = Table(title="demo staff accounts (synthetic; log in at /identity/staff/login)")
    for column in ("organization", "login id", "password", "TOTP secret", "roles"):
        table.add_column(column, overflow="fold")  # never cut a credential short
    with database.session() as db:
        if only_if_empty and staff.has_staff(db):
            progress.advance(len(DEMO_STAFF))
            return
        for organization, login_id, name, roles in DEMO_STAFF:
            password = secrets.token_urlsafe(12)
            created = staff.create_staff(
                db, organization, login_id, display_name=name, roles=set(roles), password=password
            )
            fields = (organization, login_id, password, created.totp_secret, "・".join(sorted(roles)))
            lines.append("\t".join(fields))
            table.add_row(*fields)
            progress.advance()
    path = settings().data_dir / "identity" / DEMO_ACCOUNTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "organization\tlogin id\tpassword\tTOTP secret\troles\n" + "\n".join(lines) + "\n", encoding="utf-8"
    )
    path.chmod(0o600)
    out.print(table)
    out.print(f"(kept in {path}; a TOTP code: python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\")")
