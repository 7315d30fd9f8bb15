"""The channels this deployment can send on, and the background delivery worker."""

from __future__ import annotations

import threading
from collections.abc import Callable

from tsunagu.core import logging
from tsunagu.core.database import Database
from tsunagu.core.settings import Settings
from tsunagu.notify import dispatch
from tsunagu.notify.senders import Sender, SmtpSender, TestSmsProvider, WebhookSender

log = logging.get_logger("tsunagu.notify.worker")


def senders_for(settings: Settings, database: Database) -> dict[str, Sender]:
    """E-mail when an SMTP relay is configured, SMS through the test SMS provider, apps by webhook."""
    senders: dict[str, Sender] = {"sms": TestSmsProvider(database), "webhook": WebhookSender()}
    if settings.smtp_host:
        senders["email"] = SmtpSender(settings.smtp_host, settings.smtp_port, settings.mail_from)
    return senders


def run_in_background(
    database: Database, settings: Settings, sender_name: Callable[[str, str], str], every: float
) -> threading.Thread:
    """Send due deliveries every ``every`` seconds in a daemon thread (``tsunagu demo``)."""
    senders, links = senders_for(settings, database), dispatch.Links(settings.base_url)
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                dispatch.run_once(database, senders, sender_name, links)
            except Exception:  # keep delivering: one bad pass must not stop the worker
                log.exception("notify_delivery_pass_failed")

    thread = threading.Thread(target=loop, name="notify-delivery", daemon=True)
    thread.start()
    return thread
