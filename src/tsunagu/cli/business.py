"""``tsunagu business``: GビズID-style business accounts from the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from tsunagu.cli.console import errors_as_messages, open_database, out, settings
from tsunagu.identity.business import service as business
from tsunagu.identity.cards.virtualcard import VirtualCard

app = typer.Typer(help="Business accounts (gBizID-style): apply for a prime account.",
                  no_args_is_help=True)


@app.command("apply-prime")
def apply_prime(
    *,
    corporate_number: str = typer.Option(..., help="法人番号 of a corporation that is not closed."),
    login_id: str = typer.Option(..., help="The prime account's login id (an e-mail address)."),
    name: str = typer.Option(..., help="The prime account holder's display name."),
    card_file: Path = typer.Option(..., "--card", exists=True, dir_okay=False,
                                   help="The representative's virtual My Number Card."),
    sign_pin: str = typer.Option(..., prompt="署名用 PIN", hide_input=True),
    password: str = typer.Option(..., prompt="Password of the new account (12+ characters)",
                                 hide_input=True, confirmation_prompt=True),
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
                db, config.resolved_secret_key(), corporate_number=corporate_number, login_id=login_id,
                display_name=name, password=password, signature=signature,
                certificate_pem=card.certificate_pem("signature"))
        out.print(f"prime account {enrolment.account.login_id} created for {corporate_number}")
        out.print(f"TOTP secret (enrol it in an authenticator app now): {enrolment.totp_secret}")
        out.print(enrolment.provisioning_uri, soft_wrap=True)
        out.print("log in at /business/login; create member accounts there")
