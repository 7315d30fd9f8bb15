"""JSON API of card login (challenge → sign → verify), the card app answer, cards and signatures."""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import asdict

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http import problems
from tsunagu.core.http.auth import SESSION_COOKIE, require_principal
from tsunagu.core.http.deps import AppSettings
from tsunagu.core.sessions import Principal
from tsunagu.core.settings import Settings
from tsunagu.identity.cards import ca, service
from tsunagu.identity.cards.schemas import (
    AnswerAccepted,
    CardAnswer,
    CardIssue,
    CardOut,
    CardRevoke,
    ChallengeOut,
    LoggedIn,
    SignatureCheck,
    SignerOut,
)
from tsunagu.identity.history.http import AUTH_COMMITTED, COMMITTED, client_of, set_session_cookie

router = APIRouter(prefix="/api/v1/identity", tags=["identity: My Number Card"])
BINDING_COOKIE = "tsunagu_card_login"


def card_app_url(settings: Settings, challenge: service.Challenge) -> str:
    base = settings.base_url.rstrip("/")
    return f"{base}/identity/card-app?challenge={challenge.id}&nonce={challenge.nonce}"


def start_challenge(
    request: Request, response: Response, db: Session, settings: Settings
) -> service.Challenge:
    """A challenge bound to this browser by a secret in an HttpOnly cookie (kept across reloads)."""
    binding = request.cookies.get(BINDING_COOKIE) or secrets.token_urlsafe(32)
    challenge = service.new_challenge(db, binding)
    response.set_cookie(
        BINDING_COOKIE,
        binding,
        httponly=True,
        samesite="lax",
        path="/",
        max_age=int(service.CHALLENGE_TTL.total_seconds()),
        secure=settings.secure_cookies,
    )
    return challenge


def _decode(text: str, field: str, *, urlsafe: bool) -> bytes:
    try:
        padded = text + "=" * (-len(text) % 4)
        return base64.urlsafe_b64decode(padded) if urlsafe else base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            f"{field} is not base64",
            errors=[{"location": ["body", field], "message": "not base64", "type": "base64"}],
        ) from None


@router.post("/card-login/challenge", response_model=ChallengeOut)
def challenge(
    request: Request, response: Response, settings: AppSettings, db: Session = COMMITTED
) -> ChallengeOut:
    """Start a card login: a one-time nonce bound to this client (cookie), valid 5 minutes."""
    issued = start_challenge(request, response, db, settings)
    return ChallengeOut(
        challenge_id=issued.id,
        nonce=issued.nonce,
        expires_at=issued.expires_at,
        card_app_url=card_app_url(settings, issued),
    )


@router.post("/card-login/respond", response_model=AnswerAccepted)
def respond(body: CardAnswer, request: Request, db: Session = AUTH_COMMITTED) -> AnswerAccepted:
    """The card app's answer to a QR login; the waiting browser then completes the login."""
    service.answer_challenge(
        db,
        body.challenge_id,
        body.nonce,
        body.certificate.encode(),
        _decode(body.signature, "signature", urlsafe=True),
        client=client_of(request),
    )
    return AnswerAccepted()


@router.post("/card-login/verify", response_model=LoggedIn, responses=problems.TOO_MANY_ATTEMPTS)
def verify(body: CardAnswer, request: Request, db: Session = AUTH_COMMITTED) -> JSONResponse:
    """Direct login: the signed challenge in, a renewed session cookie out."""
    principal, token = service.login_with_card(
        db,
        body.challenge_id,
        body.nonce,
        body.certificate.encode(),
        _decode(body.signature, "signature", urlsafe=True),
        binding=request.cookies.get(BINDING_COOKIE, ""),
        previous_token=request.cookies.get(SESSION_COOKIE),
        client=client_of(request),
    )
    response = JSONResponse(logged_in(principal).model_dump())
    set_session_cookie(request, response, token)
    response.delete_cookie(BINDING_COOKIE, path="/")
    return response


def logged_in(principal: Principal) -> LoggedIn:
    return LoggedIn(
        kind=principal.kind,
        subject_id=principal.subject_id,
        display_name=principal.display_name,
        organization_code=principal.organization_code,
        roles=sorted(principal.roles),
    )


@router.post("/signatures/verify", response_model=SignerOut, responses=problems.UNTRUSTED_CERTIFICATE)
def verify_signature(body: SignatureCheck, db: Session = COMMITTED) -> SignerOut:
    """Check a 署名用 signature: chain, validity, revocation; answers who signed (基本4情報)."""
    info = service.verify_signature(
        db,
        _decode(body.data, "data", urlsafe=False),
        _decode(body.signature, "signature", urlsafe=False),
        body.certificate.encode(),
    )
    return SignerOut(**asdict(info))


@router.post("/cards", response_model=None, status_code=201, responses=problems.NOT_FOUND)
def issue_card(
    body: CardIssue,
    settings: AppSettings,
    principal: Principal = Depends(require_principal),
    db: Session = COMMITTED,
) -> Response:
    """Issue a virtual card (registrar staff of the resident's municipality); answers the card file."""
    service.authorize_card_office(db, principal, body.resident_id)
    issued = service.issue_card(
        db,
        ca.load_ca(settings.data_dir),
        body.resident_id,
        body.authentication_pin,
        body.signature_pin,
    )
    return Response(
        issued.file.dumps(),
        status_code=201,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="card-{issued.record.id}.json"'},
    )


@router.post("/cards/{card_id}/revoke", response_model=CardOut)
def revoke_card(
    card_id: str,
    settings: AppSettings,
    body: CardRevoke | None = None,
    principal: Principal = Depends(require_principal),
    db: Session = COMMITTED,
) -> CardOut:
    """Revoke a card (the holder, or registrar staff); a new CRL is published at once."""
    service.authorize_revocation(db, principal, card_id)
    record = service.revoke_card(db, ca.load_ca(settings.data_dir), card_id, (body or CardRevoke()).reason)
    return CardOut(**asdict(record))
