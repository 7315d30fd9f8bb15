"""Use cases of the conformance part on the web: a municipality's staff upload an export of a
system, the check runs in the background with its progress recorded, the result is kept per system
and version, and a passed check yields a signed conformance statement (適合確認書, JWS) that anyone
can verify against the published key."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.conformance import checker, pmo, requirements
from tsunagu.conformance.findings import Report
from tsunagu.conformance.models import ConformanceCheck
from tsunagu.conformance.sources import MIB, SUFFIXES, Limits
from tsunagu.core import authz, clock
from tsunagu.core.authz import Operation, Role
from tsunagu.core.database import Database
from tsunagu.core.errors import Forbidden, NotFound, ValidationFailed
from tsunagu.core.sessions import Principal

TYP = "tsunagu-conformance+jws"
ALGORITHM = "ES256"
MAX_UPLOAD = 512 * MIB  # an upload larger than this is refused before it is stored
WEB_LIMITS = Limits(max_file_bytes=2048 * MIB, max_total_bytes=4096 * MIB)
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class CheckNotFound(NotFound):
    code = "conformance-check-not-found"
    title = "Conformance check not found"


class UploadRefused(ValidationFailed):
    code = "conformance-upload-refused"
    title = "Upload refused"


@dataclass(frozen=True)
class CheckRecord:
    id: str
    organization_code: str
    system_name: str
    system_version: str
    vendor_name: str
    requirement_set: str
    file_name: str
    status: str
    rows_done: int
    must: int
    should: int
    report: Report | None
    error: str
    statement: str | None
    created_at: Any
    finished_at: Any


def _record(row: ConformanceCheck) -> CheckRecord:
    return CheckRecord(
        row.id,
        row.organization_code,
        row.system_name,
        row.system_version,
        row.vendor_name,
        row.requirement_set,
        row.file_name,
        row.status,
        row.rows_done,
        row.must,
        row.should,
        Report.from_json(row.report) if row.report else None,
        row.error,
        row.statement,
        row.created_at,
        row.finished_at,
    )


#: a municipality's own staff who check the systems they run: the resident-record office and administrators
MUNICIPAL_ROLES = frozenset({Role.REGISTRAR, Role.ADMIN})


def may_submit(principal: Principal) -> bool:
    """A vendor (Operation.SUBMIT_CONFORMANCE) or a municipality's 住基/管理 staff submit exports."""
    return authz.allows(principal, Operation.SUBMIT_CONFORMANCE) or (
        principal.kind == "staff" and bool(authz.roles_of(principal) & MUNICIPAL_ROLES)
    )


def uploads_dir(data_dir: Path) -> Path:
    return data_dir / "conformance" / "uploads"


def submit(
    db: Session,
    principal: Principal,
    *,
    data_dir: Path,
    file_name: str,
    upload: Any,
    system_name: str,
    system_version: str,
    vendor_name: str,
) -> str:
    """Store an uploaded export and queue its check; the id of the check."""
    if principal.organization_code is None or not may_submit(principal):
        raise Forbidden("submitting an export needs the role ベンダー, or 住基 or 管理 of a municipality")
    errors = [
        {"location": [name], "type": "missing", "message": "required"}
        for name, value in (
            ("system_name", system_name),
            ("system_version", system_version),
            ("vendor_name", vendor_name),
        )
        if not value.strip()
    ]
    suffix = Path(file_name).suffix.lower()
    if suffix not in SUFFIXES:
        errors.append(
            {"location": ["file"], "type": "format", "message": "a CSV, TSV, JSON Lines, .xlsx or ZIP file"}
        )
    if errors:
        raise ValidationFailed("the upload is not complete", errors=errors)
    check_id = uuid.uuid4().hex
    folder = uploads_dir(data_dir) / check_id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / Path(file_name).name
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as handle:
        while chunk := upload.read(1 << 20):
            size += len(chunk)
            if size > MAX_UPLOAD:
                handle.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise UploadRefused(
                    f"the file is larger than {MAX_UPLOAD // MIB} MiB; check it with the "
                    "command `tsunagu conformance check`",
                    errors=[{"location": ["file"], "type": "too-large", "message": "too large"}],
                )
            digest.update(chunk)
            handle.write(chunk)
    found = requirements.load_shipped("juminkiroku", "1.0")
    db.add(
        ConformanceCheck(
            id=check_id,
            organization_code=principal.organization_code,
            system_name=system_name.strip()[:100],
            system_version=system_version.strip()[:50],
            vendor_name=vendor_name.strip()[:100],
            requirement_set=found.key,
            file_name=target.name,
            file_sha256=digest.hexdigest(),
            status="queued",
            rows_done=0,
            must=0,
            should=0,
            report=None,
            error="",
            statement=None,
            created_by=principal.subject_id,
            created_at=clock.now(),
            finished_at=None,
        )
    )
    return check_id


class _Recorder:
    """Progress of a running check written to its row every batch (the page shows it)."""

    def __init__(self, database: Database, check_id: str) -> None:
        self.database, self.check_id, self.done = database, check_id, 0

    def start(self, description: str, total: int | None) -> None:
        del description, total

    def advance(self, units: int = 1) -> None:
        self.done += units
        with self.database.session() as db:
            row = db.get(ConformanceCheck, self.check_id)
            if row is not None:
                row.rows_done = self.done


def run(database: Database, secret: str, data_dir: Path, check_id: str) -> None:
    """Run a queued check to its end (in a background thread); every outcome is recorded."""
    with database.session() as db:
        row = db.get(ConformanceCheck, check_id)
        if row is None or row.status != "queued":
            return
        row.status = "running"
        file = uploads_dir(data_dir) / check_id / row.file_name
    try:
        found = requirements.load_shipped("juminkiroku", "1.0")
        report = checker.check(found, [file], limits=WEB_LIMITS, progress=_Recorder(database, check_id))
    except Exception as error:
        with database.session() as db:
            row = db.get(ConformanceCheck, check_id)
            if row is not None:
                row.status, row.error, row.finished_at = "error", type(error).__name__, clock.now()
        raise
    finally:
        shutil.rmtree(uploads_dir(data_dir) / check_id, ignore_errors=True)  # the export holds personal data
    with database.session() as db:
        row = db.get(ConformanceCheck, check_id)
        if row is None:
            return
        row.report, row.must, row.should = report.as_json(), report.findings.must, report.findings.should
        row.rows_done, row.finished_at = report.total_rows, clock.now()
        row.status = "passed" if report.passed else "failed"
        if report.passed:
            row.statement = sign(secret, row.organization_code, _statement(row))
        pmo.record_result(db, row.organization_code, found.business_area, check_id, row.status)


def start(database: Database, secret: str, data_dir: Path, check_id: str) -> threading.Thread:
    thread = threading.Thread(
        target=run,
        args=(database, secret, data_dir, check_id),
        name=f"conformance-{check_id[:8]}",
        daemon=True,
    )
    thread.start()
    return thread


def get_check(db: Session, principal: Principal, check_id: str) -> CheckRecord:
    row = db.get(ConformanceCheck, check_id)
    if row is None or row.organization_code != principal.organization_code:
        raise CheckNotFound(f"no check {check_id} of your organization")
    return _record(row)


def checks_of(db: Session, principal: Principal, limit: int = 50) -> list[CheckRecord]:
    """The organization's checks, newest first: the history per system and version."""
    rows = db.scalars(
        select(ConformanceCheck)
        .where(ConformanceCheck.organization_code == principal.organization_code)
        .order_by(ConformanceCheck.created_at.desc())
        .limit(limit)
    )
    return [_record(r) for r in rows]


def statement_issuers(db: Session) -> list[str]:
    """The organizations that may have issued statements: those with checks on record."""
    return sorted(db.scalars(select(ConformanceCheck.organization_code).distinct()))


def _statement(row: ConformanceCheck) -> dict[str, Any]:
    return {
        "id": row.id,
        "issuer": row.organization_code,
        "system": row.system_name,
        "version": row.system_version,
        "vendor": row.vendor_name,
        "requirement_set": row.requirement_set,
        "file_sha256": row.file_sha256,
        "rows": row.rows_done,
        "result": "passed",
        "checked_at": (row.finished_at or clock.now()).isoformat(),
    }


def signing_key(secret: str, organization: str) -> ECKey:
    """The organization's statement key, derived from the installation secret (never stored)."""
    seed = hmac.new(
        secret.encode(), f"conformance-statement:{organization}:1".encode(), hashlib.sha256
    ).digest()
    private = ec.derive_private_key(int.from_bytes(seed, "big") % (_P256_ORDER - 1) + 1, ec.SECP256R1())
    return ECKey.import_key(private, {"kid": f"{organization}#conformance-1", "alg": ALGORITHM, "use": "sig"})


def public_keys(secret: str, organizations: list[str]) -> dict[str, Any]:
    return {"keys": [signing_key(secret, code).as_dict(private=False) for code in organizations]}


def sign(secret: str, organization: str, payload: dict[str, Any]) -> str:
    key = signing_key(secret, organization)
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    return jws.serialize_compact({"alg": ALGORITHM, "kid": key.kid, "typ": TYP}, body, key)


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str = ""
    payload: dict[str, Any] | None = None


def verify(secret: str, document: str, organizations: list[str]) -> Verification:
    """Whether a statement is genuine: signed by a known organization's key, issuer matching its signer."""
    token = "".join(document.split())
    if token.count(".") != 2:
        return Verification(False, "not a JWS compact document")
    try:
        header = jws.extract_compact(token.encode()).protected
    except (JoseError, ValueError):
        return Verification(False, "the document is damaged")
    kid = str(header.get("kid", ""))
    issuer = kid.split("#", maxsplit=1)[0]
    if header.get("typ") != TYP or issuer not in organizations:
        return Verification(False, "not issued by an organization known here")
    try:
        verified = jws.deserialize_compact(
            token, KeySet([signing_key(secret, issuer)]), algorithms=[ALGORITHM]
        )
    except (JoseError, ValueError):
        return Verification(False, "the signature does not match: the document was changed")
    payload = json.loads(verified.payload)
    if payload.get("issuer") != issuer:
        return Verification(False, "the issuer inside differs from the signer")
    return Verification(True, "", payload)
