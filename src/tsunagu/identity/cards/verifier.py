"""Certificate and signature checks against the platform root and its current CRL.

Pure computation on parsed objects, so that one verifier (CA certificate and CRL parsed once)
serves thousands of logins per second; ``service.verifier`` rebuilds it when a new CRL appears.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tsunagu.identity.cards import certificates
from tsunagu.identity.cards.errors import (
    CertificateExpired,
    CertificateRevoked,
    CertificateUntrusted,
    CertificateWrongUsage,
    SignatureInvalid,
)
from tsunagu.identity.cards.virtualcard import Usage


@dataclass(frozen=True)
class Verifier:
    root: x509.Certificate
    revoked: frozenset[int]  # serial numbers on the CRL; a CRL's own look-up is a linear scan

    @classmethod
    def from_crl(cls, root: x509.Certificate, crl: x509.CertificateRevocationList) -> Verifier:
        """Trust ``crl`` only if the root signed it."""
        if crl.issuer != root.subject or not crl.is_signature_valid(root.public_key()):  # type: ignore[arg-type]
            raise CertificateUntrusted("the CRL was not signed by the platform's CA")
        return cls(root=root, revoked=frozenset(entry.serial_number for entry in crl))

    def certificate(self, certificate_pem: bytes, usage: Usage, at: datetime) -> x509.Certificate:
        """The certificate, if the platform root issued it for ``usage`` and it is valid at ``at``."""
        try:
            certificate = x509.load_pem_x509_certificate(certificate_pem)
        except ValueError:
            raise CertificateUntrusted("the certificate is not a PEM X.509 certificate") from None
        try:
            certificate.verify_directly_issued_by(self.root)
        except (ValueError, TypeError, InvalidSignature):
            raise CertificateUntrusted("the certificate was not issued by the platform's CA") from None
        if not certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc:
            raise CertificateExpired(
                f"the certificate is valid from {certificate.not_valid_before_utc:%Y-%m-%d} "
                f"to {certificate.not_valid_after_utc:%Y-%m-%d}"
            )
        if certificates.usage_of(certificate) != usage:
            raise CertificateWrongUsage(f"this is not a {usage} certificate")
        if certificate.serial_number in self.revoked:
            raise CertificateRevoked("the certificate has been revoked")
        return certificate

    @staticmethod
    def signature(certificate: x509.Certificate, data: bytes, signature: bytes, *, raw: bool) -> None:
        """Check an ECDSA P-256 SHA-256 signature: r‖s when ``raw``, otherwise DER."""
        public_key = certificate.public_key()
        if not isinstance(public_key, ec.EllipticCurvePublicKey):
            raise SignatureInvalid("the certificate does not hold an EC key")
        if raw:
            if len(signature) != 64:
                raise SignatureInvalid("a raw P-256 signature is 64 bytes (r‖s)")
            signature = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
        try:
            public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, ValueError):
            raise SignatureInvalid("the signature does not match the data and certificate") from None
