"""Errors of card login, issuance and the card app, each with its own stable code."""

from __future__ import annotations

from tsunagu.core.errors import Conflict
from tsunagu.identity.history.service import AuthenticationFailed


class CertificateUntrusted(AuthenticationFailed):
    code = "certificate-untrusted"
    title = "Certificate not issued by the platform CA"


class CertificateExpired(AuthenticationFailed):
    code = "certificate-expired"
    title = "Certificate expired or not yet valid"


class CertificateRevoked(AuthenticationFailed):
    code = "certificate-revoked"
    title = "Certificate revoked"


class CertificateWrongUsage(AuthenticationFailed):
    code = "certificate-wrong-usage"
    title = "Certificate of the wrong kind"


class CertificateUnknown(AuthenticationFailed):
    code = "certificate-unknown"
    title = "Certificate not registered to a resident"


class SignatureInvalid(AuthenticationFailed):
    code = "signature-invalid"
    title = "Signature does not match"


class ChallengeUnknown(AuthenticationFailed):
    code = "challenge-unknown"
    title = "Unknown login challenge"


class ChallengeExpired(AuthenticationFailed):
    code = "challenge-expired"
    title = "Login challenge expired"


class ChallengeUsed(AuthenticationFailed):
    code = "challenge-used"
    title = "Login challenge already used"


class ChallengePending(Conflict):
    code = "challenge-pending"
    title = "The card has not answered yet"


class WrongPin(AuthenticationFailed):
    code = "pin-wrong"
    title = "Wrong PIN"


class PinLocked(AuthenticationFailed):
    status = 423
    code = "pin-locked"
    title = "PIN locked"


class CardTampered(AuthenticationFailed):
    code = "card-tampered"
    title = "Card file has been altered"


class ResidentCannotHoldCard(Conflict):
    code = "resident-not-eligible"
    title = "This resident cannot be issued a card"
