"""Who may act for a corporation: its current representative, or someone a representative
authorized with a signed delegation (電子委任状).

The representative is checked against the commercial registry (商業・法人登記): the 氏名 and 住所
of the signer's 署名用 certificate (of its 基本4情報, the two that 商業登記 records) must be those of a
current representative (代表取締役, 代表社員…). Bodies with a 法人番号 but without a commercial
registration (国の機関, 地方公共団体…) are checked against the 代表者確認記録 kept by staff.

A delegation (電子委任状, as the 電子委任状法 describes it) is a document naming the corporation, the
delegate's 氏名 and 住所, what is delegated and until when; a current representative signs it with
the 署名用 certificate. It is checked when used: signature, the delegator still a representative,
not expired, and the delegate the person who signed the application.
"""

from __future__ import annotations

import base64
import binascii
import json
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import Conflict, Forbidden, ValidationFailed
from tsunagu.identity.business.models import Representative
from tsunagu.identity.cards import service as cards
from tsunagu.registry.corporations import service as corporations

DELEGATED_MATTER = "gbizid-prime"
COMMERCIAL_REGISTRY, REPRESENTATIVE_RECORD = "commercial-registry", "representative-record"


class NoRepresentativeOnRecordError(Conflict):
    """No current representative is recorded for the corporation: nobody can be checked."""

    code = "business-no-representative-on-record"


class SignerNotRepresentativeError(Forbidden):
    code = "business-signer-not-representative"


class RepresentativeAddressDiffersError(Forbidden):
    """The name is a representative's, the certificate's address is not the registered one."""

    code = "business-representative-address-differs"


class DelegationUnreadableError(ValidationFailed):
    code = "business-delegation-unreadable"


class DelegationExpiredError(Forbidden):
    code = "business-delegation-expired"


class DelegatorNotRepresentativeError(Forbidden):
    """The person who signed the delegation is not (or no longer) a representative."""

    code = "business-delegator-not-representative"


class DelegateMismatchError(Forbidden):
    """The application was signed by someone other than the delegate the delegation names."""

    code = "business-delegate-mismatch"


@dataclass(frozen=True)
class Representation:
    """The current representative a signer is: title, name and where that is recorded."""

    title: str
    name: str
    address: str
    source: str  # commercial-registry | representative-record
    reference: int  # the officer's or the record's id


def representatives(db: Session, corporate_number: str) -> list[Representation]:
    """The corporation's current representatives, from its 登記 (else the staff's records)."""
    if corporations.has_registration(db, corporate_number):
        return [
            Representation(o.title, o.name, o.address, COMMERCIAL_REGISTRY, o.id)
            for o in corporations.current_representatives(db, corporate_number)
        ]
    rows = db.scalars(
        select(Representative)
        .where(Representative.corporate_number == corporate_number, Representative.ended_at.is_(None))
        .order_by(Representative.id)
    )
    return [Representation(r.title, r.name, r.address, REPRESENTATIVE_RECORD, r.id) for r in rows]


def check_representative(
    db: Session, corporate_number: str, signer_name: str, signer_address: str
) -> Representation:
    """The current representative the signer is (same name and address, ignoring spaces, widths and
    dash forms, as 商業登記 records 氏名 and 住所), or the reason why not."""
    current = representatives(db, corporate_number)
    if not current:
        raise NoRepresentativeOnRecordError(
            f"no representative of {corporate_number} is on record; the application cannot be checked"
        )
    same_name = [r for r in current if folded(r.name) == folded(signer_name)]
    if not same_name:
        raise SignerNotRepresentativeError(
            f"the signer {signer_name} is not a representative of {corporate_number}", signer_name=signer_name
        )
    for representative in same_name:
        if folded(representative.address) == folded(signer_address):
            return representative
    raise RepresentativeAddressDiffersError(
        f"the signer's address differs from the registered address of the representative {signer_name}"
    )


def folded(text: str) -> str:
    """Text compared as 登記 and certificates write it: width, dash forms and spaces folded."""
    result = unicodedata.normalize("NFKC", text)
    for dash in ("‐", "‑", "‒", "–", "—", "―", "−"):
        result = result.replace(dash, "-")
    return "".join(result.split())


# ---- 電子委任状 ------------------------------------------------------------------------------------


def delegation_document(
    corporate_number: str, delegate_name: str, delegate_address: str, expires_on: date
) -> bytes:
    """The bytes a representative signs to delegate applying for the prime account (canonical)."""
    return json.dumps(
        {
            "delegation": DELEGATED_MATTER,
            "corporate_number": corporate_number,
            "delegate_name": delegate_name,
            "delegate_address": delegate_address,
            "expires_on": expires_on.isoformat(),
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


@dataclass(frozen=True)
class SignedDelegation:
    corporate_number: str
    delegate_name: str
    delegate_address: str
    expires_on: date
    signature: bytes
    certificate_pem: bytes

    @property
    def document(self) -> bytes:
        return delegation_document(
            self.corporate_number, self.delegate_name, self.delegate_address, self.expires_on
        )

    def as_json(self) -> str:
        return json.dumps(
            {
                "delegation": DELEGATED_MATTER,
                "corporate_number": self.corporate_number,
                "delegate_name": self.delegate_name,
                "delegate_address": self.delegate_address,
                "expires_on": self.expires_on.isoformat(),
                "signature": base64.b64encode(self.signature).decode(),
                "certificate": self.certificate_pem.decode(),
            },
            ensure_ascii=False,
            indent=2,
        )


def read_signed_delegation(text: bytes) -> SignedDelegation:
    """An uploaded signed delegation, or why it cannot be read (nothing is verified here)."""
    try:
        fields = json.loads(text)
        if fields.get("delegation") != DELEGATED_MATTER:
            raise ValueError("not a delegation of the prime application")
        return SignedDelegation(
            corporate_number=str(fields["corporate_number"]),
            delegate_name=str(fields["delegate_name"]),
            delegate_address=str(fields["delegate_address"]),
            expires_on=date.fromisoformat(str(fields["expires_on"])),
            signature=base64.b64decode(str(fields["signature"]), validate=True),
            certificate_pem=str(fields["certificate"]).encode(),
        )
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise DelegationUnreadableError(
            "the file is not a signed delegation (tsunagu business sign-delegation)"
        ) from None


def check_delegation(
    db: Session, delegation: SignedDelegation, corporate_number: str, signer: cards.SignatureCertificateInfo
) -> Representation:
    """The representative who delegated to ``signer``, once every condition of the delegation holds."""
    if delegation.corporate_number != corporate_number:
        raise DelegationUnreadableError("the delegation is for another corporation")
    if delegation.expires_on < clock.today_jst().date():
        raise DelegationExpiredError(
            f"the delegation expired on {delegation.expires_on.isoformat()}",
            expires_on=delegation.expires_on.isoformat(),
        )
    if folded(delegation.delegate_name) != folded(signer.name) or folded(
        delegation.delegate_address
    ) != folded(signer.address):
        raise DelegateMismatchError(
            f"the delegation names {delegation.delegate_name}, but {signer.name} signed the application"
        )
    delegator = cards.verify_signature(
        db, delegation.document, delegation.signature, delegation.certificate_pem
    )
    try:
        return check_representative(db, corporate_number, delegator.name, delegator.address)
    except (SignerNotRepresentativeError, RepresentativeAddressDiffersError):
        raise DelegatorNotRepresentativeError(
            f"{delegator.name}, who signed the delegation, is not a current representative",
            delegator_name=delegator.name,
        ) from None
