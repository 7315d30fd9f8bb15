"""The two certificates of a card, as the platform CA issues them, and how to read them back.

Object identifiers are under ``2.25`` (UUID-derived, ITU-T X.667) so no registration is needed.
The 利用者証明用 certificate carries no personal data: its subject is only the card id. The
署名用 certificate carries the 基本4情報 as a JSON UTF8String extension.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tsunagu.identity.cards.ca import CertificateAuthority
from tsunagu.identity.cards.virtualcard import Usage

_ARC = "2.25.229720447402398114349385914934712003271"
POLICY = {
    "authentication": x509.ObjectIdentifier(_ARC + ".1"),
    "signature": x509.ObjectIdentifier(_ARC + ".2"),
}
BASIC_FOUR_OID = x509.ObjectIdentifier(_ARC + ".3")
VALIDITY = timedelta(days=5 * 365)


@dataclass(frozen=True)
class BasicFour:
    """基本4情報 as written in a 署名用 certificate."""

    name: str
    name_kana: str
    birth_date: date
    sex: str
    address: str


def _utf8_der(text: str) -> bytes:
    body = text.encode("utf-8")
    if len(body) < 0x80:
        length = bytes([len(body)])
    else:
        size = (len(body).bit_length() + 7) // 8
        length = bytes([0x80 | size]) + len(body).to_bytes(size, "big")
    return b"\x0c" + length + body


def _utf8_from_der(der: bytes) -> str:
    if not der or der[0] != 0x0C:
        raise ValueError("not a UTF8String")
    first = der[1]
    offset = 2 if first < 0x80 else 2 + (first & 0x7F)
    return der[offset:].decode("utf-8")


def issue(
    ca: CertificateAuthority,
    usage: Usage,
    card_id: str,
    public_key: ec.EllipticCurvePublicKey,
    *,
    start: datetime,
    basic_four: BasicFour | None = None,
) -> x509.Certificate:
    subject = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, card_id),
    ]
    if usage == "signature":
        if basic_four is None:
            raise ValueError("a signature certificate needs the 基本4情報")
        subject.append(x509.NameAttribute(NameOID.COMMON_NAME, basic_four.name))
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(subject))
        .issuer_name(ca.certificate.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=usage == "signature",
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(POLICY[usage], None)]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
    )
    if basic_four is not None:
        payload = json.dumps(
            {
                "name": basic_four.name,
                "name_kana": basic_four.name_kana,
                "birth_date": basic_four.birth_date.isoformat(),
                "sex": basic_four.sex,
                "address": basic_four.address,
            },
            ensure_ascii=False,
        )
        builder = builder.add_extension(
            x509.UnrecognizedExtension(BASIC_FOUR_OID, _utf8_der(payload)), critical=False
        )
    return builder.sign(ca.key, hashes.SHA256())


def usage_of(certificate: x509.Certificate) -> Usage | None:
    try:
        policies = certificate.extensions.get_extension_for_class(x509.CertificatePolicies).value
    except x509.ExtensionNotFound:
        return None
    identifiers = {policy.policy_identifier for policy in policies}
    for usage in ("authentication", "signature"):
        if POLICY[usage] in identifiers:
            return usage
    return None


def basic_four_of(certificate: x509.Certificate) -> BasicFour:
    extension = certificate.extensions.get_extension_for_oid(BASIC_FOUR_OID).value
    assert isinstance(extension, x509.UnrecognizedExtension)
    values = json.loads(_utf8_from_der(extension.value))
    return BasicFour(
        name=values["name"],
        name_kana=values["name_kana"],
        birth_date=date.fromisoformat(values["birth_date"]),
        sex=values["sex"],
        address=values["address"],
    )


def serial_hex(certificate: x509.Certificate) -> str:
    return format(certificate.serial_number, "x")


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)
