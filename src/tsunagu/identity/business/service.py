"""Business accounts (GビズID-style, seed 004 §8.3): prime and member accounts of a corporation.

The prime account (gビズID プライム) exists once per 法人番号 and is created only with an
application signed by the representative's 署名用 certificate — the signer's name and address
(from the certificate) must be those of a current representative in the corporation's
代表者確認記録 (:class:`Representative`, kept from the 商業登記 by staff or the demo seed; the
法人番号 registry itself publishes no representatives). It creates member accounts (メンバー) and
grants each the procedures it may act on. Login is password (argon2) plus TOTP;
login and password reset answer the same way whether or not the account exists.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tsunagu.core import clock, sessions
from tsunagu.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tsunagu.identity.business.models import BusinessAccount, PasswordReset, ProcedureGrant, Representative
from tsunagu.identity.business.representation import (
    DelegateMismatchError,
    DelegationExpiredError,
    DelegationUnreadableError,
    DelegatorNotRepresentativeError,
    NoRepresentativeOnRecordError,
    Representation,
    RepresentativeAddressDiffersError,
    SignedDelegation,
    SignerNotRepresentativeError,
    check_delegation,
    check_representative,
    delegation_document,
    read_signed_delegation,
)
from tsunagu.identity.cards import service as cards
from tsunagu.identity.history import service as history
from tsunagu.identity.history import throttle
from tsunagu.identity.oidc import sealing
from tsunagu.registry.corporations import service as corporations

__all__ = [  # the representation rules, used through this module by the pages, API and CLI
    "DelegateMismatchError",
    "DelegationExpiredError",
    "DelegationUnreadableError",
    "DelegatorNotRepresentativeError",
    "NoRepresentativeOnRecordError",
    "Representation",
    "RepresentativeAddressDiffersError",
    "SignedDelegation",
    "SignerNotRepresentativeError",
    "check_representative",
    "delegation_document",
    "read_signed_delegation",
]

LOGIN_METHOD = "business-password-totp"
TOTP_PURPOSE = "business-totp-seed"
MIN_PASSWORD_LENGTH = 12
RESET_TTL = timedelta(minutes=30)
ISSUER_NAME = "Tsunagu GBizID"
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class UnknownCorporationError(NotFound):
    code = "business-unknown-corporation"


class CorporationClosedError(Conflict):
    code = "business-corporation-closed"


class PrimeExistsError(Conflict):
    code = "business-prime-exists"


class LoginIdTakenError(Conflict):
    code = "business-login-id-taken"


class RepresentativeNotFoundError(NotFound):
    code = "business-representative-not-found"


class NotPrimeError(Forbidden):
    code = "business-not-prime"


class LoginFailedError(history.AuthenticationFailed):
    """Unknown account, wrong password or wrong code: one answer, so nothing leaks."""

    code = "business-login-failed"
    title = "Login failed"


class TotpMissingError(history.AuthenticationFailed):
    code = "business-totp-missing"
    title = "One-time code missing"


class ResetTokenInvalidError(ValidationFailed):
    code = "business-reset-token-invalid"


@dataclass(frozen=True)
class AccountRecord:
    id: str
    corporate_number: str
    login_id: str
    display_name: str
    kind: str
    procedures: tuple[str, ...]


@dataclass(frozen=True)
class RepresentativeRecord:
    id: int
    corporate_number: str
    name: str
    address: str
    title: str
    source: str
    recorded_by: str
    recorded_at: datetime
    ended_at: datetime | None


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


def application_document(corporate_number: str, login_id: str, display_name: str) -> bytes:
    """The bytes the representative signs to apply for the prime account (canonical JSON)."""
    return json.dumps(
        {
            "application": "gbizid-prime",
            "corporate_number": corporate_number,
            "login_id": login_id,
            "display_name": display_name,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


@dataclass(frozen=True)
class SignedApplication:
    """A prime application as the card app signed it (``tsunagu business sign-application``)."""

    corporate_number: str
    login_id: str
    display_name: str
    signature: bytes
    certificate_pem: bytes

    def as_json(self) -> str:
        return json.dumps(
            {
                "application": "gbizid-prime",
                "corporate_number": self.corporate_number,
                "login_id": self.login_id,
                "display_name": self.display_name,
                "signature": base64.b64encode(self.signature).decode(),
                "certificate": self.certificate_pem.decode(),
            },
            ensure_ascii=False,
            indent=2,
        )


class SignedApplicationUnreadableError(ValidationFailed):
    code = "business-signed-application-unreadable"


def read_document(document: bytes) -> tuple[str, str, str]:
    """(corporate number, login id, display name) of an application document, as downloaded."""
    try:
        fields = json.loads(document)
        if fields.get("application") != "gbizid-prime":
            raise ValueError("not a gbizid-prime application")
        found = (str(fields["corporate_number"]), str(fields["login_id"]), str(fields["display_name"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SignedApplicationUnreadableError("this is not a prime application document") from None
    if application_document(*found) != document:
        raise SignedApplicationUnreadableError("the application document was changed after download")
    return found


def read_signed_application(text: bytes) -> SignedApplication:
    """The uploaded signed application, or why it cannot be read (nothing is verified here)."""
    try:
        fields = json.loads(text)
        if fields.get("application") != "gbizid-prime":
            raise ValueError("not a gbizid-prime application")
        return SignedApplication(
            corporate_number=str(fields["corporate_number"]),
            login_id=str(fields["login_id"]),
            display_name=str(fields["display_name"]),
            signature=base64.b64decode(str(fields["signature"]), validate=True),
            certificate_pem=str(fields["certificate"]).encode(),
        )
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise SignedApplicationUnreadableError(
            "the file is not a signed prime application (tsunagu business sign-application)"
        ) from None


def check_application(
    db: Session, corporate_number: str, login_id: str, display_name: str
) -> corporations.CorporationRecord:
    """Before the representative signs: the corporation is live and has no prime account, and the
    account details are acceptable (the same checks :func:`create_prime` makes again)."""
    corporation = _require_live_corporation(db, corporate_number)
    _require_no_prime(db, corporate_number)
    login_id = login_id.strip().lower()
    errors = _account_problems(login_id, display_name)
    if errors:
        raise ValidationFailed("the account details are invalid", errors=errors)
    if db.scalars(select(BusinessAccount.id).where(BusinessAccount.login_id == login_id)).first():
        raise LoginIdTakenError(f"the login id {login_id} is taken")
    return corporation


def corporation_of(db: Session, corporate_number: str) -> corporations.CorporationRecord | None:
    """The corporation as the 法人番号 registry publishes it (its name for the dashboard)."""
    return corporations.get_corporation(db, corporate_number)


def create_prime(
    db: Session,
    secret: str,
    *,
    corporate_number: str,
    login_id: str,
    display_name: str,
    password: str,
    signature: bytes,
    certificate_pem: bytes,
    delegation: SignedDelegation | None = None,
) -> Enrolment:
    """gビズID プライム申請: a signed application by the representative of a live corporation, or
    by the delegate a representative named in a signed delegation (電子委任状)."""
    _require_live_corporation(db, corporate_number)
    signer = cards.verify_signature(
        db, application_document(corporate_number, login_id, display_name), signature, certificate_pem
    )
    representative = (
        check_representative(db, corporate_number, signer.name, signer.address)
        if delegation is None
        else check_delegation(db, delegation, corporate_number, signer)
    )
    _require_no_prime(db, corporate_number)
    enrolment = _new_account(
        db,
        secret,
        corporate_number=corporate_number,
        login_id=login_id,
        display_name=display_name,
        password=password,
        kind="prime",
        created_by=None,
    )
    history.record_event(
        db,
        "business",
        enrolment.account.id,
        "business_prime_created",
        {
            "corporate_number": corporate_number,
            "signer_name": signer.name,
            "signer_certificate": signer.serial,
            "representative_source": representative.source,
            "representative_record": representative.reference,
            "representative_title": representative.title,
            "representative_name": representative.name,
            "delegation_expires_on": delegation.expires_on.isoformat() if delegation else None,
        },
    )
    return enrolment


# ---- representatives (代表者確認記録) ------------------------------------------------------------


def record_representative(
    db: Session, *, corporate_number: str, name: str, address: str, title: str, source: str, recorded_by: str
) -> RepresentativeRecord:
    """Record a representative as the corporation's 登記事項証明書 shows them (staff, or the seed)."""
    corporation = corporations.get_corporation(db, corporate_number)
    if corporation is None:
        raise UnknownCorporationError(f"no corporation has the corporate number {corporate_number}")
    errors: list[dict[str, object]] = []
    for field, value, limit in (
        ("name", name, 200),
        ("address", address, 300),
        ("title", title, 50),
        ("source", source, 300),
    ):
        if not value.strip():
            errors.append({"location": [field], "message": f"the {field} is required"})
        elif len(value.strip()) > limit:
            errors.append({"location": [field], "message": f"the {field} has at most {limit} characters"})
    if errors:
        raise ValidationFailed("the representative record is incomplete", errors=errors)
    row = Representative(
        corporate_number=corporation.number,
        name=name.strip(),
        address=address.strip(),
        title=title.strip(),
        source=source.strip(),
        recorded_by=recorded_by,
        recorded_at=clock.now(),
    )
    db.add(row)
    db.flush()
    return _representative(row)


def end_representative(db: Session, representative_id: int) -> RepresentativeRecord:
    """退任: the person no longer represents the corporation (the record stays, ended)."""
    row = db.get(Representative, representative_id)
    if row is None or row.ended_at is not None:
        raise RepresentativeNotFoundError(f"no current representative record {representative_id}")
    row.ended_at = clock.now()
    db.flush()
    return _representative(row)


def registered_representatives(db: Session, corporate_number: str) -> list[corporations.Officer] | None:
    """The current representatives by the corporation's 登記, or None when it has no 商業登記
    (then the 代表者確認記録 kept by staff are what applications are checked against)."""
    if not corporations.has_registration(db, corporate_number):
        return None
    return corporations.current_representatives(db, corporate_number)


def has_representatives(db: Session) -> bool:
    return db.scalars(select(Representative.id).limit(1)).first() is not None


def representatives_of(db: Session, corporate_number: str) -> list[RepresentativeRecord]:
    """The corporation's current representatives, oldest record first."""
    rows = db.scalars(
        select(Representative)
        .where(Representative.corporate_number == corporate_number, Representative.ended_at.is_(None))
        .order_by(Representative.id)
    )
    return [_representative(row) for row in rows]


def _representative(row: Representative) -> RepresentativeRecord:
    return RepresentativeRecord(
        id=row.id,
        corporate_number=row.corporate_number,
        name=row.name,
        address=row.address,
        title=row.title,
        source=row.source,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        ended_at=row.ended_at,
    )


def create_member(
    db: Session,
    secret: str,
    prime: sessions.Principal,
    *,
    login_id: str,
    display_name: str,
    password: str,
    procedures: list[str],
) -> Enrolment:
    """メンバー作成 by the prime account, with the procedures the member may act on."""
    prime_row = _require_prime(db, prime)
    _require_live_corporation(db, prime_row.corporate_number)
    enrolment = _new_account(
        db,
        secret,
        corporate_number=prime_row.corporate_number,
        login_id=login_id,
        display_name=display_name,
        password=password,
        kind="member",
        created_by=prime_row.id,
    )
    grant(db, prime, enrolment.account.id, procedures)
    account = get_account(db, enrolment.account.id)
    return Enrolment(account=account, totp_secret=enrolment.totp_secret)


def grant(db: Session, prime: sessions.Principal, member_id: str, procedures: list[str]) -> AccountRecord:
    """Replace the procedures a member of the prime's corporation may act on."""
    prime_row = _require_prime(db, prime)
    member = db.get(BusinessAccount, member_id)
    if member is None or member.corporate_number != prime_row.corporate_number or member.kind != "member":
        raise NotFound(f"no member account {member_id} in this corporation")
    db.execute(delete(ProcedureGrant).where(ProcedureGrant.account_id == member_id))
    for code in sorted({p.strip() for p in procedures if p.strip()}):
        db.add(
            ProcedureGrant(
                account_id=member_id, procedure_code=code, granted_by=prime_row.id, granted_at=clock.now()
            )
        )
    db.flush()
    return get_account(db, member_id)


def get_account(db: Session, account_id: str) -> AccountRecord:
    row = db.get(BusinessAccount, account_id)
    if row is None:
        raise NotFound(f"no business account {account_id}")
    return _record(db, row)


def members_of(db: Session, prime: sessions.Principal) -> list[AccountRecord]:
    prime_row = _require_prime(db, prime)
    rows = db.scalars(
        select(BusinessAccount)
        .where(
            BusinessAccount.corporate_number == prime_row.corporate_number, BusinessAccount.kind == "member"
        )
        .order_by(BusinessAccount.login_id)
    )
    return [_record(db, row) for row in rows]


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
    record = _record(db, row)
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
    problems = _password_problems(new_password)
    if problems:
        raise ValidationFailed("the new password is invalid", errors=problems)
    account = db.get(BusinessAccount, row.account_id)
    assert account is not None
    account.password_hash = _hasher.hash(new_password)
    row.used_at = clock.now()
    history.record_event(db, "business", account.id, "password_reset", {})
    db.flush()


def _require_no_prime(db: Session, corporate_number: str) -> None:
    if db.scalars(
        select(BusinessAccount.id).where(
            BusinessAccount.corporate_number == corporate_number, BusinessAccount.kind == "prime"
        )
    ).first():
        raise PrimeExistsError(f"the corporation {corporate_number} already has a prime account")


def _account_problems(login_id: str, display_name: str) -> list[dict[str, object]]:
    errors: list[dict[str, object]] = []
    if "@" not in login_id or len(login_id) > 254:
        errors.append({"location": ["login_id"], "message": "the login id is an e-mail address"})
    if not display_name.strip():
        errors.append({"location": ["display_name"], "message": "enter the account holder's name"})
    return errors


def _new_account(
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
    errors = _password_problems(password) + _account_problems(login_id, display_name)
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
        password_hash=_hasher.hash(password),
        totp_secret_encrypted=sealing.seal(secret, TOTP_PURPOSE, totp_secret.encode(), account_id.encode()),
        created_by=created_by,
        last_totp_step=0,
        created_at=clock.now(),
    )
    db.add(row)
    db.flush()
    return Enrolment(account=_record(db, row), totp_secret=totp_secret)


def _require_live_corporation(db: Session, corporate_number: str) -> corporations.CorporationRecord:
    corporation = corporations.get_corporation(db, corporate_number)
    if corporation is None:
        raise UnknownCorporationError(f"no corporation has the corporate number {corporate_number}")
    if corporation.status != "active":
        raise CorporationClosedError(f"the corporation {corporate_number} is closed ({corporation.status})")
    return corporation


def _require_prime(db: Session, principal: sessions.Principal) -> BusinessAccount:
    row = db.get(BusinessAccount, principal.subject_id) if principal.kind == "business" else None
    if row is None or row.kind != "prime":
        raise NotPrimeError("only the prime account of the corporation can do this")
    return row


def _password_problems(password: str) -> list[dict[str, object]]:
    if len(password) >= MIN_PASSWORD_LENGTH:
        return []
    return [
        {"location": ["password"], "message": f"a password has at least {MIN_PASSWORD_LENGTH} characters"}
    ]


def _verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
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


def _record(db: Session, row: BusinessAccount) -> AccountRecord:
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
