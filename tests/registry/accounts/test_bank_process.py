"""The test bank in its own process, over HTTP: the platform registers an account through it, and
a bank that does not answer, or answers without the token, changes nothing."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from tsunagu import migrations
from tsunagu.core.database import Database
from tsunagu.registry.accounts import bankcheck, service, testbank

from .conftest import HONTEN, MUFG

pytestmark = pytest.mark.multiprocess
SECRET = "bank-process-test-secret-not-for-production"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def bank_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The test bank's own process with its own ledger (a database the platform does not share)."""
    workdir = tmp_path_factory.mktemp("bank")
    url = f"sqlite:///{workdir / 'bank.db'}"
    ledger = Database(url)
    migrations.upgrade(ledger.engine)
    with ledger.session() as db:
        testbank.open_account(
            db,
            bank_code=MUFG,
            branch_code=HONTEN,
            account_type="futsu",
            account_number="0007654",
            holder="ｻﾄｳ ﾊﾅｺ",
        )
    ledger.dispose()
    port = _free_port()
    log = (workdir / "bank.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tsunagu.registry.accounts.testbank",
            "--database-url",
            url,
            "--port",
            str(port),
        ],
        env={**os.environ, "TSUNAGU_SECRET_KEY": SECRET},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.post(f"{base}{bankcheck.VERIFY_PATH}", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.2)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_the_platform_registers_through_the_bank_process(
    database: Database, resident_id: str, bank_url: str
) -> None:
    bank = bankcheck.HttpBankVerifier(bank_url, bankcheck.bank_token(SECRET))
    with database.session() as db:
        account = service.register(db, bank, resident_id, service.AccountIn(MUFG, HONTEN, "futsu", "0007654"))
    assert account.holder_kana == "ｻﾄｳ ﾊﾅｺ"
    # the platform's own test-bank ledger has this account too (conftest), but the process decides
    with database.session() as db, pytest.raises(service.AccountNotConfirmed):
        service.register(db, bank, resident_id, service.AccountIn("0001", "001", "futsu", "1234567"))


def test_a_wrong_token_or_a_bank_that_is_down_is_unavailable(
    database: Database, resident_id: str, bank_url: str
) -> None:
    query = bankcheck.AccountQuery(MUFG, HONTEN, "futsu", "0007654", "ｻﾄｳ ﾊﾅｺ")
    with pytest.raises(bankcheck.BankUnavailable, match="401"):
        bankcheck.HttpBankVerifier(bank_url, "not-the-token").verify(query)
    with pytest.raises(bankcheck.BankUnavailable):
        bankcheck.HttpBankVerifier(f"http://127.0.0.1:{_free_port()}", "t", timeout=1).verify(query)


def test_the_bank_answers_only_the_outcome(bank_url: str) -> None:
    answer = httpx.post(
        f"{bank_url}{bankcheck.VERIFY_PATH}",
        headers={"Authorization": f"Bearer {bankcheck.bank_token(SECRET)}"},
        json={
            "bank_code": MUFG,
            "branch_code": HONTEN,
            "account_type": "futsu",
            "account_number": "0007654",
            "holder_kana": "すずき いちろう",
        },
    ).json()
    assert answer["outcome"] == "mismatch" and set(answer) == {"outcome", "reference"}
    malformed = httpx.post(
        f"{bank_url}{bankcheck.VERIFY_PATH}",
        json={"bank_code": MUFG},
        headers={"Authorization": f"Bearer {bankcheck.bank_token(SECRET)}"},
    )
    assert malformed.status_code == 400
