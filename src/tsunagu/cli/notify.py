"""``tsunagu notify``: send お知らせ to people's e-mail, SMS and app channels."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import typer

from tsunagu.cli.console import errors_as_messages, open_database, out, settings
from tsunagu.core.database import Database

app = typer.Typer(
    help="お知らせ: push-type notices from registry events, and delivery to e-mail "
    "(TSUNAGU_SMTP_HOST), SMS and apps.",
    no_args_is_help=True,
)


def sender_names(database: Database) -> Callable[[str, str], str]:
    """An organization's name in a channel's language (as the pages show it)."""
    from tsunagu.web.names import AppNames

    names = AppNames(database)
    return lambda code, locale: names.organization(code, "en" if locale == "en" else "ja")


@app.command()
def deliver(
    once: bool = typer.Option(False, "--once", help="One pass, then exit."),
    interval: float = typer.Option(2.0, min=0.1, help="Seconds between passes."),
) -> None:
    """Send due deliveries: retries with backoff (30 s doubling, up to 8 attempts), at most 10 an
    hour per channel; a bounce stops the address. E-mails wait while no SMTP host is configured."""
    from tsunagu.notify import dispatch, wiring

    with errors_as_messages():
        config = settings()
        database = open_database(config)
        senders, names = wiring.senders_for(config, database), sender_names(database)
        if "email" not in senders:
            out.print("no TSUNAGU_SMTP_HOST: e-mails wait in the queue")
        while True:
            report = dispatch.run_once(database, senders, names, dispatch.Links(config.base_url))
            if report.handled or once:
                out.print(
                    f"sent {report.sent}, retrying {report.retried}, failed {report.failed}, "
                    f"deferred {report.deferred}"
                )
            if once:
                return
            time.sleep(interval)


@app.command()
def push(
    once: bool = typer.Option(False, "--once", help="One pass, then exit."),
    interval: float = typer.Option(5.0, min=0.1, help="Seconds between passes."),
) -> None:
    """プッシュ型のお知らせ: read the registry's change events and fire the push rules
    (procedures/push/rules) — once per person and event, only to those eligible."""
    from tsunagu.procedures.push import service as push_rules

    with errors_as_messages():
        database = open_database(settings())
        rules = push_rules.load_rules()
        while True:
            report = push_rules.run_pass(database, rules)
            if report.events or once:
                out.print(
                    f"events {report.events}, notified {report.notified}, "
                    f"not eligible {report.not_eligible}, declined {report.declined}, "
                    f"past the deadline {report.too_late}, "
                    f"withdrawn {report.withdrawn}"
                )
            if once:
                return
            time.sleep(interval)


@app.command()
def bounces(
    message: typer.FileBinaryRead | None = typer.Argument(
        None, help="One bounce as received (RFC 5322); - reads stdin."
    ),
    maildir: Path | None = typer.Option(
        None, "--maildir", help="The bounce mailbox (Maildir): every report in it is processed and removed."
    ),
) -> None:
    """Bounces that came back later (DSN, RFC 3464): the failed addresses stop getting e-mail, the
    delivery each answers is marked bounced, and the person is told in the inbox."""
    from tsunagu.notify import bounces as dsn

    with errors_as_messages():
        if (message is None) == (maildir is None):
            raise typer.BadParameter("give one bounce message or --maildir")
        database = open_database(settings())
        if maildir is not None:
            run = dsn.read_mailbox(database, maildir)
            outcome, head = run.outcome, f"reports {run.reports}, other messages left {run.not_reports}, "
        else:
            assert message is not None
            report = dsn.parse(message.read())
            with database.session() as db:
                outcome = dsn.apply(db, report)
            head = f"not failures: {', '.join(report.others)}, " if report.others else ""
        out.print(
            f"{head}failed recipients {outcome.failures}, addresses stopped {len(outcome.channels_stopped)}, "
            f"deliveries marked bounced {len(outcome.deliveries_bounced)}"
        )
