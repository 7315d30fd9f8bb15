"""An aiosmtpd handler for the delivery tests (run by ``python -m aiosmtpd -c``, in its own process):
a Maildir like a mail host's, and a mailbox that does not exist (``nobody@…``: 550 5.1.1)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from aiosmtpd.handlers import Mailbox


class MailHost(Mailbox):
    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.startswith("nobody@"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    @classmethod
    def from_cli(cls, parser: ArgumentParser, *args: str) -> MailHost:
        return cls(args[0])
