"""People's pages of business accounts (GビズID-style): login, the prime account's members, reset.

Thin: every rule is in ``service``; these pages turn its errors into messages next to the form.
"""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from tsunagu.core import clock, sessions
from tsunagu.core.errors import TsunaguError, ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import SESSION_COOKIE, TRANSACTION, current_principal
from tsunagu.core.http.redirects import safe_next
from tsunagu.core.http.templating import render, translate
from tsunagu.core.logging import get_logger
from tsunagu.identity.business import service
from tsunagu.identity.history import service as history
from tsunagu.identity.history.http import auth_session, client_of, end_session, set_session_cookie

router = APIRouter(prefix="/business", include_in_schema=False, dependencies=[Depends(csrf.protect)])
log = get_logger("tsunagu.identity.business")
HOME = "/business"
PRIME_ROLE = "gbizid:prime"
#: Japanese message ids for the service's error codes (the English details are for the API).
MESSAGES = {
    service.LoginFailedError.code: "ログインID、パスワードまたはワンタイムコードが正しくありません。",
    service.TotpMissingError.code: "認証アプリに表示されるワンタイムコードを入力してください。",
    "too-many-attempts": "失敗が続いたため、しばらく時間をおいてからお試しください。",
    service.LoginIdTakenError.code: "このログインIDはすでに使われています。",
    service.ResetTokenInvalidError.code:
        "再設定のリンクが無効か、期限切れか、使用済みです。もう一度申請してください。",
}
FIELD_MESSAGES = {
    "login_id": "ログインIDはメールアドレスです。",
    "display_name": "氏名を入力してください。",
    "password": "パスワードは12文字以上にしてください。",
}


def _business(request: Request) -> sessions.Principal | None:
    principal = current_principal(request)
    return principal if principal is not None and principal.kind == "business" else None


def _to_login(request: Request) -> RedirectResponse:
    back = request.url.path if request.method == "GET" else HOME
    return RedirectResponse(f"/business/login?{urlencode({'next': back})}", status_code=303)


def _messages(request: Request, error: TsunaguError) -> list[str]:
    """The problems of ``error`` as translated sentences for the person."""
    if isinstance(error, ValidationFailed) and error.errors:
        fields = {str(e["location"][-1]) for e in error.errors if e.get("location")}
        known = [translate(request, FIELD_MESSAGES[f]) for f in sorted(fields) if f in FIELD_MESSAGES]
        if known:
            return known
    return [translate(request, MESSAGES.get(error.code, "入力内容を確認してください。"))]


# ---- login and logout ---------------------------------------------------------------------------

@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "") -> HTMLResponse:
    """GビズID ログイン."""
    return render(request, "identity/business/login.html", {"next": safe_next(next, HOME), "login_id": ""})


@router.post("/login", response_model=None)
def login(request: Request, *, login_id: str = Form("", max_length=254),
          password: str = Form("", max_length=200), totp: str = Form("", max_length=10),
          next: str = Form(""), db: Session = Depends(auth_session, scope="function")) -> Response:
    try:
        principal = service.login(db, request.app.state.secret_key, login_id=login_id.strip().lower(),
                                  password=password, totp_code=totp, client=client_of(request))
    except history.AuthenticationFailed as failed:
        return render(request, "identity/business/login.html", {
            "next": safe_next(next, HOME), "login_id": login_id, "errors": _messages(request, failed)},
            status_code=failed.status)
    token = sessions.start(db, principal, previous_token=request.cookies.get(SESSION_COOKIE),
                           data={"authenticated_at": clock.now().isoformat()})
    response = RedirectResponse(safe_next(next, HOME), status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.post("/logout")
def logout(request: Request, db: Session = TRANSACTION) -> RedirectResponse:
    response = RedirectResponse("/business/login", status_code=303)
    end_session(request, response, db)
    return response


# ---- the account's dashboard --------------------------------------------------------------------

@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, db: Session = TRANSACTION) -> Response:
    """プライムは所属メンバーと手続の権限を、メンバーは自分の権限を見る."""
    principal = _business(request)
    if principal is None:
        return _to_login(request)
    return _dashboard(request, db, principal)


def _dashboard(request: Request, db: Session, principal: sessions.Principal, status_code: int = 200,
               **context: object) -> HTMLResponse:
    prime = principal.has_role(PRIME_ROLE)
    return render(request, "identity/business/dashboard.html", {
        "account": service.get_account(db, principal.subject_id), "prime": prime,
        "members": service.members_of(db, principal) if prime else [],
        "updated": request.query_params.get("updated"), **context}, status_code=status_code)


@router.post("/members", response_model=None)
def create_member(request: Request, *, login_id: str = Form("", max_length=254),
                  display_name: str = Form("", max_length=200), password: str = Form("", max_length=200),
                  procedures: str = Form("", max_length=2000),
                  db: Session = TRANSACTION) -> Response:
    """メンバーの作成 (prime only); the TOTP seed is shown once, as text and as a QR code."""
    principal = _business(request)
    if principal is None:
        return _to_login(request)
    try:
        enrolment = service.create_member(
            db, request.app.state.secret_key, principal, login_id=login_id, display_name=display_name,
            password=password, procedures=procedures.replace("、", ",").split(","))
    except (ValidationFailed, service.LoginIdTakenError) as problem:
        return _dashboard(request, db, principal, problem.status, errors=_messages(request, problem),
                          form={"login_id": login_id, "display_name": display_name,
                                "procedures": procedures})
    qr = segno.make(enrolment.provisioning_uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return render(request, "identity/business/enrolled.html", {
        "enrolment": enrolment,
        "qr_svg": Markup(qr)}, status_code=201)  # noqa: S704 -- segno writes only SVG path data


@router.post("/members/{member_id}/procedures", response_model=None)
def set_procedures(request: Request, member_id: str, *, procedure: list[str] = Form([]),
                   added: str = Form("", max_length=2000), db: Session = TRANSACTION) -> Response:
    """手続の権限: checked procedures are kept (unchecked ones revoked), ``added`` ones granted."""
    principal = _business(request)
    if principal is None:
        return _to_login(request)
    service.grant(db, principal, member_id, [*procedure, *added.replace("、", ",").split(",")])
    return RedirectResponse(f"{HOME}?updated={member_id}", status_code=303)


# ---- password reset -----------------------------------------------------------------------------

@router.get("/password-reset", response_class=HTMLResponse)
def reset_request_page(request: Request) -> HTMLResponse:
    return render(request, "identity/business/reset_request.html", {})


@router.post("/password-reset", response_class=HTMLResponse)
def reset_request(request: Request, login_id: str = Form("", max_length=254),
                  db: Session = TRANSACTION) -> HTMLResponse:
    """The same answer whether or not the account exists; the link goes to its address only."""
    token = service.request_password_reset(db, login_id.strip().lower())
    if token and request.app.state.settings.environment != "production":
        # No mail transport in development: the link goes to the log, never to the requester.
        log.info("password_reset_link",
                 path=f"/business/password-reset/complete?{urlencode({'token': token})}")
    return render(request, "identity/business/reset_request.html", {"sent": True}, status_code=202)


@router.get("/password-reset/complete", response_class=HTMLResponse)
def reset_page(request: Request, token: str = "") -> HTMLResponse:
    return render(request, "identity/business/reset.html", {"token": token})


@router.post("/password-reset/complete", response_class=HTMLResponse)
def reset(request: Request, *, token: str = Form("", max_length=200),
          new_password: str = Form("", max_length=200), db: Session = TRANSACTION) -> HTMLResponse:
    try:
        service.reset_password(db, token, new_password)
    except ValidationFailed as problem:
        return render(request, "identity/business/reset.html", {
            "token": token, "errors": _messages(request, problem)}, status_code=problem.status)
    return render(request, "identity/business/reset.html", {"done": True})
