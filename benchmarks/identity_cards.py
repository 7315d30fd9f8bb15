"""Card login verification on one core: signature + chain to the platform root + CRL revocation check.

Measures ``Verifier.certificate`` + ``Verifier.signature`` (what every login does after one indexed
look-up of the challenge) with ECDSA P-256, the CA certificate and a 10,000-entry CRL parsed once.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from benchmarks import support
from tsunagu.identity.cards import ca, certificates
from tsunagu.identity.cards.verifier import Verifier
from tsunagu.identity.cards.virtualcard import VirtualCard

CARDS = 50
REVOKED = 10_000
ROUNDS = 5_000


def main() -> None:
    if hasattr(os, "sched_setaffinity"):  # one core, as the target is stated
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    authority = ca.init_ca(Path(tempfile.mkdtemp(prefix="tsunagu-bench-ca-")))
    now = datetime.now(UTC)
    revoked = [(x509.random_serial_number(), now) for _ in range(REVOKED)]
    crl = x509.load_der_x509_crl(ca.sign_crl(authority, 1, revoked, now, now + timedelta(days=1)))
    verifier = Verifier.from_crl(authority.certificate, crl)
    logins = []
    for _ in range(CARDS):
        key = ec.generate_private_key(ec.SECP256R1())
        card_id = secrets.token_hex(16)
        certificate = certificates.issue(authority, "authentication", card_id, key.public_key(), start=now)
        sections = {"authentication": (key, certificates.pem(certificate), "1234")}
        card = VirtualCard.build(card_id, authority.certificate_pem, sections, iterations=1_000)
        nonce = secrets.token_urlsafe(32).encode()
        logins.append((certificates.pem(certificate), nonce, card.sign_raw("authentication", "1234", nonce)))
    samples = []
    started = time.perf_counter()
    for index in range(ROUNDS):
        pem, nonce, signature = logins[index % CARDS]
        t0 = time.perf_counter()
        certificate = verifier.certificate(pem, "authentication", now)
        Verifier.signature(certificate, nonce, signature, raw=True)
        samples.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    figures = {
        "verifications": ROUNDS,
        "crl_entries": REVOKED,
        "per_second": round(ROUNDS / elapsed, 1),
        "p50_ms": round(support.median(samples) * 1000, 3),
        "p99_ms": round(support.percentile(samples, 0.99) * 1000, 3),
        "target_per_second": 1000,
    }
    print(
        f"card login verification: {figures['per_second']}/s on one core, "
        f"p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms ({REVOKED} CRL entries)"
    )
    support.write("identity_cards", figures)
