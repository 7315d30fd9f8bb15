"""お知らせ inbox: messages to a person from organizations, read/unread, never another's.

Other parts deliver through :func:`deliver` inside their own transaction, so a message exists
exactly when the change it reports was committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.direct import DirectInsert
from tsunagu.core.errors import NotFound, ValidationFailed
from tsunagu.notify import dispatch
from tsunagu.notify.models import NotifyMessage

MessageKind = Literal["status", "notice", "document", "info"]
KINDS: tuple[str, ...] = ("status", "notice", "document", "info")


class MessageNotFound(NotFound):
    code = "notify-message-not-found"
    title = "Message not found"


@dataclass(frozen=True)
class Message:
    id: int
    recipient_id: str
    sender: str
    kind: str
    title: str
    body: str
    link: str
    document: str | None
    extra: dict[str, str]
    created_at: datetime
    read_at: datetime | None
    withdrawn_at: datetime | None = None
    withdrawn_reason: str = ""

    @property
    def unread(self) -> bool:
        return self.read_at is None


def _message(row: NotifyMessage) -> Message:
    return Message(
        row.id,
        row.recipient_id,
        row.sender,
        row.kind,
        row.title,
        row.body,
        row.link,
        row.document,
        dict(row.extra),
        row.created_at,
        row.read_at,
        row.withdrawn_at,
        row.withdrawn_reason,
    )


# straight to the driver: a message is written inside other parts' write transactions (e.g. the
# receipt of every submission), where the unit of work's flush cost more than the insert
_INSERT_MESSAGE = DirectInsert.of(NotifyMessage, returning="id")
_INSERT_MESSAGES = DirectInsert.of(NotifyMessage)


@dataclass(frozen=True)
class Outgoing:
    """A message to put in ``recipient_id``'s inbox."""

    recipient_id: str
    sender: str
    kind: MessageKind
    title: str
    body: str
    link: str = ""
    document: str | None = None
    extra: dict[str, str] | None = None

    def row(self, at: datetime) -> dict[str, object]:
        if self.kind not in KINDS:
            raise ValidationFailed(
                f"unknown message kind {self.kind!r}",
                errors=[{"location": ["kind"], "message": "unknown kind", "type": "notify-unknown-kind"}],
            )
        return {
            "recipient_id": self.recipient_id,
            "sender": self.sender,
            "kind": self.kind,
            "title": self.title[:300],
            "body": self.body,
            "link": self.link,
            "document": self.document,
            "extra": self.extra or {},
            "created_at": at,
            "read_at": None,
            "withdrawn_at": None,
            "withdrawn_reason": "",
        }


def deliver(
    db: Session,
    recipient_id: str,
    *,
    sender: str,
    kind: MessageKind,
    title: str,
    body: str,
    link: str = "",
    document: str | None = None,
    extra: dict[str, str] | None = None,
) -> Message:
    """Put a message in ``recipient_id``'s inbox (in the caller's transaction)."""
    outgoing = Outgoing(recipient_id, sender, kind, title, body, link, document, extra)
    row = NotifyMessage(**outgoing.row(clock.now()))
    row.id = _INSERT_MESSAGE.add_returning(db.connection(), row)
    dispatch.enqueue(db.connection(), [(row.id, recipient_id, kind)])  # to e-mail, SMS, apps
    return _message(row)


def deliver_all(connection: Connection, messages: Sequence[Outgoing]) -> None:
    """Put messages in their inboxes in one statement, in the caller's transaction (for writers
    that need nothing back, e.g. the receipts of a batch of submissions)."""
    now = clock.now()
    rows = [message.row(now) for message in messages]
    if not rows:
        return
    reachable = dispatch.recipients_with_channels(connection, {message.recipient_id for message in messages})
    if not reachable:  # the usual case: one statement for the whole batch
        _INSERT_MESSAGES.run(connection, rows)
        return
    plain = [row for row in rows if row["recipient_id"] not in reachable]
    if plain:
        _INSERT_MESSAGES.run(connection, plain)
    queued = []
    for row in rows:
        if row["recipient_id"] in reachable:  # their channels need the message's id
            message_id = _INSERT_MESSAGE.add_returning(connection, NotifyMessage(**row))
            queued.append((message_id, str(row["recipient_id"]), str(row["kind"])))
    dispatch.enqueue(connection, queued)


def inbox(
    db: Session, recipient_id: str, *, limit: int = 50, offset: int = 0, unread_only: bool = False
) -> tuple[list[Message], int]:
    """The person's messages, newest first, and how many there are."""
    where = [NotifyMessage.recipient_id == recipient_id]
    if unread_only:
        where.append(NotifyMessage.read_at.is_(None))
    total = db.scalar(select(func.count()).select_from(NotifyMessage).where(*where)) or 0
    rows = db.scalars(
        select(NotifyMessage)
        .where(*where)
        .order_by(NotifyMessage.created_at.desc(), NotifyMessage.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_message(r) for r in rows], total


def unread_count(db: Session, recipient_id: str) -> int:
    return (
        db.scalar(
            select(func.count())
            .select_from(NotifyMessage)
            .where(NotifyMessage.recipient_id == recipient_id, NotifyMessage.read_at.is_(None))
        )
        or 0
    )


def _own(db: Session, recipient_id: str, message_id: int) -> NotifyMessage:
    row = db.get(NotifyMessage, message_id)
    # another person's message is reported as missing: its existence is not disclosed
    if row is None or row.recipient_id != recipient_id:
        raise MessageNotFound(f"no message {message_id} in this inbox")
    return row


def get_message(db: Session, recipient_id: str, message_id: int) -> Message:
    return _message(_own(db, recipient_id, message_id))


def mark_read(db: Session, recipient_id: str, message_id: int, *, read: bool = True) -> Message:
    """Mark one message read (or unread again)."""
    row = _own(db, recipient_id, message_id)
    row.read_at = (row.read_at or clock.now()) if read else None
    db.flush()
    return _message(row)


def withdraw(db: Session, recipient_id: str, message_id: int, reason: str) -> Message:
    """取り下げ: the sender takes a message back (the situation it answered changed). It stays in the
    inbox marked as withdrawn with the reason, and what still waits to go to e-mail, SMS or an app
    is not sent. Withdrawing again changes nothing."""
    row = _own(db, recipient_id, message_id)
    if row.withdrawn_at is None:
        row.withdrawn_at, row.withdrawn_reason = clock.now(), reason[:300]
        dispatch.cancel_pending(db, message_id, "the message was withdrawn")
        db.flush()
    return _message(row)
