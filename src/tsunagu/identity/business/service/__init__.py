"""Business accounts (GビズID-style, seed 004 §8.3): prime and member accounts of a corporation.

The prime account (gビズID プライム) exists once per 法人番号 and is created only with an
application signed by the representative's 署名用 certificate (``application``) — the signer's
name and address must be those of a current representative by the corporation's 商業登記, or by
its 代表者確認記録 kept by staff (``representatives``), or the signer holds a representative's signed
delegation (``representation``). The prime creates member accounts and grants each the procedures
it may act on (``members``). Login is password (argon2) plus TOTP (``login``). Every name the pages,
API and CLI use is importable from here.
"""

from __future__ import annotations

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
    check_representative,
    delegation_document,
    read_signed_delegation,
)
from tsunagu.identity.business.service.accounts import (
    AccountRecord,
    CorporationClosedError,
    Enrolment,
    LoginIdTakenError,
    NotPrimeError,
    PrimeExistsError,
    UnknownCorporationError,
    corporation_of,
    get_account,
)
from tsunagu.identity.business.service.application import (
    SignedApplication,
    SignedApplicationUnreadableError,
    application_document,
    check_application,
    create_prime,
    read_document,
    read_signed_application,
)
from tsunagu.identity.business.service.login import (
    LoginFailedError,
    ResetTokenInvalidError,
    TotpMissingError,
    login,
    request_password_reset,
    reset_password,
)
from tsunagu.identity.business.service.members import create_member, grant, members_of
from tsunagu.identity.business.service.representatives import (
    RepresentativeNotFoundError,
    RepresentativeRecord,
    end_representative,
    has_representatives,
    record_representative,
    registered_representatives,
    representatives_of,
)
from tsunagu.identity.business.service.sole_proprietors import (
    SOLE_PROPRIETOR_ROLE,
    NotAResidentError,
    NotYourBusinessError,
    SoleProprietorExistsError,
    SoleProprietorRecord,
    act_as_business,
    act_as_self,
    close_sole_proprietorship,
    get_sole_proprietorship,
    is_sole_proprietor,
    open_sole_proprietorship,
    sole_proprietor_subject,
    sole_proprietorship_of,
)

__all__ = [
    "SOLE_PROPRIETOR_ROLE",
    "AccountRecord",
    "CorporationClosedError",
    "DelegateMismatchError",
    "DelegationExpiredError",
    "DelegationUnreadableError",
    "DelegatorNotRepresentativeError",
    "Enrolment",
    "LoginFailedError",
    "LoginIdTakenError",
    "NoRepresentativeOnRecordError",
    "NotAResidentError",
    "NotPrimeError",
    "NotYourBusinessError",
    "PrimeExistsError",
    "Representation",
    "RepresentativeAddressDiffersError",
    "RepresentativeNotFoundError",
    "RepresentativeRecord",
    "ResetTokenInvalidError",
    "SignedApplication",
    "SignedApplicationUnreadableError",
    "SignedDelegation",
    "SignerNotRepresentativeError",
    "SoleProprietorExistsError",
    "SoleProprietorRecord",
    "TotpMissingError",
    "UnknownCorporationError",
    "act_as_business",
    "act_as_self",
    "application_document",
    "check_application",
    "check_representative",
    "close_sole_proprietorship",
    "corporation_of",
    "create_member",
    "create_prime",
    "delegation_document",
    "end_representative",
    "get_account",
    "get_sole_proprietorship",
    "grant",
    "has_representatives",
    "is_sole_proprietor",
    "login",
    "members_of",
    "open_sole_proprietorship",
    "read_document",
    "read_signed_application",
    "read_signed_delegation",
    "record_representative",
    "registered_representatives",
    "representatives_of",
    "request_password_reset",
    "reset_password",
    "sole_proprietor_subject",
    "sole_proprietorship_of",
]
