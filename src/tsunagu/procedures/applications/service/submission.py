"""Durable, idempotent submission: each database's submissions are stored in group commits
(application, idempotency record, audit and お知らせ in one transaction) before anything is
acknowledged.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.direct import DirectInsert, DirectSelect
from tsunagu.core.errors import Conflict, TsunaguError
from tsunagu.core.groupcommit import GroupCommit, Job
from tsunagu.core.sessions import Principal
from tsunagu.core.types.wareki import format_wareki
from tsunagu.identity.business import service as business_accounts
from tsunagu.identity.proxies import service as proxies
from tsunagu.notify import service as inbox
from tsunagu.procedures import meshlink
from tsunagu.procedures.applications import attachments, household, inprogress
from tsunagu.procedures.applications.service.eligibility import (
    attributes_of,
    check_eligibility,
    require_eligible,
    responsible_organization,
    subject_of,
)
from tsunagu.procedures.applications.service.prefill import merge_prefilled, prefill
from tsunagu.procedures.applications.service.reading import load
from tsunagu.procedures.applications.service.records import (
    AlreadyFiledInBundle,
    Application,
    AuditRecord,
    EvidenceRecord,
    IdempotencyKeyReused,
    Prefilled,
    TamperedField,
)
from tsunagu.procedures.applications.validation import clean
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.models import (
    ProceduresApplication,
    ProceduresAudit,
    ProceduresEvidence,
    ProceduresIdempotencyKey,
    ProceduresReceiptCounter,
    ProceduresReceiptPrefix,
)


@dataclass(frozen=True)
class Submission:
    """Everything needed to store one application (already validated)."""

    procedure: Procedure
    principal: Principal
    subject_id: str
    organization: str
    data: dict[str, Any]
    prefilled: Prefilled
    idempotency_key: str
    request: Mapping[str, Any]
    bundle_id: str | None = None


def fingerprint(procedure_id: str, data: Mapping[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps([procedure_id, data], sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def prepare(
    db: Session,
    gateway: meshlink.MeshGateway | None,
    procedure: Procedure,
    principal: Principal,
    submitted: Mapping[str, Any],
    *,
    sealed: Prefilled | None = None,
    on_behalf_of: str | None = None,
    key: str = "",
) -> tuple[Prefilled, dict[str, Any], str, str]:
    """Eligibility, organization, prefill (sealed from the form or fetched) and validation.

    Returns (prefilled, clean data, organization, subject id). Sealed values are used when the
    seal holds any; otherwise they are fetched through ``gateway``, which may only be None when
    ``sealed`` is given. With ``on_behalf_of`` the principal applies as a registered proxy
    (代理申請): identity checks the grant and logs it in both persons' histories. The application
    an earlier submission with ``key`` made does not count as another one in progress, and the
    files held under ``key`` are part of the values.
    """
    if key and procedure.has_files:
        # the files held for this form count as its values
        submitted = {**submitted, **attachments.pending(db, principal.subject_id, key)}
    person, kind = subject_of(db, procedure, principal, on_behalf_of)
    attributes = attributes_of(db, person, clock.today_jst().date()) | {"kind": kind}
    require_eligible(check_eligibility(procedure, attributes))
    organization = responsible_organization(db, procedure, person, submitted)
    if sealed is None or sealed.stale or (not sealed.values and gateway is not None):
        # no seal, an old one, or one made before the organization to ask as was known: fetch now
        if gateway is None:
            raise TamperedField("the form carries no current registry values")
        sealed = prefill(gateway, procedure, person, organization)
    data = clean(procedure, merge_prefilled(sealed, submitted))
    if household.uses_household(procedure):
        household.check(procedure, household.members_of(db, person), data)
    inprogress.require_none_open(db, procedure, person.id, own=_by_key_id(db, principal.subject_id, key))
    if kind == "proxy":
        proxies.act_as_proxy(db, principal.subject_id, person.id, procedure.id, "apply")
    return sealed, data, organization, person.id


def replay(
    db: Session, principal: Principal, procedure_id: str, key: str, request: Mapping[str, Any]
) -> Application | None:
    """The application an earlier submission with this key created (checked before any look-up)."""
    return _by_key(db, principal.subject_id, key, fingerprint(procedure_id, request))


def submit(database: Database, submission: Submission) -> tuple[Application, bool]:
    """Store the application durably; (application, created). The same key → the same receipt.

    The key is bound to what was sent (not to registry values), so a replay is recognised
    before prefill or validation run again. Every row is built here, before the submission
    queues for the write (:func:`_store`); a constraint broken by a concurrent writer (another
    process on PostgreSQL) is retried.
    """
    pending = _Pending.of(submission)
    for _attempt in range(3):
        try:
            return _submissions(database).submit(Job(pending), partial(_store, database))
        except IntegrityError:
            continue  # a concurrent submission with the same key (or receipt counter) won the race
    with database.session() as db:
        existing = _by_key(db, submission.principal.subject_id, submission.idempotency_key, pending.digest)
    if existing is None:
        raise Conflict("the submission could not be stored; please try again")
    return existing, False


_KEY = DirectSelect(
    select(ProceduresIdempotencyKey.request_sha256, ProceduresIdempotencyKey.application_id).where(
        ProceduresIdempotencyKey.applicant_id == bindparam("applicant"),
        ProceduresIdempotencyKey.key == bindparam("key"),
    ),
    {"applicant": ProceduresIdempotencyKey.applicant_id, "key": ProceduresIdempotencyKey.key},
)


def _by_key_id(db: Session, applicant: str, key: str) -> str | None:
    """The application a submission with ``key`` made, whatever it sent."""
    row = _KEY.first(db.connection(), applicant=applicant, key=key) if key else None
    return None if row is None else str(row[1])


def _by_key(db: Session, applicant: str, key: str, digest: str) -> Application | None:
    row = _KEY.first(db.connection(), applicant=applicant, key=key)  # in every submission's write
    if row is None:
        return None
    if row[0] != digest:
        raise IdempotencyKeyReused(f"the key {key!r} was already used for another submission")
    return load(db, row[1])


@dataclass
class _Pending:
    """One submission's rows, all but the receipt number (given in the write)."""

    submission: Submission
    digest: str
    application: dict[str, Any]
    evidence: list[dict[str, Any]]
    audit: dict[str, Any]

    @classmethod
    def of(cls, s: Submission) -> _Pending:
        now, today = clock.now(), clock.today_jst().date()
        application_id = uuid.uuid4().hex
        application = {
            "id": application_id,
            "receipt_number": "",
            "procedure_id": s.procedure.id,
            "procedure_revision": s.procedure.revision,
            "applicant_id": s.principal.subject_id,
            "subject_id": s.subject_id,
            "applicant_kind": s.principal.kind,
            "organization_code": s.organization,
            "status": "submitted",
            "data": s.data,
            "prefilled": {k: v.__dict__ for k, v in s.prefilled.sources.items()},
            "bundle_id": s.bundle_id,
            "decision_reason": "",
            "submitted_at": now,
            "updated_at": now,
            "due_on": today + timedelta(days=s.procedure.processing_days),
        }
        evidence: list[dict[str, Any]] = [
            {
                "application_id": application_id,
                "service": spec.service,
                "provider": spec.provider or "",
                "mesh_service": "",
                "legal_basis_id": spec.legal_basis_id,
                "status": "pending",
                "data": {},
                "log_reference": "",
                "error": "",
                "attempts": 0,
                "fetched_at": None,
            }
            for spec in s.procedure.evidence
        ]
        audit = {
            "application_id": application_id,
            "at": now,
            "actor": s.principal.subject_id,
            "actor_kind": s.principal.kind,
            "organization_code": s.principal.organization_code or "",
            "from_status": "",
            "to_status": "submitted",
            "reason": "",
        }
        return cls(s, fingerprint(s.procedure.id, s.request), application, evidence, audit)

    @property
    def owner_key(self) -> tuple[str, str]:
        return self.submission.principal.subject_id, self.submission.idempotency_key

    def key_row(self) -> dict[str, Any]:
        return {
            "applicant_id": self.owner_key[0],
            "key": self.owner_key[1],
            "request_sha256": self.digest,
            "application_id": self.application["id"],
            "created_at": self.application["submitted_at"],
        }

    def receipts(self) -> list[inbox.Outgoing]:
        """受付のお知らせ to the person (and to the proxy who applied for them)."""
        s, receipt, due_on = self.submission, self.application["receipt_number"], self.application["due_on"]
        name, link = s.procedure.name.ja, f"/applications/{self.application['id']}"
        messages = [
            inbox.Outgoing(
                s.subject_id,
                s.organization,
                "status",
                f"{name}を受け付けました（受付番号 {receipt}）",
                f"{name}を受け付けました。\n受付番号: {receipt}\n処理の目安: {format_wareki(due_on)}まで",
                link,
            )
        ]
        # a proxy is told too; a sole proprietor acting as their business is not a proxy (its
        # お知らせ is the business's)
        if s.principal.subject_id != s.subject_id and not business_accounts.is_sole_proprietor(s.principal):
            messages.append(
                inbox.Outgoing(
                    s.principal.subject_id,
                    s.organization,
                    "status",
                    f"代理申請: {name}を受け付けました（受付番号 {receipt}）",
                    f"代理人として申請した{name}を受け付けました。\n受付番号: {receipt}",
                    link,
                )
            )
        return messages

    def stored(self) -> Application:
        """The application as just written (no need to read it back)."""
        a = self.application
        return Application(
            a["id"],
            a["receipt_number"],
            a["procedure_id"],
            a["applicant_id"],
            a["subject_id"],
            a["applicant_kind"],
            a["organization_code"],
            a["status"],
            dict(a["data"]),
            dict(a["prefilled"]),
            a["bundle_id"],
            a["decision_reason"],
            a["submitted_at"],
            a["updated_at"],
            a["due_on"],
            tuple(
                EvidenceRecord(
                    e["service"],
                    e["provider"],
                    e["mesh_service"],
                    e["legal_basis_id"],
                    e["status"],
                    {},
                    "",
                    "",
                    0,
                    None,
                )
                for e in self.evidence
            ),
            (
                AuditRecord(
                    self.audit["at"], self.audit["actor"], self.audit["actor_kind"], "", "submitted", ""
                ),
            ),
        )


# Each database's queue of submissions in this process (group commit: core.groupcommit).
_queues: weakref.WeakKeyDictionary[Database, GroupCommit] = weakref.WeakKeyDictionary()
_queues_guard = threading.Lock()


def _submissions(database: Database) -> GroupCommit:
    with _queues_guard:
        return _queues.setdefault(database, GroupCommit())


_C = ProceduresReceiptCounter
_NEXT_SERIAL = DirectSelect(
    update(_C)
    .where(_C.organization_code == bindparam("org"), _C.year == bindparam("year"))
    .values(last=_C.last + 1)
    .returning(_C.last),
    {"org": _C.organization_code, "year": _C.year},
)
_INSERT_COUNTER = DirectInsert.of(ProceduresReceiptCounter)
_INSERT_APPLICATION = DirectInsert.of(ProceduresApplication)
_INSERT_KEY = DirectInsert.of(ProceduresIdempotencyKey)
_INSERT_EVIDENCE = DirectInsert.of(ProceduresEvidence)
_INSERT_AUDIT = DirectInsert.of(ProceduresAudit)


_P = ProceduresReceiptPrefix
_PREFIX = DirectSelect(
    select(_P.number).where(_P.organization_code == bindparam("org")), {"org": _P.organization_code}
)
_LAST_PREFIX = DirectSelect(select(func.max(_P.number)), {})
_INSERT_PREFIX = DirectInsert.of(ProceduresReceiptPrefix)
FIRST_OFFICE_NUMBER = 900001  # above every 地方公共団体コード (the highest is 47xxxx)


def receipt_prefix(connection: Connection, organization: str) -> str:
    """The digits that stand for ``organization`` in its receipt numbers: its 地方公共団体コード,
    or the number it was given on its first receipt (a concurrent first receipt of another office
    fails on the unique number, which :func:`submit` retries)."""
    if organization.isdigit():
        return organization
    row = _PREFIX.first(connection, org=organization)
    if row is not None:
        return str(row[0])
    last = _LAST_PREFIX.first(connection)
    number = max(FIRST_OFFICE_NUMBER - 1, int(last[0]) if last and last[0] is not None else 0) + 1
    _INSERT_PREFIX.run(connection, [{"organization_code": organization, "number": number}])
    return str(number)


def next_receipt(connection: Connection, organization: str, year: int) -> str:
    """受付番号: ``<year>-<office number>-<serial>``, digits only (:func:`receipt_prefix`), the
    serial per organization and year.

    One atomic ``UPDATE … RETURNING`` (no read-then-write that two writers could interleave);
    the first receipt of a year inserts the counter, and a concurrent first insert fails on
    the primary key, which :func:`submit` retries.
    """
    row = _NEXT_SERIAL.first(connection, org=organization, year=year)
    serial = 1 if row is None else int(row[0])
    if row is None:
        _INSERT_COUNTER.run(connection, [{"organization_code": organization, "year": year, "last": serial}])
    return f"{year}-{receipt_prefix(connection, organization)}-{serial:06d}"


def _store(database: Database, batch: list[Job[_Pending, tuple[Application, bool]]]) -> None:
    """Write a batch of submissions in one transaction: the serialized part of a submission.

    Per submission only its key check and receipt serial run one by one; then each table gets
    one statement for the whole batch. A key used again with other content is refused for that
    submission alone; the same key twice in one batch gets the one application.
    """
    accepted: dict[tuple[str, str], Job[_Pending, tuple[Application, bool]]] = {}
    again: list[tuple[Job[_Pending, tuple[Application, bool]], _Pending]] = []
    parts: dict[tuple[str, str], str] = {}  # (bundle, procedure) accepted in this batch
    with database.write_transaction() as connection:
        for job in batch:
            pending = job.work
            first = accepted.get(pending.owner_key)
            try:
                if first is not None:
                    if first.work.digest != pending.digest:
                        raise IdempotencyKeyReused(
                            f"the key {pending.owner_key[1]!r} was already used for another submission"
                        )
                    again.append((job, first.work))
                    continue
                earlier = _by_key(Session(connection), *pending.owner_key, pending.digest)
            except TsunaguError as exc:
                job.refuse(exc)
                continue
            if earlier is not None:
                job.finish((earlier, False))
                continue
            part = _bundle_part(pending)
            standing = _standing_in_bundle(connection, part, parts)
            if standing is not None:
                procedure = pending.submission.procedure.id
                job.refuse(
                    AlreadyFiledInBundle(
                        f"{procedure} was already filed in this bundle", application_id=standing
                    )
                )
                continue
            if part is not None:
                parts[part] = pending.application["id"]
            pending.application["receipt_number"] = next_receipt(
                connection, pending.submission.organization, pending.application["submitted_at"].year
            )
            accepted[pending.owner_key] = job
        _insert(connection, [job.work for job in accepted.values()])
    for job in accepted.values():
        job.finish((job.work.stored(), True))
    for job, first_pending in again:
        job.finish((first_pending.stored(), False))


_STANDING = DirectSelect(
    select(ProceduresApplication.id).where(
        ProceduresApplication.bundle_id == bindparam("bundle"),
        ProceduresApplication.procedure_id == bindparam("procedure"),
        text("status NOT IN ('withdrawn', 'rejected')"),  # the index's condition (no expanding bind)
    ),
    {"bundle": ProceduresApplication.bundle_id, "procedure": ProceduresApplication.procedure_id},
)


def _bundle_part(pending: _Pending) -> tuple[str, str] | None:
    bundle = pending.submission.bundle_id
    return None if bundle is None else (bundle, pending.submission.procedure.id)


def _standing_in_bundle(
    connection: Connection, part: tuple[str, str] | None, batch: Mapping[tuple[str, str], str]
) -> str | None:
    """The standing application of the same procedure in the same bundle (this batch's first).

    Checked in the write so the second of two family members gets a clear refusal; the partial
    unique index ``uq_procedures_applications_bundle_part`` stops a concurrent writer on another
    process (its insert fails, :func:`submit` retries, and the check then sees the first).
    """
    if part is None:
        return None
    if part in batch:
        return batch[part]
    row = _STANDING.first(connection, bundle=part[0], procedure=part[1])
    return None if row is None else str(row[0])


def _insert(connection: Connection, stored: list[_Pending]) -> None:
    if not stored:
        return
    # straight to the driver, one statement per table: this is the serialized part of every
    # submission, and the unit of work's flush per row was most of its time
    _INSERT_APPLICATION.run(connection, [p.application for p in stored])
    _INSERT_KEY.run(connection, [p.key_row() for p in stored])
    evidence = [row for p in stored for row in p.evidence]
    if evidence:
        _INSERT_EVIDENCE.run(connection, evidence)
    _INSERT_AUDIT.run(connection, [p.audit for p in stored])
    inbox.deliver_all(connection, [message for p in stored for message in p.receipts()])
    with_files = [p for p in stored if p.submission.procedure.has_files]
    if with_files:
        db = Session(connection)
        for p in with_files:
            attachments.attach_pending(db, *p.owner_key, p.application["id"])


def audit(
    db: Session, application_id: str, actor: Principal, *, from_status: str, to_status: str, reason: str
) -> ProceduresAudit:
    entry = _audit_entry(application_id, actor, from_status=from_status, to_status=to_status, reason=reason)
    db.add(entry)
    return entry


def _audit_entry(
    application_id: str, actor: Principal, *, from_status: str, to_status: str, reason: str
) -> ProceduresAudit:
    return ProceduresAudit(
        application_id=application_id,
        at=clock.now(),
        actor=actor.subject_id,
        actor_kind=actor.kind,
        organization_code=actor.organization_code or "",
        from_status=from_status,
        to_status=to_status,
        reason=reason,
    )
