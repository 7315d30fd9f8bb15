"""gビズID プライム申請: the application a representative signs, and the prime account it opens.

The signer's name and address (from the 署名用 certificate) must be those of a current
representative of a live corporation by its 商業登記 (or its 代表者確認記録), or the signer is the
delegate a representative named in a signed delegation (電子委任状); see ``representation``.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core.errors import ValidationFailed
from tsunagu.identity.business.models import BusinessAccount
from tsunagu.identity.business.representation import SignedDelegation, check_delegation, check_representative
from tsunagu.identity.business.service.accounts import (
    Enrolment,
    LoginIdTakenError,
    account_problems,
    new_account,
    require_live_corporation,
    require_no_prime,
)
from tsunagu.identity.cards import service as cards
from tsunagu.identity.history import service as history
from tsunagu.registry.corporations import service as corporations

__all__ = [
    "SignedApplication",
    "SignedApplicationUnreadableError",
    "application_document",
    "check_application",
    "create_prime",
    "read_document",
    "read_signed_application",
]


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
    corporation = require_live_corporation(db, corporate_number)
    require_no_prime(db, corporate_number)
    login_id = login_id.strip().lower()
    errors = account_problems(login_id, display_name)
    if errors:
        raise ValidationFailed("the account details are invalid", errors=errors)
    if db.scalars(select(BusinessAccount.id).where(BusinessAccount.login_id == login_id)).first():
        raise LoginIdTakenError(f"the login id {login_id} is taken")
    return corporation


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
    require_live_corporation(db, corporate_number)
    signer = cards.verify_signature(
        db, application_document(corporate_number, login_id, display_name), signature, certificate_pem
    )
    representative = (
        check_representative(db, corporate_number, signer.name, signer.address)
        if delegation is None
        else check_delegation(db, delegation, corporate_number, signer)
    )
    require_no_prime(db, corporate_number)
    enrolment = new_account(
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
