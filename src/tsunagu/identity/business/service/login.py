"""GビズID login (password + TOTP, throttled) and password reset; both answer the same way
whether or not the account exists."""

from __future__ import annotations

import hashlib
import secrets

import pyotp
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock, sessions
from tsunagu.core.errors import ValidationFailed
from tsunagu.identity.business.models import BusinessAccount, PasswordReset
from tsunagu.identity.business.service.accounts import (
    HASHER,
    LOGIN_METHOD,
    RESET_TTL,
    TOTP_PURPOSE,
    password_problems,
    record_of,
)
from tsunagu.identity.history import service as history
from tsunagu.identity.history import throttle
from tsunagu.identity.oidc import sealing

__all__ = [
    "LoginFailedError",
    "ResetTokenInvalidError",
    "TotpMissingError",
    "login",
    "request_password_reset",
    "reset_password",
]

_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


class LoginFailedError(history.AuthenticationFailed):
    """Unknown account, wrong password or wrong code: one answer, so nothing leaks."""

    code = "business-login-failed"
    title = "Login failed"


class TotpMissingError(history.AuthenticationFailed):
    code = "business-totp-missing"
    title = "One-time code missing"


class ResetTokenInvalidError(ValidationFailed):
    code = "business-reset-token-invalid"


def login(
    db: Session, secret: str, *, login_id: str, password: str, totp_code: str, client: str = ""
) -> sessions.Principal:
    """GビズID login; the principal's roles are the procedures the account may act on."""
    limits = throttle.LoginThrottle("business-login", login_id, client)  # see throttle.LoginThrottle
    locked = limits.before(db)
    row = db.scalars(select(BusinessAccount).where(BusinessAccount.login_id == login_id)).first()
    try:
        if not totp_code.strip():
            raise TotpMissingError("enter the 6-digit one-time code from your authenticator app")
        password_ok = _verify_password(row.password_hash if row else _DUMMY_HASH, password)
        if row is None or not password_ok or not _accept_totp(secret, row, totp_code.strip()):
            raise LoginFailedError("the login id, the password or the one-time code is wrong")
    except history.AuthenticationFailed as exc:
        history.audit(
            db,
            LOGIN_METHOD,
            exc.code,
            subject_kind="business",
            subject_id=row.id if row else None,
            client=client,
        )
        instead = limits.failed(db, locked)
        if instead is not None:
            raise instead from None  # the same answer whatever was wrong, while the lock holds
        raise
    limits.succeeded(db)
    record = record_of(db, row)
    history.audit(db, LOGIN_METHOD, "success", subject_kind="business", subject_id=row.id, client=client)
    history.record_event(db, "business", row.id, "login", {"method": LOGIN_METHOD})
    return sessions.Principal(
        kind="business",
        subject_id=row.id,
        display_name=row.display_name,
        organization_code=row.corporate_number,
        roles=frozenset(record.procedures) | {f"gbizid:{row.kind}"},
    )


def request_password_reset(db: Session, login_id: str) -> str | None:
    """パスワード再設定: a one-time token for an existing account, else None.

    Callers answer identically either way (the token goes to the account's address, never to
    the requester's screen), and the unknown case hashes a token too so that timing is similar.
    """
    token = secrets.token_urlsafe(32)
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    row = db.scalars(select(BusinessAccount).where(BusinessAccount.login_id == login_id)).first()
    if row is None:
        return None
    db.add(PasswordReset(token_hash=token_hash, account_id=row.id, expires_at=clock.now() + RESET_TTL))
    db.flush()
    return token


def reset_password(db: Session, token: str, new_password: str) -> None:
    row = db.get(PasswordReset, hashlib.sha256(token.encode()).hexdigest())
    if row is None or row.used_at is not None or row.expires_at <= clock.now():
        raise ResetTokenInvalidError("the reset link is invalid, used or expired; request a new one")
    problems = password_problems(new_password)
    if problems:
        raise ValidationFailed("the new password is invalid", errors=problems)
    account = db.get(BusinessAccount, row.account_id)
    assert account is not None
    account.password_hash = HASHER.hash(new_password)
    row.used_at = clock.now()
    history.record_event(db, "business", account.id, "password_reset", {})
    db.flush()


def _verify_password(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _accept_totp(secret: str, row: BusinessAccount, code: str) -> bool:
    """The current 30-second code (±1 step for drift), each step accepted only once."""
    seed = sealing.unseal(secret, TOTP_PURPOSE, row.totp_secret_encrypted, row.id.encode()).decode()
    totp = pyotp.TOTP(seed)
    step_now = int(clock.now().timestamp()) // totp.interval
    for step in (step_now - 1, step_now, step_now + 1):
        if step > row.last_totp_step and secrets.compare_digest(totp.generate_otp(step), code):
            row.last_totp_step = step
            return True
    return False
