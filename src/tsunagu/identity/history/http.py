"""The database dependency of authentication endpoints."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from tsunagu.identity.history.service import AuthenticationFailed


def auth_session(request: Request) -> Iterator[Session]:
    """Like ``core.http.auth.db_session``, but a failed login still commits.

    Otherwise the rollback would erase the audit entry and the failure counter of the very
    attempt that must be counted (and would make a consumed nonce reusable).
    """
    with request.app.state.database.sessions() as session:
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
