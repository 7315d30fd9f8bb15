"""Sole proprietors' business accounts (個人事業主) under /api/v1/identity/business/sole-proprietors.

The caller is a resident logged in with the card (or that person acting as their business). A
switch of who acts answers with a new session cookie, as a login does.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from tsunagu.core import sessions
from tsunagu.core.errors import NotFound
from tsunagu.core.http.auth import SESSION_COOKIE, TRANSACTION, require_principal
from tsunagu.core.http.deps import AppSettings
from tsunagu.identity.business import service
from tsunagu.identity.business.schemas import (
    ActingOut,
    SoleProprietorCloseIn,
    SoleProprietorIn,
    SoleProprietorOut,
)

router = APIRouter(prefix="/api/v1/identity/business/sole-proprietors", tags=["identity: business accounts"])


#: the refusals of these routes beyond what their dependencies imply (web/openapi.py adds those)
NO_ACCOUNT: dict[int | str, dict[str, Any]] = {
    404: {"description": "The caller holds no open sole-proprietor account"}
}
NOT_YOURS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not a card login, or not the caller's own open account (`business-not-yours`)"}
}
EXISTS: dict[int | str, dict[str, Any]] = {
    409: {"description": "The caller already holds an open sole-proprietor account"}
}


class NoSoleProprietorshipError(NotFound):
    code = "business-no-sole-proprietorship"
    title = "No sole-proprietor account"


def _out(record: service.SoleProprietorRecord) -> SoleProprietorOut:
    return SoleProprietorOut(
        id=record.id,
        owner_name=record.owner_name,
        trade_name=record.trade_name,
        office_address=record.office_address,
        industry=record.industry,
        opened_at=record.opened_at,
        closed_on=record.closed_on,
    )


@router.post(
    "",
    response_model=SoleProprietorOut,
    status_code=201,
    summary="Open a sole-proprietor account",
    responses={**NOT_YOURS, **EXISTS},
)
def open_account(
    body: SoleProprietorIn,
    db: Session = TRANSACTION,
    principal: sessions.Principal = Depends(require_principal),
) -> SoleProprietorOut:
    return _out(
        service.open_sole_proprietorship(
            db,
            principal,
            trade_name=body.trade_name,
            office_address=body.office_address,
            industry=body.industry,
        )
    )


@router.get(
    "/mine",
    response_model=SoleProprietorOut,
    summary="The caller's open sole-proprietor account",
    responses={**NOT_YOURS, **NO_ACCOUNT},
)
def mine(
    db: Session = TRANSACTION, principal: sessions.Principal = Depends(require_principal)
) -> SoleProprietorOut:
    if principal.kind != "resident" and not service.is_sole_proprietor(principal):
        raise service.NotAResidentError("log in with your My Number Card to use a sole-proprietor account")
    record = service.sole_proprietorship_of(db, principal.subject_id)
    if record is None:
        raise NoSoleProprietorshipError("you hold no open sole-proprietor account")
    return _out(record)


@router.post(
    "/{account_id}/close",
    response_model=SoleProprietorOut,
    summary="Record 廃業 (close the account)",
    responses=NOT_YOURS,
)
def close_account(
    account_id: str,
    body: SoleProprietorCloseIn,
    db: Session = TRANSACTION,
    principal: sessions.Principal = Depends(require_principal),
) -> SoleProprietorOut:
    return _out(service.close_sole_proprietorship(db, principal, account_id, closed_on=body.closed_on))


def _switch(
    request: Request, response: Response, db: Session, settings: AppSettings, principal: sessions.Principal
) -> None:
    previous = request.cookies.get(SESSION_COOKIE)
    token = sessions.start(
        db, principal, previous_token=previous, ttl=sessions.remaining(db, previous) or sessions.DEFAULT_TTL
    )
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", path="/", secure=settings.secure_cookies
    )


@router.post(
    "/{account_id}/act",
    response_model=ActingOut,
    summary="Act as the caller's own sole proprietorship",
    responses=NOT_YOURS,
)
def act_as_business(
    account_id: str,
    *,
    request: Request,
    response: Response,
    settings: AppSettings,
    db: Session = TRANSACTION,
    principal: sessions.Principal = Depends(require_principal),
) -> ActingOut:
    acting = service.act_as_business(db, principal, account_id)
    _switch(request, response, db, settings, acting)
    return ActingOut(acting_as="sole_proprietor", display_name=acting.display_name)


@router.post("/act-as-self", response_model=ActingOut, summary="Act as oneself again", responses=NOT_YOURS)
def act_as_self(
    *,
    request: Request,
    response: Response,
    settings: AppSettings,
    db: Session = TRANSACTION,
    principal: sessions.Principal = Depends(require_principal),
) -> ActingOut:
    person = service.act_as_self(db, principal)
    _switch(request, response, db, settings, person)
    return ActingOut(acting_as="self", display_name=person.display_name)
