"""People's pages of card login (QR), the mobile card app, the CRL and demo card issuance."""

from __future__ import annotations

from pathlib import Path

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import NotFound, ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import SESSION_COOKIE
from tsunagu.core.http.deps import AppSettings
from tsunagu.core.http.redirects import safe_next
from tsunagu.core.http.templating import render, translate
from tsunagu.core.messages import N_
from tsunagu.core.settings import Settings
from tsunagu.identity.cards import ca, service
from tsunagu.identity.cards.api import BINDING_COOKIE, card_app_url, start_challenge
from tsunagu.identity.cards.errors import ChallengePending, ResidentCannotHoldCard
from tsunagu.identity.cards.virtualcard import USAGES, check_pin
from tsunagu.identity.history.http import AUTH_COMMITTED, COMMITTED, client_of, set_session_cookie
from tsunagu.identity.oidc import service as oidc
from tsunagu.identity.oidc.pages import allow_return_to

router = APIRouter(prefix="/identity", include_in_schema=False, dependencies=[Depends(csrf.protect)])
# the card apps' scripts: the card kept in the browser (core), the login app, the signing app
CARD_SCRIPTS = {
    name: Path(__file__).resolve().parent / "static" / f"card-{name}.js" for name in ("core", "app", "sign")
}
AFTER_LOGIN = "/mypage"  # マイページ (tsunagu.web.mypage)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, settings: AppSettings, next: str = "", db: Session = COMMITTED) -> Response:
    """ログイン: a QR code carrying a fresh challenge for the card app; back to ``next`` after."""
    response = Response()
    challenge = start_challenge(request, response, db, settings)
    url = card_app_url(settings, challenge)
    qr = segno.make(url, error="m").svg_inline(scale=4, dark="#000", light="#fff", omitsize=False)
    # resuming an OpenID Connect authorization may end at the relying party (remembered consent)
    allow_return_to(request, oidc.return_origin(db, safe_next(next, AFTER_LOGIN)))
    page = render(
        request,
        "identity/cards/login.html",
        {
            "qr_svg": Markup(qr),  # noqa: S704 -- segno writes only path data, never the URL text
            "card_app_url": url,
            "challenge_id": challenge.id,
            "expires_at": challenge.expires_at.astimezone(clock.JST).strftime("%H:%M"),
            "next": safe_next(next, AFTER_LOGIN),
        },
    )
    for value in response.headers.getlist("set-cookie"):
        page.headers.append("set-cookie", value)
    return page


@router.post("/login/complete", response_model=None)
def complete(
    request: Request,
    challenge_id: str = Form(..., max_length=64),
    next: str = Form(AFTER_LOGIN, max_length=2000),
    db: Session = AUTH_COMMITTED,
) -> Response:
    """The browser finishes the login once the card has answered (no JavaScript needed)."""
    try:
        _principal, token = service.complete_login(
            db,
            challenge_id,
            request.cookies.get(BINDING_COOKIE, ""),
            previous_token=request.cookies.get(SESSION_COOKIE),
            client=client_of(request),
        )
    except ChallengePending:
        allow_return_to(request, oidc.return_origin(db, safe_next(next, AFTER_LOGIN)))
        return render(
            request,
            "identity/cards/wait.html",
            {"challenge_id": challenge_id, "next": safe_next(next, AFTER_LOGIN)},
            status_code=409,
        )
    response = RedirectResponse(safe_next(next, AFTER_LOGIN), status_code=303)
    set_session_cookie(request, response, token)
    response.delete_cookie(BINDING_COOKIE, path="/")
    return response


@router.get("/card-app", response_class=HTMLResponse)
def card_app(request: Request, challenge: str = "", nonce: str = "") -> HTMLResponse:
    """The mobile card app page: the card file stays in this browser; WebCrypto signs."""
    return render(
        request, "identity/cards/card_app.html", {"challenge_id": challenge[:64], "nonce": nonce[:128]}
    )


@router.get("/card-{name}.js")
def card_script(name: str) -> Response:
    """The card apps' scripts (card-core.js is what the login and the signing app share)."""
    path = CARD_SCRIPTS.get(name)
    if path is None:
        raise NotFound(f"no script card-{name}.js")
    return Response(path.read_bytes(), media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/crl.der")
def crl(settings: AppSettings, db: Session = COMMITTED) -> Response:
    """失効リスト: the CA's current X.509 CRL (DER), re-signed when past its next update."""
    der = service.current_crl(db, ca.load_ca(settings.data_dir))
    return Response(der, media_type="application/pkix-crl", headers={"Cache-Control": "max-age=60"})


@router.get("/ca.pem")
def ca_certificate(settings: AppSettings) -> Response:
    """The platform root certificate, for anyone verifying signatures."""
    return Response(ca.load_ca(settings.data_dir).certificate_pem, media_type="application/x-pem-file")


def _demo_only(request: Request, settings: Settings) -> None:
    if settings.environment == "production":
        raise NotFound(translate(request, "この機能は本番環境では使えません。"))


#: what the demo issuance page says at a field it cannot accept
DEMO_ERRORS = {
    "resident_id": N_(
        "この住民IDの住民は見つかりません。職員の「住民を検索」で住民を開き、そこから発行してください。"
    ),
    "resident_gone": N_("この住民は転出・死亡などのため、カードを発行できません。"),
    "authentication_pin": N_("利用者証明用暗証番号は半角数字4桁で入力してください。"),
    "signature_pin": N_("署名用暗証番号は半角の英大文字と数字で6〜16文字で入力してください。"),
}


def _demo_form(
    request: Request, values: dict[str, str], errors: dict[str, str], status_code: int = 200
) -> HTMLResponse:
    return render(
        request,
        "identity/cards/demo_issue.html",
        {"values": values, "errors": errors},
        status_code=status_code,
    )


@router.get("/cards/demo", response_class=HTMLResponse)
def demo_issue_page(request: Request, settings: AppSettings, resident_id: str = "") -> HTMLResponse:
    """デモ用カードの発行; the staff resident record links here with the resident filled in."""
    _demo_only(request, settings)
    return _demo_form(request, {"resident_id": resident_id[:64]}, {})


@router.post("/cards/demo", response_model=None)
def demo_issue(
    request: Request,
    settings: AppSettings,
    *,
    resident_id: str = Form(..., max_length=64),
    authentication_pin: str = Form(..., max_length=16),
    signature_pin: str = Form(..., max_length=16),
    db: Session = COMMITTED,
) -> Response:
    """Issue a virtual card for a synthetic demo resident and download it (demo environments only)."""
    _demo_only(request, settings)
    values = {"resident_id": resident_id.strip()}
    errors = {}
    for usage in USAGES:
        try:
            check_pin(usage, authentication_pin if usage == "authentication" else signature_pin)
        except ValidationFailed:
            errors[f"{usage}_pin"] = DEMO_ERRORS[f"{usage}_pin"]
    if not errors:
        try:
            issued = service.issue_card(
                db, ca.load_ca(settings.data_dir), values["resident_id"], authentication_pin, signature_pin
            )
        except NotFound:
            errors["resident_id"] = DEMO_ERRORS["resident_id"]
        except ResidentCannotHoldCard:
            errors["resident_id"] = DEMO_ERRORS["resident_gone"]
    if errors:
        return _demo_form(request, values, errors, status_code=422)
    return Response(
        issued.file.dumps(),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="card-{issued.record.id}.json"'},
    )
