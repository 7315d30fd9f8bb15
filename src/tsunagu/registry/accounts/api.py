"""JSON API of the 公金受取口座: /api/v1/registry/me/public-money-account (the person's own)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session

from tsunagu.core.http.auth import TRANSACTION, require_resident
from tsunagu.core.sessions import Principal
from tsunagu.registry.accounts import bankcheck, service
from tsunagu.registry.accounts.schemas import AccountIn, AccountOut
from tsunagu.registry.accounts.wiring import bank_verifier

router = APIRouter(prefix="/api/v1/registry/me/public-money-account", tags=["registry"])


@router.get("", response_model=AccountOut)
def get_account(person: Principal = Depends(require_resident), db: Session = TRANSACTION) -> AccountOut:
    """The registered 公金受取口座 (404 ``accounts-not-registered`` when there is none)."""
    account = service.account_of(db, person.subject_id)
    if account is None:
        raise service.NoAccount("no public-money account is registered for you")
    return AccountOut.of(account)


@router.put("", response_model=AccountOut)
def put_account(
    body: AccountIn,
    person: Principal = Depends(require_resident),
    bank: bankcheck.BankVerifier = Depends(bank_verifier),
    db: Session = TRANSACTION,
) -> AccountOut:
    """Register or change the account; the bank confirms it is held in the person's name first
    (422 ``accounts-not-confirmed`` otherwise, 503 ``accounts-bank-unavailable`` when it cannot)."""
    account = service.register(db, bank, person.subject_id, service.AccountIn(**body.model_dump()))
    return AccountOut.of(account)


@router.delete("", status_code=204)
def delete_account(person: Principal = Depends(require_resident), db: Session = TRANSACTION) -> Response:
    service.delete(db, person.subject_id)
    return Response(status_code=204)
