"""Bounces that arrive later (配信不能通知): an e-mail the SMTP relay accepted may still fail at the
receiving end, which then mails back a delivery status notification (DSN, RFC 3464: a
``multipart/report; report-type=delivery-status`` whose ``message/delivery-status`` part has one
block per recipient with ``Final-Recipient``, ``Action`` and ``Status``).

A recipient whose ``Action`` is ``failed`` is a bounce: the delivery it answers (found by the
``Message-ID`` the report returns in its ``text/rfc822-headers`` or ``message/rfc822`` part — the
reference the delivery recorded when it was sent) is marked ``bounced``, and the e-mail channels
with that address stop (``bouncing``) and their owner hears of it in the inbox, as with a bounce at
the SMTP dialogue. ``delayed``, ``delivered``, ``relayed`` and ``expanded`` change nothing.
Parsed with the standard library's :mod:`email` package.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.notify.dispatch import tell_bounced
from tsunagu.notify.models import NotifyChannel, NotifyDelivery


class NotADeliveryReport(ValidationFailed):
    code = "notify-not-a-delivery-report"
    title = "The message is not a delivery status notification (RFC 3464)"


@dataclass(frozen=True)
class Failure:
    """One recipient the report says could not be delivered to."""

    recipient: str  # the address, without its ``rfc822;`` type
    status: str  # e.g. 5.1.1
    diagnostic: str  # e.g. ``smtp; 550 5.1.1 user unknown``


@dataclass(frozen=True)
class Report:
    """What one DSN says: the failed recipients and the original message's Message-ID."""

    failures: tuple[Failure, ...]
    others: tuple[str, ...]  # the Action of every recipient that did not fail (delayed, …)
    message_id: str = ""


@dataclass
class Outcome:
    failures: int = 0
    channels_stopped: list[int] = field(default_factory=list)
    deliveries_bounced: list[int] = field(default_factory=list)


def _address(value: str) -> str:
    """``rfc822; user@example.jp`` → ``user@example.jp`` (address type per RFC 3464 §2.3.2)."""
    kind, _, address = value.partition(";")
    return (address if address else kind).strip().strip("<>").strip()


def _original_message_id(report: Message) -> str:
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "text/rfc822-headers":
            returned = part.get_payload(decode=True)
            text = returned.decode("utf-8", "replace") if isinstance(returned, bytes) else ""
            headers = HeaderParser().parsestr(text)
            return str(headers.get("Message-ID", "")).strip()
        if kind == "message/rfc822":
            inner = part.get_payload()
            original = inner[0] if isinstance(inner, list) and inner else None
            if isinstance(original, Message):
                return str(original.get("Message-ID", "")).strip()
    return ""


def parse(raw: bytes) -> Report:
    """The failures a DSN reports (:class:`NotADeliveryReport` for anything else)."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    if message.get_content_type() != "multipart/report" or (
        str(message.get_param("report-type") or "").lower() != "delivery-status"
    ):
        raise NotADeliveryReport(
            "not a delivery status notification (RFC 3464): expected multipart/report; "
            "report-type=delivery-status"
        )
    status = next((p for p in message.walk() if p.get_content_type() == "message/delivery-status"), None)
    payload = status.get_payload() if status is not None else None
    blocks = [b for b in payload if isinstance(b, Message)] if isinstance(payload, list) else []
    if len(blocks) < 2:
        raise NotADeliveryReport("not a delivery status notification: no per-recipient delivery status")
    failures, others = [], []
    for block in blocks[1:]:  # the first block is about the message, the rest one per recipient
        recipient = _address(str(block.get("Final-Recipient", "") or block.get("Original-Recipient", "")))
        action = str(block.get("Action", "")).strip().lower()
        if not recipient or not action:
            raise NotADeliveryReport(
                "not a delivery status notification: a recipient lacks Final-Recipient or Action"
            )
        if action == "failed":
            failures.append(
                Failure(
                    recipient, str(block.get("Status", "")).strip(), str(block.get("Diagnostic-Code", ""))
                )
            )
        else:
            others.append(action)
    return Report(tuple(failures), tuple(others), _original_message_id(message))


def apply(db: Session, report: Report) -> Outcome:
    """Stop the addresses that failed and mark the delivery the report answers (once: a report
    read twice changes nothing more)."""
    outcome = Outcome(failures=len(report.failures))
    for failure in report.failures:
        deliveries = (
            db.scalars(select(NotifyDelivery).where(NotifyDelivery.reference == report.message_id)).all()
            if report.message_id
            else []
        )
        for delivery in deliveries:
            channel = db.get(NotifyChannel, delivery.channel_id)
            answered = channel is not None and channel.address.lower() == failure.recipient.lower()
            if answered and delivery.status != "bounced":
                delivery.status = "bounced"
                delivery.last_error = f"DSN {failure.status} {failure.diagnostic}"[:300]
                outcome.deliveries_bounced.append(delivery.id)
        channels = db.scalars(
            select(NotifyChannel).where(
                NotifyChannel.kind == "email", func.lower(NotifyChannel.address) == failure.recipient.lower()
            )
        ).all()
        for channel in channels:
            if channel.status != "bouncing":
                channel.status = "bouncing"  # nothing more goes there until the person fixes it
                tell_bounced(db, channel)
                outcome.channels_stopped.append(channel.id)
    return outcome


@dataclass
class MailboxRun:
    reports: int = 0
    not_reports: int = 0  # left in the mailbox for a person to read
    outcome: Outcome = field(default_factory=Outcome)


def read_mailbox(database: Database, maildir: Path) -> MailboxRun:
    """Process the bounce mailbox (a Maildir the return address delivers to): each DSN is applied
    and removed; anything else stays for a person to read."""
    run = MailboxRun()
    box = mailbox.Maildir(maildir, create=False)
    for key in list(box.keys()):
        try:
            report = parse(box.get_bytes(key))
        except NotADeliveryReport:
            run.not_reports += 1
            continue
        with database.session() as db:
            done = apply(db, report)
        box.remove(key)  # after its changes are committed: a crash in between reads it again
        run.reports += 1
        run.outcome.failures += done.failures
        run.outcome.channels_stopped += done.channels_stopped
        run.outcome.deliveries_bounced += done.deliveries_bounced
    return run
