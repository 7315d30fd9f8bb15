"""Channels that carry お知らせ beyond the inbox: e-mail over SMTP, SMS through a provider, and a
private app's webhook (民間送達サービス). Each sender says whether a failure is worth retrying.

What leaves the platform is decided by :mod:`dispatch` and its templates: e-mail and SMS carry only
the sender's name and a link to log in, never the message itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol

import httpx
from sqlalchemy import func, select

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.notify.models import NotifyTestSms

SIGNATURE_HEADER = "Tsunagu-Signature"


class SendFailed(Exception):
    """The channel did not take the message; ``permanent`` when retrying cannot help (a bounce)."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason, self.permanent = reason[:300], permanent


@dataclass(frozen=True)
class Outbound:
    address: str
    subject: str
    text: str
    payload: dict[str, Any] = field(default_factory=dict)  # the webhook's JSON
    secret: str = ""


class Sender(Protocol):
    def send(self, outbound: Outbound) -> str:
        """Hand the message over; the provider's reference, else :class:`SendFailed`."""
        ...


class SmtpSender:
    """E-mail through an SMTP server (the deployment's relay)."""

    def __init__(self, host: str, port: int, from_address: str, *, timeout: float = 10.0) -> None:
        self.host, self.port, self.from_address, self.timeout = host, port, from_address, timeout

    def send(self, outbound: Outbound) -> str:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.from_address, outbound.address, outbound.subject
        mail["Message-ID"] = make_msgid(domain=self.from_address.rpartition("@")[2] or "localhost")
        mail.set_content(outbound.text)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()))
            raise SendFailed(f"SMTP {code} {_text(reason)}", permanent=code >= 500) from None
        except smtplib.SMTPResponseException as exc:
            raise SendFailed(
                f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}", permanent=exc.smtp_code >= 500
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailed(f"SMTP server not reachable: {type(exc).__name__}", permanent=False) from None
        return str(mail["Message-ID"])


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


# 国内SMS: UCS-2 for Japanese text, 70 characters in one message, 67 per part when split
SMS_SINGLE, SMS_PART, SMS_MAX_PARTS = 70, 67, 10


def sms_segments(text: str) -> int:
    return 1 if len(text) <= SMS_SINGLE else -(-len(text) // SMS_PART)


def is_mobile_number(number: str) -> bool:
    """A Japanese mobile number in E.164 (+8170/+8180/+8190 and 8 digits)."""
    return len(number) == 13 and number[:5] in ("+8170", "+8180", "+8190") and number[1:].isdigit()


class TestSmsProvider:
    """テスト用SMS事業者: behaves like an SMS API — refuses numbers that are not mobile numbers and
    over-long texts for good, throttles more than ``per_second`` messages (retry later), and keeps
    what it accepted (``notify_test_sms``) as a phone would show it."""

    __test__ = False  # a provider, not a pytest class

    def __init__(self, database: Database, *, per_second: int = 10) -> None:
        self.database, self.per_second = database, per_second

    def send(self, outbound: Outbound) -> str:
        if not is_mobile_number(outbound.address):
            raise SendFailed("not a mobile number that can receive SMS", permanent=True)
        segments = sms_segments(outbound.text)
        if segments > SMS_MAX_PARTS:
            raise SendFailed(f"the text needs {segments} parts (at most {SMS_MAX_PARTS})", permanent=True)
        now = clock.now()
        with self.database.session() as db:
            recent = (
                db.scalar(
                    select(func.count())
                    .select_from(NotifyTestSms)
                    .where(NotifyTestSms.accepted_at > now - timedelta(seconds=1))
                )
                or 0
            )
            if recent >= self.per_second:
                raise SendFailed("429 throttled by the SMS provider", permanent=False)
            row = NotifyTestSms(to=outbound.address, body=outbound.text, segments=segments, accepted_at=now)
            db.add(row)
            db.flush()
            return f"SMS{row.id:08d}"


def sign(secret: str, body: bytes, at: int) -> str:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` (as the payment callbacks are signed)."""
    return f"t={at},v1={hmac.new(secret.encode(), f'{at}.'.encode() + body, hashlib.sha256).hexdigest()}"


class WebhookSender:
    """POST to a private app's webhook, signed with the channel's own secret."""

    def __init__(self, *, timeout: float = 5.0, transport: httpx.BaseTransport | None = None) -> None:
        self.timeout, self.transport = timeout, transport

    def send(self, outbound: Outbound) -> str:
        body = json.dumps(outbound.payload, ensure_ascii=False, sort_keys=True).encode()
        delivery_id = str(uuid.uuid4())
        headers = {
            "Content-Type": "application/json",
            "Tsunagu-Delivery": delivery_id,
            SIGNATURE_HEADER: sign(outbound.secret, body, int(clock.now().timestamp())),
        }
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.post(outbound.address, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise SendFailed(f"the app did not answer: {type(exc).__name__}", permanent=False) from None
        if response.status_code < 300:
            return delivery_id
        retry = response.status_code >= 500 or response.status_code in (408, 429)
        raise SendFailed(f"the app answered HTTP {response.status_code}", permanent=not retry)
