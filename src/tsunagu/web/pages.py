"""People's entry pages: the portal top, the staff console entry and the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from tsunagu.core.errors import NotFound
from tsunagu.core.http import i18n
from tsunagu.core.http.auth import current_principal
from tsunagu.core.http.deps import AppSettings
from tsunagu.core.http.redirects import safe_next
from tsunagu.core.http.templating import render

router = APIRouter(include_in_schema=False)
STAFF_LOGIN = "/identity/staff/login"


@router.get("/", response_class=HTMLResponse)
def portal_home(request: Request, logged_out: bool = False) -> HTMLResponse:
    """ポータルトップ: where residents and businesses start."""
    return render(request, "home.html", {"logged_out": logged_out})


@router.get("/staff", response_class=HTMLResponse, response_model=None)
def staff_console(request: Request) -> Response:
    """職員コンソール: the entry to every back-office tool; an anonymous visitor is sent to log in."""
    principal = current_principal(request)
    if principal is None:
        return RedirectResponse(STAFF_LOGIN, status_code=303)
    return render(request, "staff.html")


@router.get("/lang/{locale}")
def switch_language(
    request: Request, settings: AppSettings, locale: str, next: str = "/"
) -> RedirectResponse:
    """Switch language without JavaScript; ``next`` must stay on this site."""
    if locale not in i18n.LOCALES:
        raise NotFound(f"unknown language: {locale}")
    response = RedirectResponse(safe_next(next, "/"), status_code=303)
    response.set_cookie(
        i18n.COOKIE,
        locale,
        max_age=365 * 24 * 3600,
        samesite="lax",
        httponly=True,
        secure=settings.secure_cookies,
    )
    return response
