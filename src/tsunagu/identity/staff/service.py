"""Staff accounts: creation, password (argon2id) + TOTP login, roles per organization.

A staff member belongs to exactly one organization; the session's Principal carries its code
so that every part can refuse another organization's data (``require_same_organization``).
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core import authz, clock, sessions
from tsunagu.core.authz import Operation, Role
from tsunagu.core.database import installation_secret
from tsunagu.core.errors import Conflict, NotFound, ValidationFailed
from tsunagu.identity.history import service as history
from tsunagu.identity.history import throttle
from tsunagu.identity.organizations import service as organizations
from tsunagu.identity.staff import secrets_at_rest
from tsunagu.identity.staff.models import StaffAccount

#: Every staff role by its stored (Japanese) name, with its English name (core.authz.Role).
ROLES: dict[str, str] = {role.value: role.code for role in Role}
MIN_PASSWORD = 12
LOGIN_METHOD = "staff-password-totp"
_LOGIN_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
_hasher = PasswordHasher()
# Verifying against a real hash for unknown accounts keeps the answer time the same either way.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class CredentialsInvalid(history.AuthenticationFailed):
    code = "credentials-invalid"
    title = "Wrong login id or password"


class TotpRequired(history.AuthenticationFailed):
    code = "totp-required"
    title = "One-time code required"


class TotpInvalid(history.AuthenticationFailed):
    code = "totp-invalid"
    title = "Wrong or reused one-time code"


@dataclass(frozen=True)
class StaffRecord:
    id: str
    organization_code: str
    login_id: str
    display_name: str
    roles: frozenset[str]
    active: bool


@dataclass(frozen=True)
class NewStaff:
    record: StaffRecord
    totp_secret: str

    def provisioning_uri(self) -> str:
        return pyotp.TOTP(self.totp_secret).provisioning_uri(
            name=self.record.login_id, issuer_name=f"Tsunagu {self.record.organization_code}"
        )


def _record(row: StaffAccount) -> StaffRecord:
    return StaffRecord(
        id=row.id,
        organization_code=row.organization_code,
        login_id=row.login_id,
        display_name=row.display_name,
        roles=frozenset(row.roles),
        active=row.active,
    )


def _validate(
    db: Session, organization_code: str, login_id: str, *, display_name: str, roles: set[str], password: str
) -> None:
    errors: list[dict[str, object]] = []
    if organizations.get_organization(db, organization_code) is None:
        errors.append(
            {
                "location": ["organization_code"],
                "message": "no such organization",
                "type": "unknown-organization",
            }
        )
    if not _LOGIN_ID.match(login_id):
        errors.append(
            {
                "location": ["login_id"],
                "type": "login-id",
                "message": "3–64 lowercase letters, digits, '.', '_' or '-'",
            }
        )
    if not display_name.strip():
        errors.append({"location": ["display_name"], "message": "required", "type": "missing"})
    unknown = roles - ROLES.keys()
    if not roles or unknown:
        errors.append(
            {"location": ["roles"], "type": "roles", "message": "give one or more of " + ", ".join(ROLES)}
        )
    if len(password) < MIN_PASSWORD:
        errors.append(
            {
                "location": ["password"],
                "type": "password-too-short",
                "message": f"at least {MIN_PASSWORD} characters",
            }
        )
    if errors:
        raise ValidationFailed("the staff account is not valid", errors=errors)


def create_staff(
    db: Session, organization_code: str, login_id: str, *, display_name: str, roles: set[str], password: str
) -> NewStaff:
    """Create a staff account (職員登録); the TOTP secret is returned once, for enrolment."""
    _validate(db, organization_code, login_id, display_name=display_name, roles=roles, password=password)
    if db.scalars(select(StaffAccount.id).where(StaffAccount.login_id == login_id)).first():
        raise Conflict(f"the login id {login_id} is taken")
    secret = pyotp.random_base32()
    account_id = uuid.uuid4().hex
    row = StaffAccount(
        id=account_id,
        organization_code=organization_code,
        login_id=login_id,
        display_name=display_name.strip(),
        roles=sorted(roles),
        password_hash=_hasher.hash(password),
        totp_secret=secrets_at_rest.seal(installation_secret(db), secret, account_id),
        last_totp_step=0,
        active=True,
        created_at=clock.now(),
    )
    db.add(row)
    db.flush()
    return NewStaff(record=_record(row), totp_secret=secret)


def create_staff_as(
    db: Session,
    admin: sessions.Principal,
    login_id: str,
    *,
    display_name: str,
    roles: set[str],
    password: str,
) -> NewStaff:
    """職員登録 by an administrator (管理), always in their own organization."""
    authz.require(admin, Operation.MANAGE_STAFF)
    assert admin.organization_code is not None  # staff always belong to an organization
    return create_staff(
        db, admin.organization_code, login_id, display_name=display_name, roles=roles, password=password
    )


def staff_as(db: Session, admin: sessions.Principal) -> list[StaffRecord]:
    """職員の一覧 of the administrator's (管理) own organization."""
    authz.require(admin, Operation.MANAGE_STAFF)
    assert admin.organization_code is not None
    return staff_of(db, admin.organization_code)


def get_staff(db: Session, staff_id: str) -> StaffRecord | None:
    row = db.get(StaffAccount, staff_id)
    return _record(row) if row else None


def staff_of(db: Session, organization_code: str) -> list[StaffRecord]:
    rows = db.scalars(
        select(StaffAccount)
        .where(StaffAccount.organization_code == organization_code)
        .order_by(StaffAccount.login_id)
    )
    return [_record(row) for row in rows]


def has_staff(db: Session) -> bool:
    return bool(db.scalar(select(func.count()).select_from(StaffAccount)))


def _check_totp(db: Session, row: StaffAccount, code: str) -> None:
    """Accept the current 30-second code (±1 step for clock drift), each step only once."""
    if not code.strip():
        raise TotpRequired("enter the 6-digit one-time code from your authenticator app")
    totp = pyotp.TOTP(secrets_at_rest.unseal(installation_secret(db), row.totp_secret, row.id))
    at = clock.now()
    step_now = int(at.timestamp()) // totp.interval
    for step in (step_now, step_now - 1, step_now + 1):
        if step > row.last_totp_step and secrets.compare_digest(totp.generate_otp(step), code.strip()):
            row.last_totp_step = step
            return
    raise TotpInvalid("the one-time code is wrong or has already been used")


def login(
    db: Session,
    login_id: str,
    password: str,
    totp_code: str,
    *,
    client: str = "",
    previous_token: str | None = None,
) -> tuple[sessions.Principal, str]:
    """Password + TOTP login (職員ログイン); rate-limited per account and address (throttle.LoginThrottle):
    a lock of the account or the address is passed only with the password and a valid code."""
    limits = throttle.LoginThrottle("staff-login", login_id, client)
    try:
        locked = limits.before(db)
    except throttle.TooManyAttempts as exc:
        history.audit(db, LOGIN_METHOD, exc.code, subject_kind="staff", client=client)
        raise
    row = db.scalars(select(StaffAccount).where(StaffAccount.login_id == login_id)).first()
    try:
        try:
            _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            raise CredentialsInvalid("the login id or the password is wrong") from None
        if row is None or not row.active:
            raise CredentialsInvalid("the login id or the password is wrong")
        _check_totp(db, row, totp_code)
    except history.AuthenticationFailed as exc:
        history.audit(
            db,
            LOGIN_METHOD,
            exc.code,
            subject_kind="staff",
            subject_id=row.id if row else None,
            client=client,
        )
        instead = limits.failed(db, locked)
        if instead is not None:
            raise instead from None  # the same answer whatever was wrong, while the lock holds
        raise
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
    limits.succeeded(db)
    principal = sessions.Principal(
        kind="staff",
        subject_id=row.id,
        display_name=row.display_name,
        organization_code=row.organization_code,
        roles=frozenset(row.roles),
    )
    token = sessions.start(db, principal, previous_token=previous_token)
    history.audit(db, LOGIN_METHOD, "success", subject_kind="staff", subject_id=row.id, client=client)
    history.record_event(db, "staff", row.id, "login", {"method": LOGIN_METHOD})
    return principal, token


def require_staff_record(db: Session, staff_id: str) -> StaffRecord:
    record = get_staff(db, staff_id)
    if record is None:
        raise NotFound(f"no staff account {staff_id}")
    return record
