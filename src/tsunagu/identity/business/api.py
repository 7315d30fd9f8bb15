"""Business account API (GビズID-style) under /api/v1/identity/business."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from tsunagu.core import sessions
from tsunagu.core.errors import Forbidden, ValidationFailed
from tsunagu.core.http import problems
from tsunagu.core.http.auth import SESSION_COOKIE, TRANSACTION, require_principal
from tsunagu.core.http.deps import AppSettings, SecretKey
from tsunagu.core.logging import get_logger
from tsunagu.identity.business import service
from tsunagu.identity.business.schemas import (
    AccountOut,
    EnrolmentOut,
    GrantIn,
    LoginIn,
    MemberIn,
    Message,
    PrimeApplication,
    ResetIn,
    ResetRequestIn,
)
from tsunagu.identity.history.http import auth_session

router = APIRouter(prefix="/api/v1/identity/business", tags=["identity: business accounts"])
log = get_logger("tsunagu.identity.business")
RESET_ANSWER = "if an account with this login id exists, a reset link has been sent to it"


def _business(principal: sessions.Principal = Depends(require_principal)) -> sessions.Principal:
    if principal.kind != "business":
        raise Forbidden("only a business account can use this")
    return principal


@router.post(
    "/prime",
    response_model=EnrolmentOut,
    status_code=201,
    summary="Apply for a prime account, signed by the representative",
    responses={
        401: {
            "description": "certificate-untrusted, certificate-expired, certificate-revoked, "
            "signature-invalid"
        },
        403: {
            "description": "business-signer-not-representative, business-delegation-expired and the other "
            "refusals of a signer or delegation"
        },
        404: {"description": "business-unknown-corporation"},
        409: {
            "description": "business-corporation-closed, business-prime-exists, business-login-id-taken, "
            "business-no-representative-on-record"
        },
    },
)
def apply_prime(body: PrimeApplication, secret_key: SecretKey, db: Session = TRANSACTION) -> EnrolmentOut:
    try:
        signature = base64.b64decode(body.signature, validate=True)
    except binascii.Error:
        raise ValidationFailed(
            "the signature is not base64",
            errors=[{"location": ["body", "signature"], "message": "not base64"}],
        ) from None
    delegation = service.read_signed_delegation(body.delegation.encode()) if body.delegation else None
    enrolment = service.create_prime(
        db,
        secret_key,
        corporate_number=body.corporate_number,
        login_id=body.login_id,
        display_name=body.display_name,
        password=body.password,
        signature=signature,
        certificate_pem=body.certificate_pem.encode(),
        delegation=delegation,
    )
    return _enrolment(enrolment)


@router.post(
    "/members",
    response_model=EnrolmentOut,
    status_code=201,
    summary="Create a member account (prime account only)",
)
def create_member(
    body: MemberIn,
    secret_key: SecretKey,
    db: Session = TRANSACTION,
    prime: sessions.Principal = Depends(_business),
) -> EnrolmentOut:
    return _enrolment(
        service.create_member(
            db,
            secret_key,
            prime,
            login_id=body.login_id,
            display_name=body.display_name,
            password=body.password,
            procedures=body.procedures,
        )
    )


@router.get("/members", response_model=list[AccountOut], summary="Member accounts of the corporation")
def members(db: Session = TRANSACTION, prime: sessions.Principal = Depends(_business)) -> list[AccountOut]:
    return [_account(a) for a in service.members_of(db, prime)]


@router.put(
    "/members/{member_id}/procedures",
    response_model=AccountOut,
    summary="Set the procedures a member may act on",
)
def set_procedures(
    member_id: str, body: GrantIn, db: Session = TRANSACTION, prime: sessions.Principal = Depends(_business)
) -> AccountOut:
    return _account(service.grant(db, prime, member_id, body.procedures))


@router.post(
    "/login",
    response_model=AccountOut,
    summary="Log in with password and TOTP",
    responses=problems.TOO_MANY_ATTEMPTS,
)
def login(
    body: LoginIn,
    request: Request,
    response: Response,
    *,
    settings: AppSettings,
    secret_key: SecretKey,
    db: Session = Depends(auth_session, scope="function"),
) -> AccountOut:
    principal = service.login(
        db,
        secret_key,
        login_id=body.login_id.strip().lower(),
        password=body.password,
        totp_code=body.totp,
        client=request.client.host if request.client else "",
    )
    token = sessions.start(db, principal, previous_token=request.cookies.get(SESSION_COOKIE))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        path="/",
        secure=settings.secure_cookies,
    )
    return _account(service.get_account(db, principal.subject_id))


@router.post(
    "/password-reset",
    response_model=Message,
    status_code=202,
    summary="Request a reset link (same answer whether or not the account exists)",
)
def request_reset(body: ResetRequestIn, settings: AppSettings, db: Session = TRANSACTION) -> Message:
    token = service.request_password_reset(db, body.login_id.strip().lower())
    if token and settings.environment != "production":
        # No mail transport in development: the link goes to the log, never to the requester.
        log.info("password_reset_link", path=f"/api/v1/identity/business/password-reset/{token}")
    return Message(message=RESET_ANSWER)


@router.post("/password-reset/complete", response_model=Message, summary="Set a new password")
def complete_reset(body: ResetIn, db: Session = TRANSACTION) -> Message:
    service.reset_password(db, body.token, body.new_password)
    return Message(message="the password has been changed")


def _account(account: service.AccountRecord) -> AccountOut:
    return AccountOut(
        id=account.id,
        corporate_number=account.corporate_number,
        login_id=account.login_id,
        display_name=account.display_name,
        kind=account.kind,
        procedures=list(account.procedures),
    )


def _enrolment(enrolment: service.Enrolment) -> EnrolmentOut:
    return EnrolmentOut(
        account=_account(enrolment.account),
        totp_secret=enrolment.totp_secret,
        provisioning_uri=enrolment.provisioning_uri,
    )
