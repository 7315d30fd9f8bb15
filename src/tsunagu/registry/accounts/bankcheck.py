"""The bank-verification interface (口座確認): does this account exist and is it the person's?

The platform sends the account and the 口座名義 it expects (the person's 氏名 from the register, in
全銀 kana); the bank compares it with its own record and answers only the outcome — it never
tells the name it holds. A real deployment talks to a bank (or a clearing service) over HTTP
(:class:`HttpBankVerifier`); the local test bank speaks the same protocol.

Protocol: ``POST {base}/v1/account-verifications`` with ``Authorization: Bearer <token>`` and
``{"bank_code", "branch_code", "account_type", "account_number", "holder_kana"}``; the answer is
``{"outcome": "match" | "mismatch" | "no-account" | "closed", "reference": "..."}``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass
from typing import Literal, Protocol, get_args

import httpx

from tsunagu.core.errors import UpstreamUnavailable

Outcome = Literal["match", "mismatch", "no-account", "closed"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
VERIFY_PATH = "/v1/account-verifications"


class BankUnavailable(UpstreamUnavailable):
    code = "accounts-bank-unavailable"
    title = "The bank could not confirm the account now"


@dataclass(frozen=True)
class AccountQuery:
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder_kana: str


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    reference: str


class BankVerifier(Protocol):
    """What the platform needs from a bank to register a 公金受取口座."""

    def verify(self, query: AccountQuery) -> Verification: ...


def bank_token(secret: str) -> str:
    """The bearer token between the platform and its bank-verification provider (from the secret)."""
    return hmac.new(secret.encode(), b"accounts:bank-verification", hashlib.sha256).hexdigest()


class HttpBankVerifier:
    """A bank-verification provider reached over HTTP (the test bank in its own process, or a bank)."""

    def __init__(self, base_url: str, token: str, timeout: float = 5.0) -> None:
        self.base_url, self.token, self.timeout = base_url.rstrip("/"), token, timeout

    def verify(self, query: AccountQuery) -> Verification:
        try:
            response = httpx.post(
                f"{self.base_url}{VERIFY_PATH}",
                json=asdict(query),
                timeout=self.timeout,
                headers={"Authorization": f"Bearer {self.token}"},
            )
        except httpx.HTTPError as exc:
            raise BankUnavailable(f"the bank did not answer ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise BankUnavailable(f"the bank answered HTTP {response.status_code}")
        body = response.json()
        outcome = body.get("outcome") if isinstance(body, dict) else None
        if outcome not in OUTCOMES:
            raise BankUnavailable(f"the bank answered an unknown outcome {outcome!r}")
        return Verification(outcome, str(body.get("reference", "")))
