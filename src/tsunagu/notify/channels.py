"""受け取り方の設定: the person's e-mail, SMS and app channels for お知らせ, and which kinds go where.

A webhook to a private app (民間送達サービス) is added only with the person's consent to what it
receives (the sender, the title and a link); e-mail and SMS receive only a link to log in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import Conflict, NotFound, ValidationFailed
from tsunagu.core.messages import N_
from tsunagu.notify.models import NotifyChannel, NotifyConfirmation, NotifyDelivery
from tsunagu.notify.senders import is_mobile_number

CHANNEL_KINDS = ("email", "sms", "webhook")
#: kinds whose address is confirmed before anything else goes there (a link by e-mail, a code by SMS)
CONFIRMED_KINDS = ("email", "sms")
MESSAGE_KINDS = ("notice", "document", "info", "status")
DEFAULT_KINDS = ["notice", "document", "info"]  # 申請状況 (status) only when asked for
MAX_CHANNELS = 5
CONFIRM_VALID = timedelta(hours=48)  # the link in a confirmation e-mail works this long
CONFIRMATIONS_PER_HOUR = 3  # a person can ask again, but not flood an address
CODE_VALID = timedelta(minutes=10)  # the one-time code sent by SMS works this long
CODE_ATTEMPTS = 5  # wrong codes before the code stops working (a new one must be sent)
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")


class ChannelNotFound(NotFound):
    code = "notify-channel-not-found"
    title = "No such delivery channel"


class ConfirmationInvalid(NotFound):
    code = "notify-confirmation-invalid"
    title = "The confirmation link is not valid or has expired"


class ConfirmationTooOften(Conflict):
    code = "notify-confirmation-too-often"
    title = "Confirmation e-mails were sent to this address a short while ago"


@dataclass(frozen=True)
class Channel:
    id: int
    kind: str
    address: str
    label: str
    locale: str
    kinds: tuple[str, ...]
    status: str
    consented_at: datetime

    @property
    def shown_address(self) -> str:
        """The address as pages show it: e-mail in part, a number's last four digits, the app's host."""
        if self.kind == "email":
            local, _, domain = self.address.partition("@")
            return f"{local[:2]}…@{domain}"
        if self.kind == "sms":
            return "0" + self.address[3:5] + "-****-" + self.address[-4:]
        return urlsplit(self.address).hostname or ""


def _channel(row: NotifyChannel) -> Channel:
    return Channel(
        row.id, row.kind, row.address, row.label, row.locale, tuple(row.kinds), row.status, row.consented_at
    )


def _NO_KINDS() -> ValidationFailed:  # noqa: N802 - reads as the error it makes
    return _error("kinds", N_("受け取るお知らせの種類を一つ以上選んでください。"), "choose at least one kind")


def _error(field: str, message_ja: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        message,
        errors=[
            {
                "location": ["body", field],
                "message": message,
                "message_id": message_ja,
                "type": "notify-channel",
            }
        ],
    )


def mobile_e164(typed: str) -> str:
    """090-1234-5678 / ０９０１２３４５６７８ / +81 90… → +819012345678 (unchanged when not a number)."""
    digits = "".join(typed.split()).translate(str.maketrans("０１２３４５６７８９＋－", "0123456789+-"))
    digits = digits.replace("-", "")
    if digits.startswith("0") and len(digits) == 11:
        return "+81" + digits[1:]
    return digits


def normalized_address(kind: str, address: str) -> str:
    """The address checked for its kind, or :class:`ValidationFailed` naming the field."""
    address = address.strip()
    if kind == "email":
        if len(address) > 254 or not _EMAIL.match(address):
            raise _error("address", N_("メールアドレスの形式が正しくありません。"), "not an e-mail address")
        return address
    if kind == "sms":
        number = mobile_e164(address)
        if not is_mobile_number(number):
            raise _error(
                "address",
                N_("SMSを受け取れる携帯電話番号（070・080・090で始まる11桁）を入力してください。"),
                "not a Japanese mobile number",
            )
        return number
    if kind == "webhook":
        parts = urlsplit(address)
        # https only, except loopback for local development and tests
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if (parts.scheme != "https" and not (parts.scheme == "http" and loopback)) or not parts.hostname:
            raise _error(
                "address",
                N_("アプリの受信先は https:// で始まるURLを入力してください。"),
                "the webhook URL must be https",
            )
        return address
    raise _error("kind", N_("受け取り方を選んでください。"), "unknown channel kind")


def add_channel(
    db: Session,
    recipient_id: str,
    kind: str,
    address: str,
    *,
    kinds: list[str] | None = None,
    label: str = "",
    locale: str = "ja",
    consent: bool = False,
) -> Channel:
    """Add a channel (a webhook only with ``consent``); kinds default to notices, documents, info."""
    checked = normalized_address(kind, address)
    if kind == "webhook" and not consent:
        raise _error("consent", N_("アプリに送る内容への同意が必要です。"), "consent is required for an app")
    if kind == "webhook" and not label.strip():
        raise _error("label", N_("アプリの名前を入力してください。"), "name the app")
    chosen = [k for k in MESSAGE_KINDS if k in (kinds if kinds is not None else DEFAULT_KINDS)]
    if not chosen:
        raise _NO_KINDS()
    existing = list(db.scalars(select(NotifyChannel).where(NotifyChannel.recipient_id == recipient_id)))
    if any(c.kind == kind and c.address == checked for c in existing):
        raise _error("address", N_("この宛先はすでに登録されています。"), "already registered")
    if len(existing) >= MAX_CHANNELS:
        raise _error("address", N_("登録できる受け取り先は5件までです。"), "at most 5 channels")
    now = clock.now()
    row = NotifyChannel(
        recipient_id=recipient_id,
        kind=kind,
        address=checked,
        label=label.strip()[:100],
        locale="en" if locale == "en" else "ja",
        kinds=chosen,
        secret=secrets.token_hex(32) if kind == "webhook" else "",
        status="unconfirmed" if kind in CONFIRMED_KINDS else "active",
        consented_at=now,
        created_at=now,
    )
    db.add(row)
    db.flush()
    if kind in CONFIRMED_KINDS:
        _ask_to_confirm(db, row)
    return _channel(row)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _code_hash(channel_id: int, code: str) -> str:
    """A code's hash bound to its channel (six digits repeat across channels; a link token does not)."""
    return hashlib.sha256(f"sms-code\n{channel_id}\n{code}".encode()).hexdigest()


def _ask_to_confirm(db: Session, row: NotifyChannel) -> None:
    """Queue a confirmation with a new link by e-mail, or a new six-digit code by SMS (the old one
    stops working)."""
    now = clock.now()
    if row.kind == "sms":
        token = f"{secrets.randbelow(10**6):06d}"
        row.confirm_token_hash, row.confirm_expires_at = _code_hash(row.id, token), now + CODE_VALID
    else:
        token = secrets.token_urlsafe(24)
        row.confirm_token_hash, row.confirm_expires_at = _token_hash(token), now + CONFIRM_VALID
    row.status, row.confirm_attempts = "unconfirmed", 0
    for waiting in db.scalars(
        select(NotifyConfirmation).where(
            NotifyConfirmation.channel_id == row.id, NotifyConfirmation.status == "pending"
        )
    ):
        waiting.status, waiting.token, waiting.last_error = "cancelled", "", "a new link was asked for"
    db.add(
        NotifyConfirmation(
            channel_id=row.id,
            recipient_id=row.recipient_id,
            token=token,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    db.flush()


def resend_confirmation(db: Session, recipient_id: str, channel_id: int) -> Channel:
    """Send the confirmation e-mail (or SMS code) again (at most :data:`CONFIRMATIONS_PER_HOUR` an hour)."""
    row = _own(db, recipient_id, channel_id)
    if row.kind not in CONFIRMED_KINDS or row.status == "active":
        raise _error("address", N_("このあて先は確認済みです。"), "the address needs no confirmation")
    recent = list(
        db.scalars(
            select(NotifyConfirmation.id).where(
                NotifyConfirmation.channel_id == row.id,
                NotifyConfirmation.created_at > clock.now() - timedelta(hours=1),
            )
        )
    )
    if len(recent) >= CONFIRMATIONS_PER_HOUR:
        raise ConfirmationTooOften(
            "confirmation e-mails were sent to this address 3 times in the last hour; try again later"
        )
    _ask_to_confirm(db, row)
    return _channel(row)


def confirmation_channel(db: Session, token: str) -> Channel:
    """The channel a confirmation link is for, while the link is valid."""
    row = db.scalar(
        select(NotifyChannel).where(
            NotifyChannel.kind == "email", NotifyChannel.confirm_token_hash == _token_hash(token)
        )
    )
    if not token or row is None or row.confirm_expires_at is None or row.confirm_expires_at < clock.now():
        raise ConfirmationInvalid("this confirmation link is not valid or has expired")
    return _channel(row)


def confirm(db: Session, token: str) -> Channel:
    """確認: the owner of the address opened the link; お知らせ go there from now on."""
    channel = confirmation_channel(db, token)
    row = db.get(NotifyChannel, channel.id)
    assert row is not None  # just read
    row.status, row.confirmed_at = "active", clock.now()
    row.confirm_token_hash, row.confirm_expires_at = "", None  # a link works once
    db.flush()
    return _channel(row)


class CodeInvalid(ValidationFailed):
    """(Answered, not raised: see :func:`confirm_code`.)"""

    code = "notify-code-invalid"
    title = "The confirmation code is wrong, expired or used up"


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a code typed on the preference page: the channel confirmed, or why not (a
    Japanese message id) — returned, not raised, so that a wrong attempt is counted and kept."""

    channel: Channel | None
    problem: str = ""
    remaining: int = 0


def confirm_code(db: Session, recipient_id: str, channel_id: int, code: str) -> CodeCheck:
    """確認コード: the person typed the code the SMS brought; the number is theirs, お知らせ go there.

    A code works for :data:`CODE_VALID` and :data:`CODE_ATTEMPTS` wrong tries, then a new one must
    be sent; a right code works once.
    """
    row = _own(db, recipient_id, channel_id)
    if row.kind != "sms" or row.status != "unconfirmed":
        return CodeCheck(None, N_("この受け取り先は確認コードの入力を待っていません。"))
    typed = "".join(code.split()).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if row.confirm_expires_at is None or row.confirm_expires_at < clock.now():
        return CodeCheck(None, N_("確認コードの有効期限（10分）が過ぎました。新しいコードを送ってください。"))
    if row.confirm_attempts >= CODE_ATTEMPTS:
        return CodeCheck(
            None, N_("確認コードを5回まちがえたため、このコードは使えません。新しいコードを送ってください。")
        )
    if not (len(typed) == 6 and typed.isdigit()) or not hmac.compare_digest(
        _code_hash(row.id, typed), row.confirm_token_hash
    ):
        row.confirm_attempts += 1
        db.flush()
        left = CODE_ATTEMPTS - row.confirm_attempts
        if left == 0:
            return CodeCheck(
                None,
                N_("確認コードを5回まちがえたため、このコードは使えません。新しいコードを送ってください。"),
            )
        return CodeCheck(None, N_("確認コードが違います。SMSに届いた6桁の数字を入力してください。"), left)
    row.status, row.confirmed_at = "active", clock.now()
    row.confirm_token_hash, row.confirm_expires_at = "", None  # a code works once
    db.flush()
    return CodeCheck(_channel(row))


def channels_of(db: Session, recipient_id: str) -> list[Channel]:
    rows = db.scalars(
        select(NotifyChannel).where(NotifyChannel.recipient_id == recipient_id).order_by(NotifyChannel.id)
    )
    return [_channel(r) for r in rows]


def _own(db: Session, recipient_id: str, channel_id: int) -> NotifyChannel:
    row = db.get(NotifyChannel, channel_id)
    if row is None or row.recipient_id != recipient_id:
        raise ChannelNotFound(f"no channel {channel_id} of this person")
    return row


def webhook_secret(db: Session, recipient_id: str, channel_id: int) -> str:
    """The secret the app checks signatures with (shown to the person once, to give to the app)."""
    return _own(db, recipient_id, channel_id).secret


def remove_channel(db: Session, recipient_id: str, channel_id: int) -> None:
    """Stop a channel (also the consent to an app); what is pending for it is not sent."""
    row = _own(db, recipient_id, channel_id)
    for delivery in db.scalars(
        select(NotifyDelivery).where(NotifyDelivery.channel_id == row.id, NotifyDelivery.status == "pending")
    ):
        delivery.status, delivery.last_error = "cancelled", "the channel was removed"
    for confirmation in db.scalars(
        select(NotifyConfirmation).where(
            NotifyConfirmation.channel_id == row.id, NotifyConfirmation.status == "pending"
        )
    ):
        confirmation.status, confirmation.token = "cancelled", ""
    db.delete(row)
    db.flush()


def set_kinds(db: Session, recipient_id: str, channel_id: int, kinds: list[str]) -> Channel:
    row = _own(db, recipient_id, channel_id)
    chosen = [k for k in MESSAGE_KINDS if k in kinds]
    if not chosen:
        raise _NO_KINDS()
    row.kinds = chosen
    if row.status == "bouncing":  # the person looked at it again: try the address anew
        if row.kind in CONFIRMED_KINDS:
            _ask_to_confirm(db, row)  # an address that bounced is confirmed again first
        else:
            row.status = "active"
    db.flush()
    return _channel(row)


def as_json(channel: Channel) -> dict[str, Any]:
    return {
        "id": channel.id,
        "kind": channel.kind,
        "address": channel.shown_address,
        "label": channel.label,
        "locale": channel.locale,
        "kinds": list(channel.kinds),
        "status": channel.status,
        "consented_at": channel.consented_at.isoformat(),
    }
