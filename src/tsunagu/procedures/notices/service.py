"""処分通知 as signed electronic documents: JSON signed with the issuing organization's key
(JWS compact, ES256, RFC 7515), verifiable by anyone against the published keys.

Keys are derived from the deployment secret per organization (development); a production
deployment would load them from an HSM or key files — the verifier only needs the JWKS.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock, ecdsa
from tsunagu.core.errors import NotFound, ValidationFailed
from tsunagu.core.sessions import Principal
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.models import ProceduresNotice
from tsunagu.procedures.notices import pdf

ALGORITHM = "ES256"
TYP = "tsunagu-notice+jws"
MAX_DOCUMENT_CHARS = 64_000


class NoticeMalformed(ValidationFailed):
    code = "notice-malformed"
    title = "This is not a signed notice"


class NoticeNotFound(NotFound):
    code = "notice-not-found"
    title = "Notice not found"


class PdfWithoutDocument(NoticeMalformed):
    code = "notice-pdf-without-document"
    title = "This PDF carries no signed document"


def signing_key(secret: str, organization: str) -> ECKey:
    seed = hmac.new(secret.encode(), f"notice-signing:{organization}:1".encode(), hashlib.sha256).digest()
    scalar = int.from_bytes(seed, "big") % (ecdsa.P256_ORDER - 1) + 1
    private = ec.derive_private_key(scalar, ec.SECP256R1())
    return ECKey.import_key(private, {"kid": f"{organization}#notice-1", "alg": ALGORITHM, "use": "sig"})


def public_keys(secret: str, organizations: list[str]) -> dict[str, Any]:
    """The JWKS of every issuing organization (public halves only)."""
    return {"keys": [signing_key(secret, code).as_dict(private=False) for code in organizations]}


@dataclass(frozen=True)
class IssuedNotice:
    id: str
    application_id: str
    issuer: str
    decision: str
    document: str
    issued_at: datetime


def render_text(template: str, values: dict[str, str]) -> str:
    """Fill ``{placeholder}``s; an unknown placeholder stays visible rather than failing."""

    class _Keep(dict[str, str]):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    return template.format_map(_Keep(values))


def issue(
    db: Session,
    secret: str,
    procedure: Procedure,
    *,
    application_id: str,
    receipt_number: str,
    issuer: str,
    issuer_name: str,
    recipient_id: str,
    decision: str,
    decision_label: dict[str, str],
    reason: str,
    values: dict[str, str],
) -> IssuedNotice:
    """Render the definition's notice in Japanese and English, sign it, store it."""
    now = clock.now()
    notice_id = uuid.uuid4().hex
    filled = {
        "ja": {
            **values,
            "decision": decision_label["ja"],
            "organization_name": issuer_name,
            "receipt_number": receipt_number,
        },
        "en": {
            **values,
            "decision": decision_label["en"],
            "organization_name": issuer_name,
            "receipt_number": receipt_number,
        },
    }
    payload = {
        "type": "処分通知",
        "id": notice_id,
        "issuer": issuer,
        "issuer_name": issuer_name,
        "recipient": recipient_id,
        "recipient_name": values.get("applicant_name", ""),
        "procedure": procedure.id,
        "procedure_name": procedure.name.model_dump(),
        "receipt_number": receipt_number,
        "decision": decision,
        "reason": reason,
        "issued_at": now.isoformat(),
        "title": {
            lang: render_text(getattr(procedure.notice.title, lang), filled[lang]) for lang in ("ja", "en")
        },
        "body": {
            lang: render_text(getattr(procedure.notice.body, lang), filled[lang]) for lang in ("ja", "en")
        },
    }
    token = sign(secret, issuer, payload)
    db.add(
        ProceduresNotice(
            id=notice_id,
            application_id=application_id,
            issuer=issuer,
            decision=decision,
            document=token,
            issued_at=now,
        )
    )
    db.flush()
    return IssuedNotice(notice_id, application_id, issuer, decision, token, now)


def sign(secret: str, issuer: str, payload: dict[str, Any]) -> str:
    """``payload`` as a JWS signed with ``issuer``'s key (also used for issued certificates)."""
    key = signing_key(secret, issuer)
    token = jws.serialize_compact(
        {"alg": ALGORITHM, "kid": key.kid, "typ": TYP},
        json.dumps(payload, ensure_ascii=False, sort_keys=True).encode(),
        key,
    )
    # one document, one signature: always the low-s form, which verification requires
    signing_input, signature = token.rsplit(".", 1)
    return f"{signing_input}.{_b64url(ecdsa.canonical_raw(_b64url_decode(signature)))}"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _canonical(db: Session, token: str) -> bool:
    """The signature is in low-s form, or the document is byte for byte one issued here before
    signatures were made canonical (its high-s twin, a malleated copy, is not on record)."""
    try:
        raw = _b64url_decode(token.rsplit(".", 1)[1])
    except (ValueError, binascii.Error):
        return False
    if ecdsa.is_canonical(raw):
        return True
    return db.scalar(select(ProceduresNotice.id).where(ProceduresNotice.document == token)) is not None


def notices_of(db: Session, application_id: str) -> list[IssuedNotice]:
    rows = db.scalars(
        select(ProceduresNotice)
        .where(ProceduresNotice.application_id == application_id)
        .order_by(ProceduresNotice.issued_at)
    )
    return [IssuedNotice(r.id, r.application_id, r.issuer, r.decision, r.document, r.issued_at) for r in rows]


@dataclass(frozen=True)
class Verification:
    valid: bool
    issuer: str = ""
    reason: str = ""
    payload: dict[str, Any] | None = None
    registered: bool = False
    sha256: str = ""


def verify(db: Session, secret: str, document: str, known_issuers: list[str]) -> Verification:
    """Whether ``document`` is a notice signed by a known issuer, and whether it is on record."""
    token = document.strip()
    if not token or len(token) > MAX_DOCUMENT_CHARS or token.count(".") != 2:
        raise NoticeMalformed(
            "paste the whole document: three base64url parts separated by dots",
            errors=[
                {
                    "location": ["document"],
                    "message": "not a JWS compact document",
                    "type": NoticeMalformed.code,
                }
            ],
        )
    try:
        header = jws.extract_compact(token.encode()).protected
    except (JoseError, ValueError):
        return Verification(False, reason="the document is damaged (its parts do not decode)")
    kid = str(header.get("kid", ""))
    issuer = kid.split("#", 1)[0]
    if header.get("alg") != ALGORITHM or header.get("typ") != TYP or issuer not in known_issuers:
        return Verification(False, issuer=issuer, reason="not issued by an organization known here")
    keys = KeySet([signing_key(secret, issuer)])
    try:
        verified = jws.deserialize_compact(token, keys, algorithms=[ALGORITHM])
    except (JoseError, ValueError):
        return Verification(
            False, issuer=issuer, reason="the signature does not match: the document was changed"
        )
    if not _canonical(db, token):
        return Verification(
            False, issuer=issuer, reason="the signature does not match: the document was changed"
        )
    payload = json.loads(verified.payload)
    if payload.get("issuer") != issuer:
        return Verification(False, issuer=issuer, reason="the issuer inside differs from the signer")
    registered = db.get(ProceduresNotice, str(payload.get("id", ""))) is not None
    return Verification(True, issuer, "", payload, registered, pdf.digest(token))


def document_for(db: Session, principal: Principal, notice_id: str) -> IssuedNotice:
    """A signed document the principal may read: the addressee's (or their proxy's), or one
    issued by the staff member's organization; anyone else gets 403, as for the application."""
    row = db.get(ProceduresNotice, notice_id)
    if row is None:
        raise NoticeNotFound(f"no notice {notice_id}")
    applications.get_for(db, principal, row.application_id)
    return IssuedNotice(row.id, row.application_id, row.issuer, row.decision, row.document, row.issued_at)


def document_id(token: str) -> str:
    """The id inside a signed document as issued here."""
    return str(pdf.payload_of(token)["id"])


def verify_url(base_url: str, notice_id: str) -> str:
    """Where anyone checks the document on record (printed on the PDF, as text and QR code)."""
    return f"{base_url.rstrip('/')}/notices/verify?id={notice_id}"


def verify_registered(db: Session, secret: str, notice_id: str, known_issuers: list[str]) -> Verification:
    """The document on record under ``notice_id`` checked like a pasted one (its id is the secret)."""
    row = db.get(ProceduresNotice, notice_id)
    if row is None:
        return Verification(False, reason="no document with this id is on record here")
    return verify(db, secret, row.document, known_issuers)


def verify_pdf(
    db: Session, secret: str, content: bytes, known_issuers: list[str]
) -> tuple[Verification, str]:
    """Verify the signed document embedded in a PDF made here; (result, the document)."""
    token = pdf.extract_document(content)
    if token is None:
        raise PdfWithoutDocument(
            "the PDF carries no signed document (notice.jws); upload the PDF downloaded from Tsunagu",
            errors=[
                {
                    "location": ["body", "file"],
                    "message": "no embedded notice.jws",
                    "type": PdfWithoutDocument.code,
                }
            ],
        )
    return verify(db, secret, token, known_issuers), token
