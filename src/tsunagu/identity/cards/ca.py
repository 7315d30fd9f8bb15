"""The platform's test certification authority (公的個人認証の認証局 stand-in).

Its root key and certificate live under ``<data_dir>/identity/ca/`` (never committed), created by
``tsunagu identity init-ca`` or the demo seed. ECDSA P-256 keeps verification fast.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tsunagu.core import clock
from tsunagu.core.errors import Conflict, TsunaguError

CA_VALIDITY = timedelta(days=365 * 10)
KEY_FILE = "ca-key.pem"
CERT_FILE = "ca-cert.pem"


class CaMissing(TsunaguError):
    status = 503
    code = "ca-missing"
    title = "Certification authority not initialised"


@dataclass(frozen=True)
class CertificateAuthority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def ca_dir(data_dir: Path) -> Path:
    return data_dir / "identity" / "ca"


def init_ca(data_dir: Path, *, replace: bool = False) -> CertificateAuthority:
    """Create the root key and self-signed certificate (ルート認証局)."""
    directory = ca_dir(data_dir)
    if (directory / KEY_FILE).exists() and not replace:
        raise Conflict(f"a CA already exists in {directory}; pass --replace to make a new one")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tsunagu Platform (test)"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Tsunagu Test JPKI Root {secrets.token_hex(4)}"),
        ]
    )
    start = clock.now() - timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    key_path = directory / KEY_FILE
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    (directory / CERT_FILE).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    _cache.clear()
    return CertificateAuthority(key=key, certificate=certificate)


_cache: dict[tuple[Path, float], CertificateAuthority] = {}


def load_ca(data_dir: Path) -> CertificateAuthority:
    """The CA of this installation (parsed once per process and file version)."""
    directory = ca_dir(data_dir)
    key_path = directory / KEY_FILE
    if not key_path.exists():
        raise CaMissing(f"no certification authority in {directory}; run `tsunagu identity init-ca`")
    cache_key = (key_path.resolve(), key_path.stat().st_mtime)
    if cache_key not in _cache:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise CaMissing(f"{key_path} is not an EC private key")
        certificate = x509.load_pem_x509_certificate((directory / CERT_FILE).read_bytes())
        _cache.clear()
        _cache[cache_key] = CertificateAuthority(key=key, certificate=certificate)
    return _cache[cache_key]


def ensure_ca(data_dir: Path) -> CertificateAuthority:
    """The CA, created on first use (demo seed)."""
    if (ca_dir(data_dir) / KEY_FILE).exists():
        return load_ca(data_dir)
    return init_ca(data_dir)


def sign_crl(
    ca: CertificateAuthority,
    number: int,
    revoked: list[tuple[int, datetime]],
    issued_at: datetime,
    next_update: datetime,
) -> bytes:
    """An X.509 CRL (DER) listing ``revoked`` (serial, revocation time)."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(issued_at)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
    )
    for serial, revoked_at in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(revoked_at).build()
        )
    return builder.sign(ca.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
