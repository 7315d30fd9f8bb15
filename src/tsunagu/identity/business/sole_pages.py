"""Pages of a sole proprietor's business account (個人事業主): open it with the card login, switch
between acting as oneself and acting as the business, and record 廃業.

Thin: every rule is in ``service.sole_proprietors``; these pages turn its errors into messages next
to the form (values kept). Switching starts a new session (a new token) for the other principal,
ending when the card login's session would have ended.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core import clock, sessions
from tsunagu.core.errors import TsunaguError, ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import SESSION_COOKIE, TRANSACTION, current_principal
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.templating import render, translate
from tsunagu.identity.business import service
from tsunagu.identity.history.http import set_session_cookie
from tsunagu.registry.residents import service as residents

router = APIRouter(
    prefix="/business/sole-proprietor", include_in_schema=False, dependencies=[Depends(csrf.protect)]
)
PAGE = "/business/sole-proprietor"
TEMPLATE = "identity/business/sole_proprietor.html"
#: why a request was refused, for the person (the service's codes)
MESSAGES = {
    service.SoleProprietorExistsError.code: N_(
        "個人事業主のアカウントはすでにお持ちです。1人が持てる個人事業主のアカウントは1つです。"
        "別の事業を始めるときは、今のアカウントの屋号や事業所を使うか、廃業を届け出てから開設してください。"
    ),
    service.NotYourBusinessError.code: N_(
        "この事業者として操作することはできません。あなたが開設した、廃業していない個人事業主のアカウントだけを選べます。"
    ),
    service.NotAResidentError.code: N_("マイナンバーカードでログインしてから操作してください。"),
}
FIELD_MESSAGES = {
    "trade_name": N_("屋号は100文字以内で入力してください。"),
    "office_address": N_("事業所の所在地を入力してください（300文字以内）。"),
    "industry": N_("業種を入力してください（100文字以内）。"),
    "closed_on": N_("廃業日は、アカウントを開設した日から今日までの日付を入力してください。"),
}


def _messages(request: Request, error: TsunaguError) -> tuple[list[str], dict[str, str]]:
    """The refusal as sentences, and the message of each field it marks."""
    if isinstance(error, ValidationFailed) and error.errors:
        names = {str(e["location"][-1]) for e in error.errors if e.get("location")}
        fields = {f: translate(request, FIELD_MESSAGES[f]) for f in sorted(names) if f in FIELD_MESSAGES}
        return list(fields.values()), fields
    return [translate(request, MESSAGES.get(error.code, N_("入力内容を確認してください。")))], {}


def _to_card_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/identity/login?{urlencode({'next': PAGE})}", status_code=303)


def _page(
    request: Request, db: Session, principal: sessions.Principal, status_code: int = 200, **context: object
) -> HTMLResponse:
    person = residents.get_resident(db, principal.subject_id)
    return render(
        request,
        TEMPLATE,
        {
            "person": person,
            "account": service.sole_proprietorship_of(db, principal.subject_id),
            "acting": service.is_sole_proprietor(principal),
            "form": {"office_address": person.address.label() if person else ""},
            "today": clock.today_jst().date().isoformat(),
            **context,
        },
        status_code=status_code,
    )


def _person(request: Request) -> sessions.Principal | None:
    """The logged-in person, acting as themselves or as their business (nobody else uses these pages)."""
    principal = current_principal(request)
    if principal is not None and (principal.kind == "resident" or service.is_sole_proprietor(principal)):
        return principal
    return None


@router.get("", response_class=HTMLResponse)
def overview(request: Request, db: Session = TRANSACTION) -> Response:
    """The person's sole-proprietor account, or the form to open one."""
    principal = _person(request)
    if principal is None:
        return _to_card_login(request)
    query = request.query_params
    return _page(request, db, principal, opened=query.get("opened"), closed=query.get("closed"))


@router.post("", response_class=HTMLResponse)
def open_account(
    request: Request,
    *,
    trade_name: str = Form("", max_length=400),
    office_address: str = Form("", max_length=1200),
    industry: str = Form("", max_length=400),
    db: Session = TRANSACTION,
) -> Response:
    """開設: 屋号 (optional), 事業所の所在地, 業種; the identity is the logged-in person's own."""
    principal = _person(request)
    if principal is None:
        return _to_card_login(request)
    form = {"trade_name": trade_name, "office_address": office_address, "industry": industry}
    try:
        service.open_sole_proprietorship(
            db, principal, trade_name=trade_name, office_address=office_address, industry=industry
        )
    except (ValidationFailed, service.SoleProprietorExistsError, service.NotAResidentError) as problem:
        errors, fields = _messages(request, problem)
        return _page(request, db, principal, problem.status, form=form, errors=errors, error_fields=fields)
    return RedirectResponse(f"{PAGE}?opened=1", status_code=303)


def _switch(request: Request, db: Session, principal: sessions.Principal, to: str) -> RedirectResponse:
    previous = request.cookies.get(SESSION_COOKIE)
    token = sessions.start(
        db, principal, previous_token=previous, ttl=sessions.remaining(db, previous) or sessions.DEFAULT_TTL
    )
    response = RedirectResponse(to, status_code=303)
    set_session_cookie(request, response, token)
    return response


@router.post("/act", response_class=HTMLResponse)
def act_as_business(
    request: Request, *, account: str = Form("", max_length=64), db: Session = TRANSACTION
) -> Response:
    """個人事業主として操作する: a new session acting as the person's own business."""
    principal = _person(request)
    if principal is None:
        return _to_card_login(request)
    try:
        acting = service.act_as_business(db, principal, account)
    except (service.NotYourBusinessError, service.NotAResidentError) as problem:
        errors, _fields = _messages(request, problem)
        return _page(request, db, principal, problem.status, errors=errors)
    return _switch(request, db, acting, "/business/office")


@router.post("/act-as-self", response_class=HTMLResponse)
def act_as_self(request: Request, db: Session = TRANSACTION) -> Response:
    """個人として操作する: back to the resident session of the card login."""
    principal = _person(request)
    if principal is None:
        return _to_card_login(request)
    if not service.is_sole_proprietor(principal):
        return RedirectResponse("/mypage", status_code=303)
    return _switch(request, db, service.act_as_self(db, principal), "/mypage")


@router.post("/close", response_class=HTMLResponse)
def close_account(
    request: Request,
    *,
    account: str = Form("", max_length=64),
    closed_on: str = Form("", max_length=20),
    db: Session = TRANSACTION,
) -> Response:
    """廃業: the account is closed on the declared day; acting as it ends with it."""
    principal = _person(request)
    if principal is None:
        return _to_card_login(request)
    try:
        try:
            day = date.fromisoformat(closed_on.strip())
        except ValueError:
            raise ValidationFailed(
                "the closing date is a date",
                errors=[{"location": ["body", "closed_on"], "message": "a date (YYYY-MM-DD)"}],
            ) from None
        service.close_sole_proprietorship(db, principal, account, closed_on=day)
    except (ValidationFailed, service.NotYourBusinessError, service.NotAResidentError) as problem:
        errors, fields = _messages(request, problem)
        return _page(
            request, db, principal, problem.status, errors=errors, error_fields=fields, closed_on=closed_on
        )
    if service.is_sole_proprietor(principal):  # the business acted as is gone: back to the person
        return _switch(request, db, service.act_as_self(db, principal), f"{PAGE}?closed=1")
    return RedirectResponse(f"{PAGE}?closed=1", status_code=303)
