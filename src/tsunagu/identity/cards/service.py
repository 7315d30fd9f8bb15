"""Every rule of virtual cards: issuance, revocation and CRL, challenge–response login, signatures.

Verification needs only the database (root certificate and published CRL); issuing and revoking
need the CA key, which the caller loads from the data directory (``ca.load_ca``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tsunagu.core import clock, sessions
from tsunagu.core.errors import Forbidden, NotFound
from tsunagu.identity.cards import certificates
from tsunagu.identity.cards.ca import CaMissing, CertificateAuthority, sign_crl
from tsunagu.identity.cards.errors import (
    CertificateRevoked,
    CertificateUnknown,
    ChallengeExpired,
    ChallengePending,
    ChallengeUnknown,
    ChallengeUsed,
    ResidentCannotHoldCard,
)
from tsunagu.identity.cards.models import CaCertificate, Card, CardCertificate, LoginChallenge, PublishedCrl
from tsunagu.identity.cards.verifier import Verifier
from tsunagu.identity.cards.virtualcard import DEFAULT_KDF_ITERATIONS, USAGES, VirtualCard, check_pin
from tsunagu.identity.history import service as history
from tsunagu.identity.history import throttle
from tsunagu.registry.residents import service as residents

CHALLENGE_TTL = timedelta(minutes=5)
CRL_VALIDITY = timedelta(days=1)
LOGIN_METHOD = "my-number-card"


@dataclass(frozen=True)
class CardRecord:
    id: str
    resident_id: str
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class IssuedCard:
    record: CardRecord
    file: VirtualCard


@dataclass(frozen=True)
class Challenge:
    id: str
    nonce: str
    expires_at: datetime


@dataclass(frozen=True)
class SignatureCertificateInfo:
    """Who signed: the 基本4情報 of a valid 署名用 certificate, and which card it is on."""

    serial: str
    resident_id: str | None
    name: str
    name_kana: str
    birth_date: date
    sex: str
    address: str
    not_after: datetime


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _card_record(row: Card) -> CardRecord:
    return CardRecord(
        id=row.id,
        resident_id=row.resident_id,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


# --- the CA in the database: root certificate and CRLs ---------------------------------------


def install_ca(db: Session, ca: CertificateAuthority) -> None:
    """Trust ``ca`` for verification (its certificate only) and publish its first CRL."""
    fingerprint = ca.certificate.fingerprint(hashes.SHA256()).hex()
    if db.get(CaCertificate, fingerprint) is None:
        db.add(CaCertificate(fingerprint=fingerprint, pem=ca.certificate_pem, installed_at=clock.now()))
        db.flush()
        publish_crl(db, ca)


def publish_crl(db: Session, ca: CertificateAuthority) -> bytes:
    """Sign and store a new CRL listing every revoked certificate (失効リスト)."""
    at = clock.now()
    latest = db.scalars(select(PublishedCrl.number).order_by(PublishedCrl.number.desc()).limit(1)).first()
    number = (latest or 0) + 1
    revoked = [
        (int(serial, 16), revoked_at)
        for serial, revoked_at in db.execute(
            select(CardCertificate.serial, CardCertificate.revoked_at)
            .where(CardCertificate.revoked_at.is_not(None))
            .order_by(CardCertificate.serial)
        )
    ]
    der = sign_crl(ca, number, revoked, at, at + CRL_VALIDITY)  # type: ignore[arg-type]
    db.add(
        PublishedCrl(
            number=number,
            ca_fingerprint=ca.certificate.fingerprint(hashes.SHA256()).hex(),
            issued_at=at,
            next_update=at + CRL_VALIDITY,
            der=der,
        )
    )
    db.flush()
    return der


def current_crl(db: Session, ca: CertificateAuthority | None = None) -> bytes:
    """The latest CRL (DER); re-signed first when it is past its next update and ``ca`` is given."""
    latest = db.scalars(select(PublishedCrl).order_by(PublishedCrl.number.desc()).limit(1)).first()
    if latest is None:
        raise CaMissing("no CRL has been published; run `tsunagu identity init-ca`")
    if ca is not None and latest.next_update <= clock.now():
        return publish_crl(db, ca)
    return latest.der


_verifier_cache: dict[tuple[int, str, datetime], Verifier] = {}


def verifier(db: Session) -> Verifier:
    """The verifier for the current root and CRL, parsed once per published CRL."""
    latest = db.execute(
        select(PublishedCrl.number, PublishedCrl.ca_fingerprint, PublishedCrl.issued_at)
        .order_by(PublishedCrl.number.desc())
        .limit(1)
    ).first()
    if latest is None:
        raise CaMissing("the platform CA is not installed; run `tsunagu identity init-ca`")
    number, fingerprint, issued_at = latest
    key = (number, fingerprint, issued_at)
    cached = _verifier_cache.get(key)
    if cached is None:
        crl_der = db.scalars(select(PublishedCrl.der).where(PublishedCrl.number == number)).one()
        root_pem = db.scalars(select(CaCertificate.pem).where(CaCertificate.fingerprint == fingerprint)).one()
        cached = Verifier.from_crl(x509.load_pem_x509_certificate(root_pem), x509.load_der_x509_crl(crl_der))
        _verifier_cache.clear()
        _verifier_cache[key] = cached
    return cached


# --- issuance and revocation -------------------------------------------------------------------


def issue_card(
    db: Session,
    ca: CertificateAuthority,
    resident_id: str,
    authentication_pin: str,
    signature_pin: str,
    *,
    kdf_iterations: int = DEFAULT_KDF_ITERATIONS,
) -> IssuedCard:
    """Issue a virtual card (カード交付) with both certificates to a registered resident."""
    check_pin("authentication", authentication_pin)
    check_pin("signature", signature_pin)
    resident = residents.get_resident(db, resident_id)
    if resident is None:
        raise NotFound(f"no resident with id {resident_id}")
    if resident.status != "resident":
        raise ResidentCannotHoldCard(f"resident {resident_id} is {resident.status}; no card can be issued")
    if db.get(CaCertificate, ca.certificate.fingerprint(hashes.SHA256()).hex()) is None:
        raise CaMissing("this CA is not the one the platform trusts; run `tsunagu identity init-ca`")
    card_id = uuid.uuid4().hex
    start = clock.now() - timedelta(minutes=1)
    basic_four = certificates.BasicFour(
        name=resident.name.full,
        name_kana=resident.name.full_kana,
        birth_date=resident.birth_date,
        sex=str(resident.sex),
        address=resident.address.label(),
    )
    pins = {"authentication": authentication_pin, "signature": signature_pin}
    sections = {}
    for usage in USAGES:
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = certificates.issue(
            ca,
            usage,
            card_id,
            key.public_key(),
            start=start,
            basic_four=basic_four if usage == "signature" else None,
        )
        db.add(
            CardCertificate(
                serial=certificates.serial_hex(certificate),
                card_id=card_id,
                usage=usage,
                not_after=certificate.not_valid_after_utc,
            )
        )
        sections[usage] = (key, certificates.pem(certificate), pins[usage])
    card = Card(
        id=card_id, resident_id=resident_id, issued_at=clock.now(), expires_at=start + certificates.VALIDITY
    )
    db.add(card)
    db.flush()
    history.record_event(db, "resident", resident_id, "card-issued", {"card_id": card_id})
    return IssuedCard(
        record=_card_record(card),
        file=VirtualCard.build(card_id, ca.certificate_pem, sections, kdf_iterations),
    )


def revoke_card(db: Session, ca: CertificateAuthority, card_id: str, reason: str) -> CardRecord:
    """Revoke both certificates of a card (失効) and publish a new CRL at once."""
    card = db.get(Card, card_id)
    if card is None:
        raise NotFound(f"no card with id {card_id}")
    if card.revoked_at is None:
        at = clock.now()
        card.revoked_at, card.revocation_reason = at, reason[:200]
        db.execute(update(CardCertificate).where(CardCertificate.card_id == card_id).values(revoked_at=at))
        db.flush()
        publish_crl(db, ca)
        history.record_event(
            db, "resident", card.resident_id, "card-revoked", {"card_id": card_id, "reason": reason}
        )
    return _card_record(card)


def cards_of(db: Session, resident_id: str) -> list[CardRecord]:
    rows = db.scalars(select(Card).where(Card.resident_id == resident_id).order_by(Card.issued_at))
    return [_card_record(row) for row in rows]


# --- challenge–response login ------------------------------------------------------------------


def new_challenge(db: Session, binding: str) -> Challenge:
    """A one-time nonce for the browser holding ``binding`` (a secret in its cookie)."""
    at = clock.now()
    challenge = Challenge(id=uuid.uuid4().hex, nonce=secrets.token_urlsafe(32), expires_at=at + CHALLENGE_TTL)
    db.add(
        LoginChallenge(
            id=challenge.id,
            nonce_hash=_sha256(challenge.nonce),
            binding_hash=_sha256(binding),
            created_at=at,
            expires_at=challenge.expires_at,
        )
    )
    db.flush()
    return challenge


def _open_challenge(db: Session, challenge_id: str) -> LoginChallenge:
    row = db.scalars(
        select(LoginChallenge).where(LoginChallenge.id == challenge_id).with_for_update()
    ).first()
    if row is None:
        raise ChallengeUnknown("no such login challenge; start the login again")
    if row.expires_at <= clock.now():
        raise ChallengeExpired("the login challenge has expired; start the login again")
    return row


def answer_challenge(
    db: Session, challenge_id: str, nonce: str, certificate_pem: bytes, signature: bytes, *, client: str = ""
) -> str:
    """The card's answer (QR login, from the card app): verify it and return the resident id.

    The challenge is single-use: any answer consumes it, right or wrong.
    """
    throttle_key = f"card-login:{client}"
    try:
        throttle.ensure_allowed(db, throttle_key)
    except throttle.TooManyAttempts as exc:
        history.audit(db, LOGIN_METHOD, exc.code, client=client)
        raise
    try:
        row = _open_challenge(db, challenge_id)
        if row.answered_at is not None:
            raise ChallengeUsed("this login challenge has already been answered")
        if not hmac.compare_digest(row.nonce_hash, _sha256(nonce)):
            raise ChallengeUnknown("the nonce does not belong to this challenge")
        row.answered_at = clock.now()
        at = clock.now()
        check = verifier(db)
        certificate = check.certificate(certificate_pem, "authentication", at)
        check.signature(certificate, nonce.encode(), signature, raw=True)
        resident_id = _holder(db, certificate)
    except history.AuthenticationFailed as exc:
        history.audit(db, LOGIN_METHOD, exc.code, client=client)
        throttle.record_failure(db, throttle_key, throttle.CLIENT)
        raise
    row.resident_id = resident_id
    db.flush()
    return resident_id


def _holder(db: Session, certificate: x509.Certificate) -> str:
    """Certificate serial → card → resident, who must still be registered."""
    record = db.get(CardCertificate, certificates.serial_hex(certificate))
    if record is None:
        raise CertificateUnknown("the certificate is not registered to any card")
    card = db.get(Card, record.card_id)
    assert card is not None
    resident = residents.get_resident(db, card.resident_id)
    if resident is None or resident.status == "deceased":
        raise CertificateRevoked("the card holder is no longer registered")
    return card.resident_id


def complete_login(
    db: Session, challenge_id: str, binding: str, *, previous_token: str | None = None, client: str = ""
) -> tuple[sessions.Principal, str]:
    """The browser that asked for the challenge logs in once the card has answered it."""
    row = _open_challenge(db, challenge_id)
    if not hmac.compare_digest(row.binding_hash, _sha256(binding)):
        raise ChallengeUnknown("this login was started in another browser")
    if row.consumed_at is not None:
        raise ChallengeUsed("this login has already been completed")
    if row.resident_id is None:
        raise ChallengePending("waiting for the card to answer")
    row.consumed_at = clock.now()
    resident = residents.get_resident(db, row.resident_id)
    assert resident is not None
    principal = sessions.Principal(kind="resident", subject_id=resident.id, display_name=resident.name.full)
    token = sessions.start(db, principal, previous_token=previous_token)
    history.audit(db, LOGIN_METHOD, "success", subject_kind="resident", subject_id=resident.id, client=client)
    history.record_event(db, "resident", resident.id, "login", {"method": LOGIN_METHOD})
    return principal, token


def login_with_card(
    db: Session,
    challenge_id: str,
    nonce: str,
    certificate_pem: bytes,
    signature: bytes,
    *,
    binding: str,
    previous_token: str | None = None,
    client: str = "",
) -> tuple[sessions.Principal, str]:
    """Direct API login: answer the challenge and complete it in one call."""
    answer_challenge(db, challenge_id, nonce, certificate_pem, signature, client=client)
    return complete_login(db, challenge_id, binding, previous_token=previous_token, client=client)


# --- signatures (電子署名) -----------------------------------------------------------------------


def verify_signature(
    db: Session, data: bytes, signature: bytes, certificate_pem: bytes
) -> SignatureCertificateInfo:
    """Verify a DER ECDSA signature made with a 署名用 certificate; return who signed.

    Checks the chain to the platform root, validity at this moment, the CRL and the signature.
    """
    check = verifier(db)
    certificate = check.certificate(certificate_pem, "signature", clock.now())
    check.signature(certificate, data, signature, raw=False)
    basic_four = certificates.basic_four_of(certificate)
    serial = certificates.serial_hex(certificate)
    record = db.get(CardCertificate, serial)
    card = db.get(Card, record.card_id) if record else None
    return SignatureCertificateInfo(
        serial=serial,
        resident_id=card.resident_id if card else None,
        name=basic_four.name,
        name_kana=basic_four.name_kana,
        birth_date=basic_four.birth_date,
        sex=basic_four.sex,
        address=basic_four.address,
        not_after=certificate.not_valid_after_utc,
    )


# --- who may issue and revoke ---------------------------------------------------------------------


def authorize_card_office(db: Session, principal: sessions.Principal, resident_id: str) -> None:
    """Cards are issued and revoked by 住基 staff of the resident's municipality (交付窓口)."""
    resident = residents.get_resident(db, resident_id)
    if resident is None:
        raise NotFound(f"no resident with id {resident_id}")
    if principal.kind != "staff" or not principal.has_role("住基"):
        raise Forbidden("only registrar (住基) staff can do this")
    if principal.organization_code != resident.municipality_code:
        raise Forbidden(
            f"staff of {principal.organization_code} cannot act for residents of {resident.municipality_code}"
        )


def authorize_revocation(db: Session, principal: sessions.Principal, card_id: str) -> None:
    """The holder may suspend their own card (紛失時の一時停止); otherwise the card office."""
    card = db.get(Card, card_id)
    if card is None:
        raise NotFound(f"no card with id {card_id}")
    if principal.kind == "resident" and principal.subject_id == card.resident_id:
        return
    authorize_card_office(db, principal, card.resident_id)
