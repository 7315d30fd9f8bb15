"""HTTP glue shared by identity's endpoints: the login transaction, the session cookie."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from tsunagu.core import sessions
from tsunagu.core.http.auth import SESSION_COOKIE, db_session
from tsunagu.core.http.deps import AppDatabase, settings_of
from tsunagu.identity.history.service import AuthenticationFailed, audit


def auth_session(database: AppDatabase) -> Iterator[Session]:
    """Like ``core.http.auth.db_session``, but a failed login still commits.

    Otherwise the rollback would erase the audit entry and the failure counter of the very
    attempt that must be counted (and would make a consumed nonce reusable).
    """
    with database.sessions() as session:
        session.begin()
        try:
            yield session
        except AuthenticationFailed:
            session.commit()
            raise
        except BaseException:
            session.rollback()
            raise
        session.commit()


def client_of(request: Request) -> str:
    """The client address, the key of per-address rate limits."""
    return request.client.host if request.client else ""


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure behind HTTPS, gone with the browser."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        path="/",
        secure=settings_of(request).secure_cookies,
    )


def end_session(request: Request, response: Response, db: Session) -> None:
    """Logout: the server-side session ends and the cookie is cleared."""
    token = request.cookies.get(SESSION_COOKIE)
    principal = getattr(request.state, "principal", None)
    if token:
        sessions.end(db, token)
    if principal is not None:
        audit(
            db,
            "logout",
            "success",
            subject_kind=principal.kind,
            subject_id=principal.subject_id,
            client=client_of(request),
        )
    response.delete_cookie(SESSION_COOKIE, path="/")


# Commit before the response is sent ("function" scope), so that the client's next request
# (with the new session cookie, say) always sees what this one wrote.
COMMITTED = Depends(db_session, scope="function")
AUTH_COMMITTED = Depends(auth_session, scope="function")
