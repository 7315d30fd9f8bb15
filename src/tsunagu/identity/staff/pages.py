"""People's pages of staff login."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core.http import csrf
from tsunagu.core.http.auth import SESSION_COOKIE
from tsunagu.core.http.templating import render
from tsunagu.identity.history.http import AUTH_COMMITTED, client_of, set_session_cookie
from tsunagu.identity.history.service import AuthenticationFailed
from tsunagu.identity.staff import service

router = APIRouter(prefix="/identity/staff", include_in_schema=False, dependencies=[Depends(csrf.protect)])


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "identity/staff/login.html", {"login_id": "", "error": ""})


@router.post("/login", response_model=None)
def login(
    request: Request,
    login_id: str = Form(..., max_length=64),
    password: str = Form(..., max_length=200),
    totp: str = Form("", max_length=10),
    db: Session = AUTH_COMMITTED,
) -> Response:
    """職員ログイン: password and one-time code; a failure shows the form again with the reason."""
    try:
        _principal, token = service.login(
            db,
            login_id.strip(),
            password,
            totp,
            client=client_of(request),
            previous_token=request.cookies.get(SESSION_COOKIE),
        )
    except AuthenticationFailed as exc:
        return render(
            request,
            "identity/staff/login.html",
            {"login_id": login_id, "error": exc.detail},
            status_code=exc.status,
        )
    response = RedirectResponse("/staff", status_code=303)
    set_session_cookie(request, response, token)
    return response
