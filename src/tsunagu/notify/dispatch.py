"""Delivery of お知らせ to the person's channels: queued with the message, sent by a worker with
retries and backoff, limited per channel, each outcome recorded (送達状況).

A message gets one delivery row per channel that takes its kind (unique: never sent twice). The
worker sends what is due; a refusal that retrying cannot fix (a bounce, a number that is not a
mobile) ends it at once and marks an e-mail address or number as not reachable; other failures
are retried after 30 s, 1, 2, 4… minutes, up to :data:`MAX_ATTEMPTS`. A channel gets at most
:data:`PER_HOUR` messages an hour; the rest wait for the next hour, nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import Session

from tsunagu.core import clock, logging
from tsunagu.core.database import Database
from tsunagu.notify.models import NotifyChannel, NotifyConfirmation, NotifyDelivery, NotifyMessage
from tsunagu.notify.senders import Outbound, Sender, SendFailed

log = logging.get_logger("tsunagu.notify.dispatch")
MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS, LAST_RETRY_SECONDS = 30, 3600
PER_HOUR = 10
# plain-text e-mail and SMS, not HTML: nothing to escape, and the values are names and our own links
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "messages"),
    autoescape=False,  # noqa: S701 - plain text, not HTML
    undefined=StrictUndefined,
)


def recipients_with_channels(connection: Connection, recipients: set[str]) -> set[str]:
    """Which of ``recipients`` have an active channel besides the inbox."""
    if not recipients:
        return set()
    return set(
        connection.execute(
            select(NotifyChannel.recipient_id).where(
                NotifyChannel.recipient_id.in_(recipients), NotifyChannel.status == "active"
            )
        ).scalars()
    )


def enqueue(connection: Connection, messages: Sequence[tuple[int, str, str]]) -> int:
    """Queue deliveries of (message id, recipient, kind) to every active channel taking that kind,
    in the caller's transaction (the delivery exists exactly when the message does)."""
    recipients = {recipient for _id, recipient, _kind in messages}
    if not recipients:
        return 0
    channels = connection.execute(
        select(NotifyChannel.id, NotifyChannel.recipient_id, NotifyChannel.kinds).where(
            NotifyChannel.recipient_id.in_(recipients), NotifyChannel.status == "active"
        )
    ).all()
    if not channels:
        return 0
    now = clock.now()
    rows = [
        {
            "message_id": message_id,
            "channel_id": channel_id,
            "recipient_id": recipient,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": "",
            "reference": "",
            "created_at": now,
            "sent_at": None,
        }
        for message_id, recipient, kind in messages
        for channel_id, owner, kinds in channels
        if owner == recipient and kind in kinds
    ]
    if rows:
        connection.execute(insert(NotifyDelivery), rows)
    return len(rows)


def cancel_pending(db: Session, message_id: int, reason: str) -> None:
    """What still waits to go out for ``message_id`` is not sent."""
    for delivery in db.scalars(
        select(NotifyDelivery).where(
            NotifyDelivery.message_id == message_id, NotifyDelivery.status == "pending"
        )
    ):
        delivery.status, delivery.last_error = "cancelled", reason


def backoff(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LAST_RETRY_SECONDS))


@dataclass(frozen=True)
class Links:
    """Where the texts point: the message in the inbox and the preference page."""

    base_url: str

    def message(self, message_id: int) -> str:
        return f"{self.base_url}/inbox/{message_id}"

    @property
    def preferences(self) -> str:
        return f"{self.base_url}/notify/preferences"

    def confirmation(self, token: str) -> str:
        return f"{self.base_url}/notify/preferences/confirm?token={token}"


def compose(channel: NotifyChannel, message: NotifyMessage, sender_name: str, links: Links) -> Outbound:
    """The text a channel gets: e-mail and SMS only the sender and a link (templates per channel and
    language in ``notify/messages``); an app the consented summary as JSON."""
    values = {"sender": sender_name, "link": links.message(message.id), "preferences": links.preferences}
    if channel.kind == "email":
        rendered = _TEMPLATES.get_template(f"email.{channel.locale}.txt").render(values)
        subject, _, text = rendered.partition("\n")
        return Outbound(channel.address, subject, text.strip() + "\n")
    if channel.kind == "sms":
        text = _TEMPLATES.get_template(f"sms.{channel.locale}.txt").render(values)
        return Outbound(channel.address, "", text)
    return Outbound(
        channel.address,
        "",
        "",
        {
            "type": "tsunagu.notice",
            "message_id": message.id,
            "kind": message.kind,
            "sender": message.sender,
            "sender_name": sender_name,
            "title": message.title,
            "link": values["link"],
            "created_at": message.created_at.isoformat(),
        },
        channel.secret,
    )


def compose_confirmation(channel: NotifyChannel, token: str, links: Links) -> Outbound:
    """The e-mail that asks the owner of an address to confirm it: a link, nothing about the person;
    to a mobile number, the one-time code to type on the preference page."""
    if channel.kind == "sms":
        text = _TEMPLATES.get_template(f"sms-code.{channel.locale}.txt").render({"code": token})
        return Outbound(channel.address, "", text.strip())
    rendered = _TEMPLATES.get_template(f"confirm.{channel.locale}.txt").render(
        {"link": links.confirmation(token), "preferences": links.preferences}
    )
    subject, _, text = rendered.partition("\n")
    return Outbound(channel.address, subject, text.strip() + "\n")


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.deferred


def _sent_in_last_hour(db: Session, channel_id: int, now: datetime) -> list[datetime]:
    return [
        at
        for at in db.scalars(
            select(NotifyDelivery.sent_at).where(
                NotifyDelivery.channel_id == channel_id,
                NotifyDelivery.status == "sent",
                NotifyDelivery.sent_at > now - timedelta(hours=1),
            )
        )
        if at is not None
    ]


def _due(
    database: Database, table: type[NotifyDelivery] | type[NotifyConfirmation], now: datetime, limit: int
) -> list[int]:
    with database.session() as db:
        return list(
            db.scalars(
                select(table.id)
                .where(table.status == "pending", table.next_attempt_at <= now)
                .order_by(table.next_attempt_at, table.id)
                .limit(limit)
            )
        )


def run_once(
    database: Database,
    senders: Mapping[str, Sender],
    sender_name: Callable[[str, str], str],
    links: Links,
    *,
    limit: int = 200,
) -> Report:
    """Send what is due now — address confirmations first, then お知らせ — each in its own
    transaction, locked while it is sent."""
    report, context = Report(), _Context(senders, sender_name, links)
    for confirmation_id in _due(database, NotifyConfirmation, clock.now(), limit):
        with database.session() as db:
            confirmation = db.get(NotifyConfirmation, confirmation_id, with_for_update={"skip_locked": True})
            if confirmation is not None and confirmation.status == "pending":
                _attempt_confirmation(db, confirmation, context, report)
    for delivery_id in _due(database, NotifyDelivery, clock.now(), limit):
        with database.session() as db:
            delivery = db.get(NotifyDelivery, delivery_id, with_for_update={"skip_locked": True})
            if delivery is None or delivery.status != "pending":
                continue  # another worker took it
            _attempt(db, delivery, context, report)
    return report


@dataclass(frozen=True)
class _Context:
    senders: Mapping[str, Sender]
    sender_name: Callable[[str, str], str]
    links: Links


def _attempt(db: Session, delivery: NotifyDelivery, context: _Context, report: Report) -> None:
    now = clock.now()
    channel, message = db.get(NotifyChannel, delivery.channel_id), db.get(NotifyMessage, delivery.message_id)
    if channel is None or message is None or channel.status != "active":
        delivery.status, delivery.last_error = "cancelled", "the channel is no longer in use"
        report.failed += 1
        return
    if channel.kind not in context.senders:  # this deployment has no such channel now: keep it
        delivery.next_attempt_at = now + timedelta(seconds=LAST_RETRY_SECONDS)
        report.deferred += 1
        return
    recent = _sent_in_last_hour(db, channel.id, now)
    if len(recent) >= PER_HOUR:
        delivery.next_attempt_at = min(recent) + timedelta(hours=1)
        report.deferred += 1
        return
    name = context.sender_name(message.sender, channel.locale)
    _hand_over(
        db,
        delivery,
        channel=channel,
        outbound=lambda: compose(channel, message, name, context.links),
        context=context,
        report=report,
    )


def _attempt_confirmation(
    db: Session, confirmation: NotifyConfirmation, context: _Context, report: Report
) -> None:
    channel = db.get(NotifyChannel, confirmation.channel_id)
    if channel is None or channel.status != "unconfirmed":
        confirmation.status, confirmation.token = "cancelled", ""
        return
    if channel.kind not in context.senders:  # no SMTP relay (or SMS provider) now: keep it
        confirmation.next_attempt_at = clock.now() + timedelta(seconds=LAST_RETRY_SECONDS)
        report.deferred += 1
        return
    token = confirmation.token
    _hand_over(
        db,
        confirmation,
        channel=channel,
        outbound=lambda: compose_confirmation(channel, token, context.links),
        context=context,
        report=report,
    )
    if confirmation.status != "pending":
        confirmation.token = ""  # sent or given up: only the hash on the channel stays


BOUNCED_TITLE = "登録したメールアドレス・電話番号にお知らせが届きませんでした"
BOUNCED_BODY = (
    "登録されているあて先（{kind}）に送ったお知らせが、あて先不明などの理由で届きませんでした。"
    "このあて先への送信を止めています。お知らせの受け取り方のページで確認し、登録し直してください。"
)
_KIND_NAMES = {"email": "メール", "sms": "SMS"}


def tell_bounced(db: Session, channel: NotifyChannel) -> None:
    """The person hears in the inbox (not on the channel that failed) that an address bounced."""
    db.add(
        NotifyMessage(
            recipient_id=channel.recipient_id,
            sender="つなぐ",  # the platform itself, shown as such (not an organization code)
            kind="status",
            title=BOUNCED_TITLE,
            body=BOUNCED_BODY.format(kind=_KIND_NAMES.get(channel.kind, channel.kind)),
            link="/notify/preferences",
            extra={"channel_bounced": str(channel.id)},
            created_at=clock.now(),
        )
    )


def _hand_over(
    db: Session,
    row: NotifyDelivery | NotifyConfirmation,
    *,
    channel: NotifyChannel,
    outbound: Callable[[], Outbound],
    context: _Context,
    report: Report,
) -> None:
    """One attempt: sent, retried after the backoff, or ended (a bounce stops the address)."""
    now = clock.now()
    row.attempts += 1
    try:
        reference = context.senders[channel.kind].send(outbound())
    except SendFailed as exc:
        row.last_error = exc.reason
        if exc.permanent or row.attempts >= MAX_ATTEMPTS:
            row.status = "bounced" if exc.permanent else "failed"
            if exc.permanent and channel.kind in ("email", "sms") and channel.status != "bouncing":
                channel.status = "bouncing"  # nothing more goes there until the person fixes it
                tell_bounced(db, channel)
            report.failed += 1
        else:
            row.next_attempt_at = now + backoff(row.attempts)
            report.retried += 1
        log.info(
            "notify_delivery_failed",
            channel=channel.kind,
            attempts=row.attempts,
            permanent=exc.permanent,
            reason=exc.reason,
        )
        return
    row.status, row.reference, row.sent_at, row.last_error = "sent", reference, now, ""
    report.sent += 1


@dataclass(frozen=True)
class DeliveryState:
    channel_kind: str
    status: str
    attempts: int
    sent_at: datetime | None


def states_of(db: Session, recipient_id: str, message_id: int) -> list[DeliveryState]:
    """送達状況 of one message (the person's own), one per channel it was queued for."""
    rows = db.execute(
        select(NotifyDelivery, NotifyChannel.kind)
        .outerjoin(NotifyChannel, NotifyChannel.id == NotifyDelivery.channel_id)
        .where(NotifyDelivery.message_id == message_id, NotifyDelivery.recipient_id == recipient_id)
        .order_by(NotifyDelivery.id)
    ).all()
    return [DeliveryState(kind or "", d.status, d.attempts, d.sent_at) for d, kind in rows]


def pending_count(db: Session) -> int:
    return (
        db.scalar(select(func.count()).select_from(NotifyDelivery).where(NotifyDelivery.status == "pending"))
        or 0
    )
