"""Residents' pages of the OpenID Connect provider: consent, remembered consents, logout.

Database sessions use ``scope="function"`` so that the transaction commits before the response
leaves: a relying party redeems a code (or replays one) the moment it has it.

The consent and logout forms end at the relying party (a 303 to its registered URI). Chromium
checks every redirect after a form submission against the page's ``form-action``, so these
pages — and the login page when it resumes an authorization — allow that one origin
(:func:`allow_return_to`); every other page keeps ``form-action 'self'``.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core import clock, sessions
from tsunagu.core.http import csrf, problems
from tsunagu.core.http.auth import SESSION_COOKIE, current_principal, require_resident
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.templating import locale_of, render, translate
from tsunagu.identity.history import service as history
from tsunagu.identity.oidc import claims, service
from tsunagu.identity.oidc.api import COMMITTED, provider
from tsunagu.identity.oidc.errors import (
    AuthorizationRequestRejectedError,
    InvalidRedirectUriError,
    UnknownClientError,
)
from tsunagu.identity.organizations import service as organizations

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.protect)])
#: The resident login (card login, identity/cards); it returns to ``next`` afterwards.
RESIDENT_LOGIN = "/identity/login"
UNTRUSTED_REQUEST = N_(
    "ログインを求めたサービスが、つなぐに登録されている内容と一致しません。安全のため、"
    "ここで止めました。利用しようとしたサービスの運営者にお問い合わせください。"
)
#: ``request.state`` key read by ``tsunagu.web.middleware`` (content security policy).
FORM_ACTION_ORIGINS = "form_action_origins"


def allow_return_to(request: Request, origin: str | None) -> None:
    """Let this page's forms end at ``origin`` (a registered relying party's), besides this site."""
    if origin:
        current: tuple[str, ...] = getattr(request.state, FORM_ACTION_ORIGINS, ())
        setattr(request.state, FORM_ACTION_ORIGINS, (*current, origin))


@router.get("/oidc/authorize", response_class=HTMLResponse)
def authorize(
    request: Request, db: Session = COMMITTED, op: service.Provider = Depends(provider)
) -> Response:
    """認可リクエスト: log in first if needed, then the consent screen (or at once if remembered)."""
    params = dict(request.query_params)
    try:
        authorization = service.parse_authorization(db, params)
    except AuthorizationRequestRejectedError as rejected:
        return RedirectResponse(service.rejection_url(op, rejected), status_code=303)
    except (UnknownClientError, InvalidRedirectUriError):
        if not problems.wants_html(request):
            raise
        # never redirected to: the person is told here, in words (the detail is for the API)
        return render(
            request,
            "error.html",
            {
                "status": 400,
                "title": translate(request, "このサービスにはログインできません"),
                "detail": translate(request, UNTRUSTED_REQUEST),
            },
            status_code=400,
        )
    principal = current_principal(request)
    auth_time = service.authenticated_at(db, request.cookies.get(SESSION_COOKIE))
    if principal is None or principal.kind != "resident" or service.needs_login(authorization, auth_time):
        if authorization.prompt == "none":
            return RedirectResponse(
                service.rejection_url(op, service.login_required(authorization)), status_code=303
            )
        target = service.resume_after_login(authorization)
        return RedirectResponse(f"{RESIDENT_LOGIN}?{urlencode({'next': target})}", status_code=303)
    if service.remembered_consent(db, principal.subject_id, authorization):
        return RedirectResponse(
            service.approve(db, op, principal.subject_id, authorization, remember=False, auth_time=auth_time),
            status_code=303,
        )
    return _consent_page(request, db, principal, authorization)


@router.post("/oidc/authorize")
async def decide(
    request: Request,
    *,
    decision: str = Form(...),
    remember: bool = Form(False),
    db: Session = COMMITTED,
    op: service.Provider = Depends(provider),
    resident: sessions.Principal = Depends(require_resident),
) -> Response:
    """同意する / 同意しない on the consent screen."""
    form = await request.form()
    params = {
        key: str(value) for key, value in form.items() if key not in (csrf.FIELD, "decision", "remember")
    }
    try:
        authorization = service.parse_authorization(db, params)
    except AuthorizationRequestRejectedError as rejected:
        return RedirectResponse(service.rejection_url(op, rejected), status_code=303)
    if decision != "approve":
        return RedirectResponse(service.deny(op, authorization), status_code=303)
    target = service.approve(
        db,
        op,
        resident.subject_id,
        authorization,
        remember=remember,
        auth_time=service.authenticated_at(db, request.cookies.get(SESSION_COOKIE)),
    )
    history.record_event(
        db,
        "resident",
        resident.subject_id,
        "oidc_consent_given",
        {
            "client_id": authorization.client.client_id,
            "client_name": authorization.client.name,
            "scopes": list(authorization.scopes),
            "remembered": remember,
        },
    )
    return RedirectResponse(target, status_code=303)


@router.get("/oidc/consents", response_class=HTMLResponse)
def consents(
    request: Request, db: Session = COMMITTED, resident: sessions.Principal = Depends(require_resident)
) -> HTMLResponse:
    """連携中のサービス: the consents the resident gave, each withdrawable."""
    given = service.consents_of(db, resident.subject_id)
    return render(
        request,
        "identity/oidc/consents.html",
        {
            "consents": given,
            "operators": {
                c.organization_code: operator_name(request, db, c.organization_code) for c in given
            },
            "granted": {c.id: _japan_time(c.granted_at) for c in given},
        },
    )


def _japan_time(at: datetime) -> str:
    local = at.astimezone(clock.JST)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


@router.post("/oidc/consents/{consent_id}/withdraw")
def withdraw(
    consent_id: int, db: Session = COMMITTED, resident: sessions.Principal = Depends(require_resident)
) -> RedirectResponse:
    withdrawn = service.withdraw_consent(db, resident.subject_id, consent_id)
    history.record_event(
        db,
        "resident",
        resident.subject_id,
        "oidc_consent_withdrawn",
        {"client_id": withdrawn.client_id, "client_name": withdrawn.client_name},
    )
    return RedirectResponse("/oidc/consents?withdrawn=1", status_code=303)


@router.get("/oidc/logout", response_class=HTMLResponse)
def logout_confirm(
    request: Request,
    *,
    id_token_hint: str | None = None,
    post_logout_redirect_uri: str | None = None,
    state: str | None = None,
    db: Session = COMMITTED,
    op: service.Provider = Depends(provider),
) -> HTMLResponse:
    """RP-initiated logout: ask before ending the session (a link alone must not log out)."""
    client, target = service.logout_target(
        db, op, id_token_hint=id_token_hint, post_logout_redirect_uri=post_logout_redirect_uri, state=state
    )
    if target != "/":
        allow_return_to(request, service.origin_of(target))
    return render(
        request,
        "identity/oidc/logout.html",
        {
            "client": client,
            "id_token_hint": id_token_hint,
            "post_logout_redirect_uri": post_logout_redirect_uri,
            "state": state,
        },
    )


@router.post("/oidc/logout")
def logout(
    request: Request,
    *,
    id_token_hint: str | None = Form(None),
    post_logout_redirect_uri: str | None = Form(None),
    state: str | None = Form(None),
    db: Session = COMMITTED,
    op: service.Provider = Depends(provider),
) -> Response:
    _client, target = service.logout_target(
        db, op, id_token_hint=id_token_hint, post_logout_redirect_uri=post_logout_redirect_uri, state=state
    )
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        sessions.end(db, token)
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _consent_page(
    request: Request, db: Session, resident: sessions.Principal, authorization: service.AuthorizationRequest
) -> HTMLResponse:
    released = claims.released_values(db, resident.subject_id, authorization.scopes)
    allow_return_to(request, service.origin_of(authorization.redirect_uri))
    return render(
        request,
        "identity/oidc/consent.html",
        {
            "authorization": authorization,
            "hidden": authorization.as_params(),
            "released": released,
            "operator": operator_name(request, db, authorization.client.organization_code),
        },
    )


def operator_name(request: Request, db: Session, organization_code: str) -> str:
    """The operating organization by its name in the page's language (never its code)."""
    found = organizations.get_organization(db, organization_code)
    if found is None:
        return translate(request, "登録事業者")
    return found.name_en if locale_of(request) == "en" and found.name_en else found.name_ja
