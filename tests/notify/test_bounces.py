"""Bounces that arrive later (DSN, RFC 3464): an e-mail the local SMTP server (aiosmtpd, its own
process) accepted bounces afterwards; the report — in the layouts of RFC 3464's Appendix C.1 and of
Postfix's bounce daemon (tests/notify/dsn) — is mailed to the bounce mailbox through the same SMTP
server, read from there, and stops the address: the delivery is marked bounced, the person is told
in the inbox and sees it on the preference page in Japanese, and nothing more is sent there. A
"delayed" warning changes nothing; a report read twice changes nothing more; anything that is not
a report is refused with a clear message."""

from __future__ import annotations

import smtplib
import uuid
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import login_as
from tests.notify.conftest import MailHost
from tests.notify.test_delivery import PERSON, _confirmed_email, _deliver, _deliveries, _run
from typer.testing import CliRunner

from tsunagu.cli.main import app as cli
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.core.settings import get_settings
from tsunagu.notify import bounces
from tsunagu.notify.models import NotifyChannel, NotifyMessage

DSN = Path(__file__).parent / "dsn"


def _report(name: str, recipient: str, message_id: str = "<none@tsunagu.example>") -> bytes:
    text = (DSN / name).read_text(encoding="utf-8")
    return text.replace("{recipient}", recipient).replace("{message_id}", message_id).encode()


def test_the_published_layouts_are_read() -> None:
    simple = bounces.parse(_report("rfc3464-c1-simple.eml", "Louis@example.jp", "<a1@tsunagu.example>"))
    assert [(f.recipient, f.status) for f in simple.failures] == [("Louis@example.jp", "4.0.0")]
    assert simple.message_id == "<a1@tsunagu.example>"  # from the returned message/rfc822
    postfix = bounces.parse(_report("postfix-user-unknown.eml", "taro@example.jp", "<b2@tsunagu.example>"))
    (failure,) = postfix.failures
    assert (failure.recipient, failure.status, postfix.message_id) == (
        "taro@example.jp",
        "5.1.1",
        "<b2@tsunagu.example>",  # from the text/rfc822-headers
    )
    assert "User unknown" in failure.diagnostic
    delayed = bounces.parse(_report("postfix-delayed.eml", "taro@example.jp"))
    assert delayed.failures == () and delayed.others == ("delayed",)
    for not_a_report in (
        b"From: someone@example.jp\r\nSubject: hello\r\n\r\nhi",
        _report("postfix-user-unknown.eml", "x@example.jp").replace(
            b"delivery-status;", b"disposition-notification;"
        ),
    ):
        with pytest.raises(bounces.NotADeliveryReport):
            bounces.parse(not_a_report)


def _mail_to_bounce_mailbox(mail_host: MailHost, raw: bytes) -> None:
    """The receiving MTA returns the report to the envelope sender, here the local SMTP server."""
    with smtplib.SMTP("127.0.0.1", mail_host.port, timeout=5) as smtp:
        smtp.sendmail("", ["bounces@tsunagu.example"], raw.replace(b"\n", b"\r\n"))  # SMTP lines end CRLF


def test_a_later_bounce_stops_the_address_and_tells_the_person(
    app: FastAPI, database: Database, mail_host: MailHost, fixed_clock: clock.FixedClock
) -> None:
    address = f"gone.{uuid.uuid4().hex[:8]}@example.jp"
    channel = _confirmed_email(database, mail_host, address)
    _deliver(database)
    assert _run(database, mail_host.port).sent == 1  # the SMTP server took it
    (sent,) = _deliveries(database)
    assert sent.status == "sent" and sent.reference.startswith("<")

    _mail_to_bounce_mailbox(mail_host, _report("postfix-delayed.eml", address, sent.reference))
    first = bounces.read_mailbox(database, mail_host.maildir)
    assert first.reports == 1 and first.outcome.channels_stopped == []  # only a warning
    assert _deliveries(database)[0].status == "sent"

    _mail_to_bounce_mailbox(mail_host, _report("postfix-user-unknown.eml", address, sent.reference))
    run = bounces.read_mailbox(database, mail_host.maildir)
    assert run.reports == 1 and run.outcome.channels_stopped == [channel.id]
    assert run.outcome.deliveries_bounced == [sent.id]
    (bounced,) = _deliveries(database)
    assert bounced.status == "bounced" and "5.1.1" in bounced.last_error
    with database.session() as db:
        stored = db.get(NotifyChannel, channel.id)
        assert stored is not None and stored.status == "bouncing"
        told = db.scalars(select(NotifyMessage).where(NotifyMessage.recipient_id == PERSON)).all()
        assert [m.title for m in told if m.link == "/notify/preferences"] == [
            "登録したメールアドレス・電話番号にお知らせが届きませんでした"
        ]
        again = bounces.apply(db, bounces.parse(_report("postfix-user-unknown.eml", address, sent.reference)))
    assert again.channels_stopped == [] and again.deliveries_bounced == []  # read twice: nothing more
    assert bounces.read_mailbox(database, mail_host.maildir).reports == 0  # the mailbox was emptied

    _deliver(database)  # the inbox only from now on
    assert _run(database, mail_host.port).sent == 0
    assert [d.status for d in _deliveries(database)] == ["bounced"]
    with TestClient(app) as client:
        login_as(client, database, Principal(kind="resident", subject_id=PERSON, display_name="佐藤 花子"))
        page = client.get("/notify/preferences").text
    assert "このあて先には届きませんでした。送信を止めています。" in page


def test_the_command_reads_a_report_and_refuses_anything_else(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = f"cli.{uuid.uuid4().hex[:8]}@example.jp"
    with database.session() as db:
        db.add(
            NotifyChannel(
                recipient_id=PERSON,
                kind="email",
                address=address,
                kinds=[],
                status="active",
                consented_at=clock.now(),
                created_at=clock.now(),
            )
        )
    report, other = tmp_path / "bounce.eml", tmp_path / "hello.eml"
    report.write_bytes(_report("rfc3464-c1-simple.eml", address.upper()))  # addresses compare caselessly
    other.write_bytes(b"From: someone@example.jp\r\nSubject: hello\r\n\r\nhi")
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", database.url)
    monkeypatch.setenv("TSUNAGU_SECRET_KEY", "notify-test-secret-not-for-production")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        done = runner.invoke(cli, ["notify", "bounces", str(report)])
        refused = runner.invoke(cli, ["notify", "bounces", str(other)])
        neither = runner.invoke(cli, ["notify", "bounces"])
    finally:
        get_settings.cache_clear()
    assert done.exit_code == 0 and "addresses stopped 1" in done.output, done.output
    assert refused.exit_code != 0 and "delivery status notification" in refused.output
    assert neither.exit_code != 0
    with database.session() as db:
        assert (
            db.scalars(select(NotifyChannel.status).where(NotifyChannel.address == address)).one()
            == "bouncing"
        )
