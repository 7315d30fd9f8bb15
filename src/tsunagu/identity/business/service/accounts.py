"""Business accounts (GビズID-style): the account records, their errors and the rules every use case
shares — one prime (gビズID プライム) per corporation and its members (メンバー), each with a
password (argon2) and a TOTP seed sealed with the installation secret."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock, sessions
from tsunagu.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tsunagu.identity.business.models import BusinessAccount, ProcedureGrant
from tsunagu.identity.oidc import sealing
from tsunagu.registry.corporations import service as corporations

__all__ = [
    "AccountRecord",
    "CorporationClosedError",
    "Enrolment",
    "LoginIdTakenError",
    "NotPrimeError",
    "PrimeExistsError",
    "UnknownCorporationError",
    "corporation_of",
    "get_account",
]

LOGIN_METHOD = "business-password-totp"
TOTP_PURPOSE = "business-totp-seed"
MIN_PASSWORD_LENGTH = 12
RESET_TTL = timedelta(minutes=30)
ISSUER_NAME = "Tsunagu GBizID"
HASHER = PasswordHasher()


class UnknownCorporationError(NotFound):
    code = "business-unknown-corporation"


class CorporationClosedError(Conflict):
    code = "business-corporation-closed"


class PrimeExistsError(Conflict):
    code = "business-prime-exists"


class LoginIdTakenError(Conflict):
    code = "business-login-id-taken"


class NotPrimeError(Forbidden):
    code = "business-not-prime"


@dataclass(frozen=True)
class AccountRecord:
    id: str
    corporate_number: str
    login_id: str
    display_name: str
    kind: str
    procedures: tuple[str, ...]


@dataclass(frozen=True)
class Enrolment:
    """A new account and its TOTP seed, shown once for the authenticator app."""

    account: AccountRecord
    totp_secret: str

    @property
    def provisioning_uri(self) -> str:
        return pyotp.TOTP(self.totp_secret).provisioning_uri(
            name=self.account.login_id, issuer_name=ISSUER_NAME
        )


def corporation_of(db: Session, corporate_number: str) -> corporations.CorporationRecord | None:
    """The corporation as the 法人番号 registry publishes it (its name for the dashboard)."""
    return corporations.get_corporation(db, corporate_number)


def get_account(db: Session, account_id: str) -> AccountRecord:
    row = db.get(BusinessAccount, account_id)
    if row is None:
        raise NotFound(f"no business account {account_id}")
    return record_of(db, row)


def require_no_prime(db: Session, corporate_number: str) -> None:
    if db.scalars(
        select(BusinessAccount.id).where(
            BusinessAccount.corporate_number == corporate_number, BusinessAccount.kind == "prime"
        )
    ).first():
        raise PrimeExistsError(f"the corporation {corporate_number} already has a prime account")


def account_problems(login_id: str, display_name: str) -> list[dict[str, object]]:
    errors: list[dict[str, object]] = []
    if "@" not in login_id or len(login_id) > 254:
        errors.append({"location": ["login_id"], "message": "the login id is an e-mail address"})
    if not display_name.strip():
        errors.append({"location": ["display_name"], "message": "enter the account holder's name"})
    return errors


def new_account(
    db: Session,
    secret: str,
    *,
    corporate_number: str,
    login_id: str,
    display_name: str,
    password: str,
    kind: str,
    created_by: str | None,
) -> Enrolment:
    login_id = login_id.strip().lower()
    errors = password_problems(password) + account_problems(login_id, display_name)
    if errors:
        raise ValidationFailed("the account details are invalid", errors=errors)
    if db.scalars(select(BusinessAccount.id).where(BusinessAccount.login_id == login_id)).first():
        raise LoginIdTakenError(f"the login id {login_id} is taken")
    account_id = uuid.uuid4().hex
    totp_secret = pyotp.random_base32()
    row = BusinessAccount(
        id=account_id,
        corporate_number=corporate_number,
        login_id=login_id,
        display_name=display_name.strip(),
        kind=kind,
        password_hash=HASHER.hash(password),
        totp_secret_encrypted=sealing.seal(secret, TOTP_PURPOSE, totp_secret.encode(), account_id.encode()),
        created_by=created_by,
        last_totp_step=0,
        created_at=clock.now(),
    )
    db.add(row)
    db.flush()
    return Enrolment(account=record_of(db, row), totp_secret=totp_secret)


def require_live_corporation(db: Session, corporate_number: str) -> corporations.CorporationRecord:
    corporation = corporations.get_corporation(db, corporate_number)
    if corporation is None:
        raise UnknownCorporationError(f"no corporation has the corporate number {corporate_number}")
    if corporation.status != "active":
        raise CorporationClosedError(f"the corporation {corporate_number} is closed ({corporation.status})")
    return corporation


def require_prime(db: Session, principal: sessions.Principal) -> BusinessAccount:
    row = db.get(BusinessAccount, principal.subject_id) if principal.kind == "business" else None
    if row is None or row.kind != "prime":
        raise NotPrimeError("only the prime account of the corporation can do this")
    return row


def password_problems(password: str) -> list[dict[str, object]]:
    if len(password) >= MIN_PASSWORD_LENGTH:
        return []
    return [
        {"location": ["password"], "message": f"a password has at least {MIN_PASSWORD_LENGTH} characters"}
    ]


def record_of(db: Session, row: BusinessAccount) -> AccountRecord:
    procedures = db.scalars(
        select(ProcedureGrant.procedure_code)
        .where(ProcedureGrant.account_id == row.id)
        .order_by(ProcedureGrant.procedure_code)
    )
    return AccountRecord(
        id=row.id,
        corporate_number=row.corporate_number,
        login_id=row.login_id,
        display_name=row.display_name,
        kind=row.kind,
        procedures=tuple(procedures),
    )
