"""The bank-verification provider of this deployment, as a request dependency."""

from __future__ import annotations

from fastapi import Request

from tsunagu.core.http.deps import database_of, secret_of, settings_of
from tsunagu.registry.accounts import bankcheck, testbank


def bank_verifier(request: Request) -> bankcheck.BankVerifier:
    """The bank at ``TSUNAGU_BANK_VERIFIER_URL`` over HTTP; without one, the test bank in-process."""
    url = settings_of(request).bank_verifier_url
    if url:
        return bankcheck.HttpBankVerifier(url, bankcheck.bank_token(secret_of(request)))
    return testbank.TestBank(database_of(request))
