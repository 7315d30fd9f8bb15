"""A local SMTP server in its own process (aiosmtpd) with a Maildir the tests read."""

from __future__ import annotations

import mailbox
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class MailHost:
    port: int
    maildir: Path

    def messages(self) -> list[mailbox.MaildirMessage]:
        return list(mailbox.Maildir(self.maildir, create=False))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def mail_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailHost]:
    workdir = tmp_path_factory.mktemp("smtp")
    maildir, port = workdir / "Maildir", free_port()
    log = (workdir / "smtp.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "tests.notify.smtp_server.MailHost",
            str(maildir),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield MailHost(port, maildir)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
