"""Request dependencies: the database session and who is acting.

These only establish who calls; what they may do is decided by the use case (``core.authz``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from tsunagu.core import sessions
from tsunagu.core.errors import Forbidden, NotAuthenticated

SESSION_COOKIE = "tsunagu_session"


def db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on error.

    Routes take it as ``TRANSACTION`` (``scope="function"``): FastAPI otherwise runs the exit
    of ``yield`` dependencies after the response is sent, so a client's next request (the page a
    POST redirects to, a replayed code) could miss what this one wrote.
    """
    with request.app.state.database.session() as session:
        yield session


#: ``db: Session = TRANSACTION`` in a route: the request's transaction, committed before responding.
TRANSACTION = Depends(db_session, scope="function")


def current_principal(request: Request) -> sessions.Principal | None:
    principal: sessions.Principal | None = getattr(request.state, "principal", None)
    return principal


# The checks below are ``async`` although they never wait: FastAPI runs a plain ``def``
# dependency in the thread pool, a hop per dependency per request for a few comparisons.
async def require_principal(request: Request) -> sessions.Principal:
    principal = current_principal(request)
    if principal is None:
        raise NotAuthenticated("log in to use this")
    return principal


async def require_resident(principal: sessions.Principal = Depends(require_principal)) -> sessions.Principal:
    if principal.kind != "resident":
        raise Forbidden("only a resident can use this")
    return principal


def require_staff(*roles: str) -> Callable[..., Awaitable[sessions.Principal]]:
    """A dependency admitting staff who hold at least one of ``roles`` (any role if none given)."""

    async def dependency(principal: sessions.Principal = Depends(require_principal)) -> sessions.Principal:
        if principal.kind != "staff":
            raise Forbidden("only staff can use this")
        if roles and not principal.roles.intersection(roles):
            raise Forbidden("this needs one of the roles: " + ", ".join(roles))
        return principal

    return dependency
