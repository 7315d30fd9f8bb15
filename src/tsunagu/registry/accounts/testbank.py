"""テスト用銀行: a local bank that answers 口座確認 like a real one, in-process or in its own process.

It holds its own ledger (accounts with the 口座名義 as a bank records it, open or closed) and
compares names by the 全銀 rules of :mod:`kana`. ``python -m tsunagu.registry.accounts.testbank
--database-url URL --port N`` serves the HTTP protocol of :mod:`bankcheck` on loopback, with the
bearer token derived from ``TSUNAGU_SECRET_KEY``.
"""

from __future__ import annotations

import argparse
import hmac
import os
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tsunagu.core.database import Database
from tsunagu.registry.accounts import kana
from tsunagu.registry.accounts.bankcheck import VERIFY_PATH, AccountQuery, Verification, bank_token
from tsunagu.registry.accounts.models import AccountsTestBankAccount


def open_account(
    db: Session, *, bank_code: str, branch_code: str, account_type: str, account_number: str, holder: str
) -> None:
    """Open an account at the test bank (口座名義 given in any kana; stored in 全銀 kana)."""
    db.add(
        AccountsTestBankAccount(
            bank_code=bank_code,
            branch_code=branch_code,
            account_type=account_type,
            account_number=account_number,
            holder_kana=kana.to_zengin(holder),
        )
    )
    db.flush()


def close_account(
    db: Session, *, bank_code: str, branch_code: str, account_type: str, account_number: str
) -> None:
    row = _account(db, bank_code, branch_code, account_type, account_number)
    if row is not None:
        row.status = "closed"
        db.flush()


def _account(
    db: Session, bank_code: str, branch_code: str, account_type: str, account_number: str
) -> AccountsTestBankAccount | None:
    return db.scalar(
        select(AccountsTestBankAccount).where(
            AccountsTestBankAccount.bank_code == bank_code,
            AccountsTestBankAccount.branch_code == branch_code,
            AccountsTestBankAccount.account_type == account_type,
            AccountsTestBankAccount.account_number == account_number,
        )
    )


def answer(db: Session, query: AccountQuery) -> Verification:
    """The bank's answer: the account's state and whether its 口座名義 is the expected one."""
    reference = f"TB{uuid.uuid4().hex[:16].upper()}"
    row = _account(db, query.bank_code, query.branch_code, query.account_type, query.account_number)
    if row is None:
        return Verification("no-account", reference)
    if row.status != "open":
        return Verification("closed", reference)
    matched = kana.same_holder(row.holder_kana, query.holder_kana)
    return Verification("match" if matched else "mismatch", reference)


class TestBank:
    """The test bank in this process, reading its ledger from ``database``."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def verify(self, query: AccountQuery) -> Verification:
        with self.database.session() as db:
            return answer(db, query)


def http_app(database: Database, token: str) -> Starlette:
    """The test bank's HTTP face (the protocol of :mod:`bankcheck`)."""

    async def verify(request: Request) -> JSONResponse:
        sent = request.headers.get("authorization", "").removeprefix("Bearer ")
        if not hmac.compare_digest(sent, token):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        try:
            body = await request.json()
            query = AccountQuery(**{k: str(body[k]) for k in AccountQuery.__dataclass_fields__})
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "malformed request"}, status_code=400)
        result = TestBank(database).verify(query)
        return JSONResponse({"outcome": result.outcome, "reference": result.reference})

    return Starlette(routes=[Route(VERIFY_PATH, verify, methods=["POST"])])


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description="テスト用銀行 (口座確認) on loopback")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    token = bank_token(os.environ["TSUNAGU_SECRET_KEY"])
    uvicorn.run(
        http_app(Database(args.database_url), token), host="127.0.0.1", port=args.port, log_level="warning"
    )


if __name__ == "__main__":
    main()
