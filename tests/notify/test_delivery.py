"""お知らせ beyond the inbox: e-mail through a real SMTP server in its own process (aiosmtpd), SMS
through the test provider, a private app's webhook over HTTP; only a link leaves the platform by
e-mail and SMS; bounces, retries with backoff and the hourly limit; nothing is sent twice."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import uuid
from collections.abc import Iterator
from datetime import timedelta
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest
from sqlalchemy import select, update
from tests.notify.conftest import MailHost, free_port

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.notify import channels, dispatch, service
from tsunagu.notify.models import NotifyChannel, NotifyConfirmation, NotifyDelivery, NotifyTestSms
from tsunagu.notify.senders import SmtpSender, TestSmsProvider, WebhookSender

PERSON = "resident-1"
LINKS = dispatch.Links("http://127.0.0.1:8000")
SECRET_TITLE = "児童手当認定通知書（佐藤 陽菜さん）"


def _name(code: str, locale: str) -> str:
    return {"131016": ("千代田区", "Chiyoda City")}[code][locale == "en"]


def _deliver(database: Database, title: str = SECRET_TITLE, kind: str = "notice") -> int:
    with database.session() as db:
        return service.deliver(
            db,
            PERSON,
            sender="131016",
            kind=kind,
            title=title,  # type: ignore[arg-type]
            body="佐藤 花子 様\n児童手当の額は月額15,000円です。",
        ).id


def _channel(database: Database, kind: str, address: str, **options: Any) -> channels.Channel:
    with database.session() as db:
        return channels.add_channel(db, PERSON, kind, address, **options)


def _link_token(message: Any) -> str:
    text = message.get_payload(decode=True).decode()
    found = re.search(r"/notify/preferences/confirm\?token=([A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


def _confirmed_email(
    database: Database, mail_host: MailHost, address: str, **options: Any
) -> channels.Channel:
    """An e-mail channel confirmed as a person does: the link of the mail the SMTP server received."""
    channel = _channel(database, "email", address, **options)
    assert channel.status == "unconfirmed"
    _run(database, mail_host.port)
    (mail,) = [m for m in mail_host.messages() if m["To"] == address]
    with database.session() as db:
        return channels.confirm(db, _link_token(mail))


def confirmed_sms(database: Database, number: str, **options: Any) -> channels.Channel:
    """An SMS number confirmed as a person does: the code the test SMS provider delivered, typed in."""
    channel = _channel(database, "sms", number, **options)
    assert channel.status == "unconfirmed"
    dispatch.run_once(database, {"sms": TestSmsProvider(database)}, _name, LINKS)
    with database.session() as db:
        text = db.scalars(select(NotifyTestSms.body).order_by(NotifyTestSms.id.desc())).first()
        code = re.search(r"確認コード (\d{6})", text or "")
        assert code, text
        checked = channels.confirm_code(db, PERSON, channel.id, code.group(1))
    assert checked.channel is not None and checked.channel.status == "active"
    return checked.channel


def _deliveries(database: Database) -> list[NotifyDelivery]:
    with database.session() as db:
        rows = list(db.scalars(select(NotifyDelivery).order_by(NotifyDelivery.id)))
        db.expunge_all()
        return rows


def _run(database: Database, mail_port: int) -> dispatch.Report:
    senders = {
        "email": SmtpSender("127.0.0.1", mail_port, "noreply@tsunagu.example", timeout=5),
        "sms": TestSmsProvider(database),
        "webhook": WebhookSender(),
    }
    return dispatch.run_once(database, senders, _name, LINKS)


def _subject(message: Any) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_an_email_reaches_the_smtp_server_with_only_a_link(
    database: Database, mail_host: MailHost, fixed_clock: clock.FixedClock
) -> None:
    address = f"hanako.{uuid.uuid4().hex[:8]}@example.jp"  # the mail host serves every test
    _confirmed_email(database, mail_host, address)
    message_id = _deliver(database)
    before = len(mail_host.messages())
    assert _run(database, mail_host.port).sent == 1
    received = [m for m in mail_host.messages() if m["To"] == address and "確認" not in _subject(m)]
    assert len(mail_host.messages()) == before + 1 and len(received) == 1
    text = received[0].get_payload(decode=True).decode()
    assert _subject(received[0]) == "千代田区からのお知らせ"
    assert f"http://127.0.0.1:8000/inbox/{message_id}" in text and "/notify/preferences" in text
    for personal in ("佐藤", "陽菜", "児童手当", "15,000"):  # nothing of the message itself
        assert personal not in text and personal not in _subject(received[0])
    assert _deliveries(database)[0].status == "sent"
    assert _run(database, mail_host.port).handled == 0  # never twice


def test_english_channels_get_the_english_template(
    database: Database, mail_host: MailHost, fixed_clock: clock.FixedClock
) -> None:
    address = f"reader.{uuid.uuid4().hex[:8]}@example.jp"
    _confirmed_email(database, mail_host, address, locale="en")
    _deliver(database)
    _run(database, mail_host.port)
    subjects = sorted(_subject(m) for m in mail_host.messages() if m["To"] == address)
    assert subjects == ["A message from Chiyoda City", "[Tsunagu] Please confirm your e-mail address"]


def test_an_unconfirmed_address_gets_only_the_confirmation_mail(
    database: Database, mail_host: MailHost, fixed_clock: clock.FixedClock
) -> None:
    address = f"new.{uuid.uuid4().hex[:8]}@example.jp"
    _channel(database, "email", address)
    _deliver(database)
    assert _deliveries(database) == []  # nothing is queued for an address not confirmed
    assert _run(database, mail_host.port).sent == 1
    (mail,) = [m for m in mail_host.messages() if m["To"] == address]
    text = mail.get_payload(decode=True).decode()
    assert _subject(mail) == "【つなぐ】メールアドレスの確認のお願い" and "48時間以内" in text
    for personal in ("佐藤", "児童手当", "千代田区"):
        assert personal not in text
    assert _run(database, mail_host.port).handled == 0  # one confirmation mail, not one per pass
    token = _link_token(mail)
    with database.session() as db:
        assert channels.confirm(db, token).status == "active"
    with database.session() as db, pytest.raises(channels.ConfirmationInvalid):
        channels.confirm(db, token)  # a link works once
    _deliver(database)
    assert _run(database, mail_host.port).sent == 1  # from now on, お知らせ go there


def test_a_confirmation_link_expires_and_can_be_sent_again_a_few_times(
    database: Database, mail_host: MailHost, fixed_clock: clock.FixedClock
) -> None:
    address = f"late.{uuid.uuid4().hex[:8]}@example.jp"
    channel = _channel(database, "email", address)
    _run(database, mail_host.port)
    (first,) = [m for m in mail_host.messages() if m["To"] == address]
    fixed_clock.advance(channels.CONFIRM_VALID + timedelta(seconds=1))
    with database.session() as db, pytest.raises(channels.ConfirmationInvalid):
        channels.confirm(db, _link_token(first))
    for _ in range(channels.CONFIRMATIONS_PER_HOUR - 1):  # the first was sent more than an hour ago
        with database.session() as db:
            channels.resend_confirmation(db, PERSON, channel.id)
    with database.session() as db:
        channels.resend_confirmation(db, PERSON, channel.id)
    with database.session() as db, pytest.raises(channels.ConfirmationTooOften):
        channels.resend_confirmation(db, PERSON, channel.id)
    assert _run(database, mail_host.port).sent == 1  # only the newest link goes out
    links = [_link_token(m) for m in mail_host.messages() if m["To"] == address]
    assert len(links) == 2
    with database.session() as db:
        assert [channels.confirmation_channel(db, t).id for t in links if t != _link_token(first)] == [
            channel.id
        ]


def test_a_bounce_ends_the_delivery_stops_the_address_and_tells_the_person(
    database: Database, mail_host: MailHost, fixed_clock: clock.FixedClock
) -> None:
    channel = _channel(database, "email", "nobody@example.jp")
    report = _run(database, mail_host.port)  # the confirmation mail already bounces
    assert report.failed == 1
    with database.session() as db:
        assert channels.channels_of(db, PERSON)[0].status == "bouncing"
        (told,) = service.inbox(db, PERSON)[0]
    assert told.title == dispatch.BOUNCED_TITLE and told.link == "/notify/preferences"
    _deliver(database)
    assert _deliveries(database) == []  # nothing is queued for a bouncing address
    with database.session() as db:  # a mailbox that existed when confirmed and was closed since
        row = db.get(NotifyChannel, channel.id)
        assert row is not None
        row.status = "active"
    _deliver(database)
    assert _run(database, mail_host.port).failed == 1
    delivery = _deliveries(database)[0]
    assert delivery.status == "bounced" and delivery.last_error.startswith("SMTP 550")
    with database.session() as db:
        assert channels.channels_of(db, PERSON)[0].status == "bouncing"
        assert len(service.inbox(db, PERSON)[0]) == 4  # two お知らせ and two bounce notices, each once
    assert _run(database, mail_host.port).handled == 0


def test_a_server_that_is_down_is_retried_with_backoff_then_given_up(
    database: Database, fixed_clock: clock.FixedClock
) -> None:
    channel = _channel(database, "email", "hanako@example.jp")
    with database.session() as db:  # confirmed earlier; the SMTP relay is down now
        row = db.get(NotifyChannel, channel.id)
        assert row is not None
        row.status = "active"
        db.execute(update(NotifyConfirmation).values(status="sent"))
    _deliver(database)
    down = free_port()
    waits = []
    for attempt in range(1, dispatch.MAX_ATTEMPTS + 1):
        report = _run(database, down)
        delivery = _deliveries(database)[0]
        assert delivery.attempts == attempt
        if attempt < dispatch.MAX_ATTEMPTS:
            assert report.retried == 1 and delivery.status == "pending"
            waits.append(delivery.next_attempt_at - clock.now())
            assert _run(database, down).handled == 0  # not before its time
            fixed_clock.advance(waits[-1])
    assert waits[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert _deliveries(database)[0].status == "failed"


def test_sms_goes_through_the_test_provider_as_a_short_text(
    database: Database, fixed_clock: clock.FixedClock
) -> None:
    confirmed_sms(database, "090-1234-5678")
    message_id = _deliver(database)
    assert _run(database, free_port()).sent == 1
    with database.session() as db:
        code, sms = db.scalars(select(NotifyTestSms).order_by(NotifyTestSms.id)).all()
    assert "確認コード" in code.body and "佐藤" not in code.body  # the confirmation first
    assert sms.to == "+819012345678" and sms.segments == 1 and len(sms.body) <= 70
    assert f"/inbox/{message_id}" in sms.body and "佐藤" not in sms.body and "児童手当" not in sms.body


def test_channel_addresses_are_checked(database: Database) -> None:
    with database.session() as db:
        for kind, address in (
            ("sms", "03-1234-5678"),
            ("email", "hanako@"),
            ("webhook", "http://app.example/"),
        ):
            with pytest.raises(ValidationFailed) as refused:
                channels.add_channel(db, PERSON, kind, address, label="x", consent=True)
            assert refused.value.errors[0]["location"] == ["body", "address"]
        with pytest.raises(ValidationFailed) as refused:
            channels.add_channel(db, PERSON, "webhook", "https://app.example/hook", label="家計簿アプリ")
        assert refused.value.errors[0]["location"] == ["body", "consent"]


def test_an_hourly_limit_per_channel_defers_and_drops_nothing(
    database: Database, fixed_clock: clock.FixedClock
) -> None:
    confirmed_sms(database, "08012345678", kinds=["status"])
    fixed_clock.advance(timedelta(seconds=2))  # the code's SMS counts in the provider's per-second limit
    for number in range(dispatch.PER_HOUR + 2):
        _deliver(database, title=f"受付 {number}", kind="status")
    report = _run(database, free_port())
    assert (report.sent, report.deferred) == (dispatch.PER_HOUR, 2)
    fixed_clock.advance(timedelta(hours=1, seconds=1))
    assert _run(database, free_port()).sent == 2


def test_only_the_kinds_chosen_go_out(database: Database, fixed_clock: clock.FixedClock) -> None:
    _channel(database, "sms", "07012345678")  # default: notices, documents, info; no status
    _deliver(database, kind="status")
    assert _deliveries(database) == []


class _App(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, Any], str]]] = []
    answer = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _App.received.append((json.loads(body), self.headers["Tsunagu-Signature"] + "|" + body.decode()))
        self.send_response(_App.answer)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        return


@pytest.fixture
def app_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _App)
    _App.received, _App.answer = [], 200
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsunagu"
    server.shutdown()


def test_a_consented_app_gets_a_signed_summary(
    database: Database, app_server: str, fixed_clock: clock.FixedClock
) -> None:
    channel = _channel(database, "webhook", app_server, label="家計簿アプリ", consent=True)
    message_id = _deliver(database)
    assert _run(database, free_port()).sent == 1
    ((payload, signed),) = _App.received
    assert payload["message_id"] == message_id and payload["sender_name"] == "千代田区"
    assert payload["title"] == SECRET_TITLE and "body" not in payload  # what was consented to
    with database.session() as db:
        secret = channels.webhook_secret(db, PERSON, channel.id)
    header, _, body = signed.partition("|")
    stamp, mac = (part.split("=", 1)[1] for part in header.split(","))
    assert mac == hmac.new(secret.encode(), f"{stamp}.{body}".encode(), hashlib.sha256).hexdigest()


def test_an_app_that_refuses_is_not_retried_and_one_that_fails_is(
    database: Database, app_server: str, fixed_clock: clock.FixedClock
) -> None:
    _channel(database, "webhook", app_server, label="家計簿アプリ", consent=True)
    _App.answer = 503
    _deliver(database)
    assert _run(database, free_port()).retried == 1
    _App.answer = 410
    fixed_clock.advance(timedelta(seconds=31))
    assert _run(database, free_port()).failed == 1
    assert _deliveries(database)[0].status == "bounced"


def test_removing_a_channel_cancels_what_waits_for_it(
    database: Database, fixed_clock: clock.FixedClock
) -> None:
    channel = confirmed_sms(database, "09012345678")
    _deliver(database)
    with database.session() as db:
        channels.remove_channel(db, PERSON, channel.id)
    assert _deliveries(database)[0].status == "cancelled"
    assert _run(database, free_port()).handled == 0


def test_a_batch_of_messages_queues_only_for_people_with_channels(
    database: Database, fixed_clock: clock.FixedClock
) -> None:
    confirmed_sms(database, "09012345678", kinds=["status"])
    with database.session() as db:
        service.deliver_all(
            db.connection(),
            [
                service.Outgoing(PERSON, "131016", "status", "受付", "本文"),
                service.Outgoing("resident-2", "131016", "status", "受付", "本文"),
            ],
        )
    rows = _deliveries(database)
    assert [r.recipient_id for r in rows] == [PERSON]
    with database.session() as db:
        assert service.unread_count(db, "resident-2") == 1
