"""申請: eligibility, prefill through the mesh, durable idempotent submission, evidence, status.

A submission is committed (application + idempotency record + audit + お知らせ, one transaction)
before anything is acknowledged; mesh look-ups for evidence happen after that commit, so a
provider that is down leaves the application saved with its evidence marked for retry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.direct import DirectInsert, DirectSelect
from tsunagu.core.errors import Conflict, Forbidden, NotFound, TsunaguError, ValidationFailed
from tsunagu.core.groupcommit import GroupCommit, Job
from tsunagu.core.sessions import Principal
from tsunagu.identity.proxies import service as proxies
from tsunagu.mesh import errors as mesh_errors
from tsunagu.notify import service as inbox
from tsunagu.procedures import meshlink, rules, statemachine
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.applications import attachments, household, inprogress
from tsunagu.procedures.applications.validation import clean
from tsunagu.procedures.definition import Localized, Procedure
from tsunagu.procedures.models import (
    ProceduresApplication,
    ProceduresAudit,
    ProceduresEvidence,
    ProceduresIdempotencyKey,
    ProceduresReceiptCounter,
)
from tsunagu.procedures.registry import LiveRegistry
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.residents import service as residents

ADULT_AGE = 18


class ApplicationNotFound(NotFound):
    code = "application-not-found"
    title = "Application not found"


class ForeignApplication(Forbidden):
    code = "application-forbidden"
    title = "This application is not yours"


class TamperedField(Forbidden):
    code = "application-tampered"
    title = "A value filled from the registry was changed"


class NotEligible(Forbidden):
    code = "application-not-eligible"
    title = "You cannot apply for this procedure"


class IdempotencyKeyReused(Conflict):
    code = "idempotency-key-reused"
    title = "This idempotency key was used for a different submission"


class NoResponsibleOrganization(ValidationFailed):
    code = "application-no-responsible-organization"
    title = "The organization to apply to could not be determined"


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    summary: Localized | None
    reasons: tuple[Localized, ...] = ()
    what_to_do: Localized | None = None


@dataclass(frozen=True)
class Provenance:
    provider: str
    mesh_service: str
    legal_basis_id: str
    request_id: str
    fetched_at: str


@dataclass(frozen=True)
class Prefilled:
    """Values filled from registries, each with where it came from; what could not be fetched."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Provenance] = field(default_factory=dict)
    unavailable: tuple[str, ...] = ()
    stale: bool = False  # sealed longer ago than SEAL_SECONDS: fetched again before use


@dataclass(frozen=True)
class EvidenceRecord:
    service: str
    provider: str
    mesh_service: str
    legal_basis_id: str
    status: str
    data: dict[str, Any]
    log_reference: str
    error: str
    attempts: int
    fetched_at: datetime | None


@dataclass(frozen=True)
class AuditRecord:
    at: datetime
    actor: str
    actor_kind: str
    from_status: str
    to_status: str
    reason: str


@dataclass(frozen=True)
class Application:
    id: str
    receipt_number: str
    procedure_id: str
    applicant_id: str
    subject_id: str
    applicant_kind: str
    organization_code: str
    status: str
    data: dict[str, Any]
    prefilled: dict[str, Any]
    bundle_id: str | None
    decision_reason: str
    submitted_at: datetime
    updated_at: datetime
    due_on: date
    evidence: tuple[EvidenceRecord, ...] = ()
    audit: tuple[AuditRecord, ...] = ()

    @property
    def evidence_pending(self) -> bool:
        return any(e.status != "ok" for e in self.evidence)

    def overdue(self, today: date) -> bool:
        return self.status in statemachine.OPEN and today > self.due_on


# ------------------------------------------------------------------ who, where, may they


def applicant_of(db: Session, principal: Principal) -> residents.ResidentRecord:
    if principal.kind != "resident":
        raise Forbidden("only a resident logged in with a My Number Card can apply here")
    record = residents.get_resident(db, principal.subject_id)
    if record is None:
        raise NotEligible(
            "you are not in the resident register of a municipality served here", reasons=["not-registered"]
        )
    return record


def attributes_of(db: Session, person: residents.ResidentRecord, today: date) -> dict[str, object]:
    """The applicant attributes eligibility rules compare (see ``rules.ATTRIBUTES``)."""
    birthday_passed = (today.month, today.day) >= (person.birth_date.month, person.birth_date.day)
    children = [
        m
        for m in residents.household_members(db, person.household_id)
        if m.id != person.id and _age(m.birth_date, today) < ADULT_AGE
    ]
    return {
        "kind": "resident",
        "age": today.year - person.birth_date.year - (0 if birthday_passed else 1),
        "status": person.status,
        "municipality_code": person.municipality_code,
        "prefecture_code": person.municipality_code[:2],
        "children_in_care": len(children),
        # a resident principal exists only after a login with the card's 利用者証明用 certificate
        "has_individual_number_card": True,
    }


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


_REASONS: dict[str, Localized] = {
    "status": Localized(
        ja="住民基本台帳にこの手続の対象となる状態で記録されていません。",
        en="The resident register does not show you in a state this procedure is for.",
    ),
    "municipality_code": Localized(
        ja="この市区町村の住民ではありません。", en="You are not a resident of this municipality."
    ),
    "age": Localized(ja="年齢の条件を満たしていません。", en="You do not meet the age condition."),
    "children_in_care": Localized(
        ja="監護している児童が登録されていません。", en="No child in your care is registered."
    ),
    "kind": Localized(
        ja="この手続は個人の方は申請できません。", en="Individuals cannot apply for this procedure."
    ),
}
_WHAT_TO_DO = Localized(
    ja="お住まいの市区町村の窓口にご相談いただくか、住民登録のある市区町村の手続をご利用ください。",
    en="Please ask at the counter of your municipality, or use the procedure of the municipality "
    "where you are registered.",
)


def check_eligibility(procedure: Procedure, attributes: Mapping[str, object]) -> Eligibility:
    """Whether the applicant may apply, why not, and what to do instead."""
    summary = procedure.eligibility.summary if procedure.eligibility else None
    failing: list[str] = []
    if attributes.get("kind") not in procedure.applicants:
        failing.append("kind")
    elif procedure.eligibility is not None:
        failing += sorted(
            {
                c["attribute"]
                for c in _comparisons(procedure.eligibility.rule)
                if not rules.evaluate(c, attributes)
            }
        )
        if not failing and not rules.evaluate(procedure.eligibility.rule, attributes):
            failing.append("status")
    if not failing:
        return Eligibility(True, summary)
    reasons = tuple(_REASONS.get(name, _REASONS["status"]) for name in failing)
    return Eligibility(False, summary, reasons, _WHAT_TO_DO)


def require_eligible(verdict: Eligibility) -> None:
    """:class:`NotEligible` (403) with the reasons and what to do, unless ``verdict`` admits."""
    if not verdict.eligible:
        raise NotEligible(
            "you cannot apply for this procedure: " + " ".join(r.en for r in verdict.reasons),
            reasons=[r.en for r in verdict.reasons],
            what_to_do=_WHAT_TO_DO.en,
        )


@dataclass(frozen=True)
class FormStart:
    """Who opens a form, whether they may apply, and the organization to ask registries as."""

    person: residents.ResidentRecord
    eligibility: Eligibility
    organization: str | None  # None while it depends on an answer (the destination)


@dataclass(frozen=True)
class OpenedForm:
    """A new form: the checks, and for an eligible person the registry values and their seal."""

    start: FormStart
    prefilled: Prefilled
    seal: str


def open_form(
    database: Database, gateway: meshlink.MeshGateway, secret: str, procedure: Procedure, principal: Principal
) -> OpenedForm:
    """What the page shows before a form is filled in and what the API hands out as its prefill:
    eligibility and organization first, then (once the organization is known) the registry values
    through the mesh, sealed so that the submission need not fetch them again."""
    with database.session() as db:
        person = applicant_of(db, principal)
        verdict = check_eligibility(procedure, attributes_of(db, person, clock.today_jst().date()))
        organization = (
            None
            if procedure.responsible.rule == "municipality_of_destination" or not verdict.eligible
            else responsible_organization(db, procedure, person, {})
        )
    start = FormStart(person, verdict, organization)
    if not verdict.eligible:
        return OpenedForm(start, Prefilled(), "")
    prefilled = Prefilled() if organization is None else prefill(gateway, procedure, person, organization)
    return OpenedForm(start, prefilled, seal(secret, principal.subject_id, procedure, prefilled))


def _comparisons(rule: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The comparisons under an all-combinator (the ones that each must hold)."""
    if "all" in rule:
        return [c for part in rule["all"] for c in _comparisons(part)]
    return [rule] if "attribute" in rule else []


def responsible_organization(
    db: Session, procedure: Procedure, person: residents.ResidentRecord, data: Mapping[str, Any]
) -> str:
    """The organization the application goes to, from the definition's rule."""
    rule = procedure.responsible.rule
    if rule == "fixed" and procedure.responsible.organization:
        return procedure.responsible.organization
    if rule == "municipality_of_current_address":
        return person.municipality_code
    if rule == "municipality_of_destination":
        destination = data.get("destination_address")
        text = destination.get("text", "") if isinstance(destination, dict) else ""
        found = addresses.normalize(db, text).address if text else None
        if found is not None and found.municipality_code is not None:
            return str(found.municipality_code)
        raise NoResponsibleOrganization(
            "the new address does not name a municipality we know",
            errors=[
                {
                    "location": ["body", "data", "destination_address"],
                    "message": "unknown municipality",
                    "message_id": "転入先の市区町村が見つかりません。",
                    "type": "application-field",
                }
            ],
        )
    raise NoResponsibleOrganization(f"procedure {procedure.id} is not for residents")


# ------------------------------------------------------------------ prefill through the mesh


def _name_value(item: Any) -> dict[str, str]:
    return {
        "family": item["family_name"],
        "given": item["given_name"],
        "family_kana": item["family_name_kana"],
        "given_kana": item["given_name_kana"],
    }


def _as_field(item_type: str, value: Any) -> Any:
    if item_type == "person_name" and isinstance(value, dict) and "family_name" in value:
        return _name_value(value)
    return value


def prefill(
    gateway: meshlink.MeshGateway, procedure: Procedure, person: residents.ResidentRecord, organization: str
) -> Prefilled:
    """Ask the registries (through the mesh, as ``organization``) for every prefill item."""
    by_service: dict[str, list[tuple[str, str, str]]] = {}
    for p in procedure.prefill:
        by_service.setdefault(p.service, []).append((p.item, p.item_type, p.field))
    values: dict[str, Any] = {}
    sources: dict[str, Provenance] = {}
    unavailable: list[str] = []
    for service, wanted in by_service.items():
        try:
            got = gateway.fetch(
                service,
                consumer=organization,
                resident_id=person.id,
                resident_municipality=person.municipality_code,
                items=tuple(item for item, _t, _f in wanted),
            )
        except (mesh_errors.MeshDenied, meshlink.MeshUnavailable, meshlink.SourceNotConnected):
            unavailable += [f for _i, _t, f in wanted]
            continue
        origin = Provenance(
            got.provider, got.mesh_service, got.legal_basis_id, got.request_id, got.fetched_at.isoformat()
        )
        for item, item_type, field_name in wanted:
            if item in got.data:
                values[field_name] = _as_field(item_type, got.data[item])
                sources[field_name] = origin
            else:
                unavailable.append(field_name)
    return Prefilled(values, sources, tuple(unavailable))


SEAL_SECONDS = 3600


def seal(secret: str, resident_id: str, procedure: Procedure, prefilled: Prefilled) -> str:
    """An HMAC over the prefilled values and when they were sealed, carried in the form so they
    need not be fetched twice (for :data:`SEAL_SECONDS`; registry values can change)."""
    body = json.dumps(
        {
            "r": resident_id,
            "p": procedure.id,
            "t": int(clock.now().timestamp()),
            "v": prefilled.values,
            "s": {k: v.__dict__ for k, v in prefilled.sources.items()},
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    return f"{mac}.{body}"


def unseal(secret: str, token: str, resident_id: str, procedure: Procedure) -> Prefilled:
    """The sealed prefill of a form, or :class:`TamperedField` when it was changed. A seal older
    than :data:`SEAL_SECONDS` (or from before seals carried their time) comes back ``stale``:
    fine to show again, fetched afresh before an application is made of it."""
    mac, _, body = token.partition(".")
    expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    if not body or not hmac.compare_digest(mac, expected):
        raise TamperedField("the registry values in the form were changed")
    data = json.loads(body)
    if data["r"] != resident_id or data["p"] != procedure.id:
        raise TamperedField("the form was prepared for another person or procedure")
    age = clock.now().timestamp() - data.get("t", 0)
    return Prefilled(data["v"], {k: Provenance(**v) for k, v in data["s"].items()},
                     stale=not 0 <= age <= SEAL_SECONDS)


def merge_prefilled(prefilled: Prefilled, submitted: Mapping[str, Any]) -> dict[str, Any]:
    """Submitted values plus registry values; a changed registry value is refused (403)."""
    merged = dict(submitted)
    for name, value in prefilled.values.items():
        sent = submitted.get(name)
        if sent not in (None, "", {}) and sent != value:
            raise TamperedField(f"{name} comes from the registry and cannot be changed", field=name)
        merged[name] = value
    return merged


# ------------------------------------------------------------------ submission


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
    an earlier submission with ``key`` made does not count as another one in progress.
    """
    person, kind = _subject_of(db, procedure, principal, on_behalf_of)
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


def _subject_of(
    db: Session, procedure: Procedure, principal: Principal, on_behalf_of: str | None
) -> tuple[residents.ResidentRecord, str]:
    """The person the application is about, and whether the principal acts as their proxy.

    A proxy's grant is checked here, before any registry look-up about the person; it is
    logged (``act_as_proxy``) only after the look-ups, so no write lock is held during them.
    """
    if not on_behalf_of or on_behalf_of == principal.subject_id:
        return applicant_of(db, principal), "resident"
    applicant_of(db, principal)
    today = clock.today_jst().date()
    if not any(
        g.proxy_id == principal.subject_id
        and g.principal_id == on_behalf_of
        and g.active_on(today)
        and g.covers(procedure.id)
        for g in proxies.proxies_of(db, on_behalf_of)
    ):
        raise proxies.ProxyNotAuthorized(f"you are not a registered proxy of this person for {procedure.id}")
    person = residents.get_resident(db, on_behalf_of)
    if person is None:
        raise NotEligible(
            "the person you act for is not in the resident register", reasons=["not-registered"]
        )
    return person, "proxy"


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
            "id": application_id, "receipt_number": "", "procedure_id": s.procedure.id,
            "procedure_revision": s.procedure.revision, "applicant_id": s.principal.subject_id,
            "subject_id": s.subject_id, "applicant_kind": s.principal.kind,
            "organization_code": s.organization, "status": "submitted", "data": s.data,
            "prefilled": {k: v.__dict__ for k, v in s.prefilled.sources.items()},
            "bundle_id": s.bundle_id, "decision_reason": "", "submitted_at": now, "updated_at": now,
            "due_on": today + timedelta(days=s.procedure.processing_days),
        }
        evidence: list[dict[str, Any]] = [
            {"application_id": application_id, "service": spec.service, "provider": spec.provider or "",
             "mesh_service": "", "legal_basis_id": spec.legal_basis_id, "status": "pending", "data": {},
             "log_reference": "", "error": "", "attempts": 0, "fetched_at": None}
            for spec in s.procedure.evidence
        ]
        audit = {"application_id": application_id, "at": now, "actor": s.principal.subject_id,
                 "actor_kind": s.principal.kind, "organization_code": s.principal.organization_code or "",
                 "from_status": "", "to_status": "submitted", "reason": ""}
        return cls(s, fingerprint(s.procedure.id, s.request), application, evidence, audit)

    @property
    def owner_key(self) -> tuple[str, str]:
        return self.submission.principal.subject_id, self.submission.idempotency_key

    def key_row(self) -> dict[str, Any]:
        return {"applicant_id": self.owner_key[0], "key": self.owner_key[1], "request_sha256": self.digest,
                "application_id": self.application["id"], "created_at": self.application["submitted_at"]}

    def receipts(self) -> list[inbox.Outgoing]:
        """受付のお知らせ to the person (and to the proxy who applied for them)."""
        s, receipt, due_on = self.submission, self.application["receipt_number"], self.application["due_on"]
        name, link = s.procedure.name.ja, f"/applications/{self.application['id']}"
        messages = [inbox.Outgoing(
            s.subject_id, s.organization, "status", f"{name}を受け付けました（受付番号 {receipt}）",
            f"{name}を受け付けました。\n受付番号: {receipt}\n処理の目安: {due_on.isoformat()} まで", link)]
        if s.principal.subject_id != s.subject_id:
            messages.append(inbox.Outgoing(
                s.principal.subject_id, s.organization, "status",
                f"代理申請: {name}を受け付けました（受付番号 {receipt}）",
                f"代理人として申請した{name}を受け付けました。\n受付番号: {receipt}", link))
        return messages

    def stored(self) -> Application:
        """The application as just written (no need to read it back)."""
        a = self.application
        return Application(
            a["id"], a["receipt_number"], a["procedure_id"], a["applicant_id"], a["subject_id"],
            a["applicant_kind"], a["organization_code"], a["status"], dict(a["data"]), dict(a["prefilled"]),
            a["bundle_id"], a["decision_reason"], a["submitted_at"], a["updated_at"], a["due_on"],
            tuple(EvidenceRecord(e["service"], e["provider"], e["mesh_service"], e["legal_basis_id"],
                                 e["status"], {}, "", "", 0, None) for e in self.evidence),
            (AuditRecord(self.audit["at"], self.audit["actor"], self.audit["actor_kind"], "", "submitted",
                         ""),),
        )


# Each database's queue of submissions in this process (group commit: core.groupcommit).
_queues: weakref.WeakKeyDictionary[Database, GroupCommit] = weakref.WeakKeyDictionary()
_queues_guard = threading.Lock()


def _submissions(database: Database) -> GroupCommit:
    with _queues_guard:
        return _queues.setdefault(database, GroupCommit())


_C = ProceduresReceiptCounter
_NEXT_SERIAL = DirectSelect(
    update(_C).where(_C.organization_code == bindparam("org"), _C.year == bindparam("year"))
    .values(last=_C.last + 1).returning(_C.last),
    {"org": _C.organization_code, "year": _C.year},
)
_INSERT_COUNTER = DirectInsert.of(ProceduresReceiptCounter)
_INSERT_APPLICATION = DirectInsert.of(ProceduresApplication)
_INSERT_KEY = DirectInsert.of(ProceduresIdempotencyKey)
_INSERT_EVIDENCE = DirectInsert.of(ProceduresEvidence)
_INSERT_AUDIT = DirectInsert.of(ProceduresAudit)


def next_receipt(connection: Connection, organization: str, year: int) -> str:
    """受付番号: ``<year>-<organization>-<serial>``, serial per organization and year.

    One atomic ``UPDATE … RETURNING`` (no read-then-write that two writers could interleave);
    the first receipt of a year inserts the counter, and a concurrent first insert fails on
    the primary key, which :func:`submit` retries.
    """
    row = _NEXT_SERIAL.first(connection, org=organization, year=year)
    serial = 1 if row is None else int(row[0])
    if row is None:
        _INSERT_COUNTER.run(connection, [{"organization_code": organization, "year": year, "last": serial}])
    return f"{year}-{organization}-{serial:06d}"


def _store(database: Database, batch: list[Job[_Pending, tuple[Application, bool]]]) -> None:
    """Write a batch of submissions in one transaction: the serialized part of a submission.

    Per submission only its key check and receipt serial run one by one; then each table gets
    one statement for the whole batch. A key used again with other content is refused for that
    submission alone; the same key twice in one batch gets the one application.
    """
    accepted: dict[tuple[str, str], Job[_Pending, tuple[Application, bool]]] = {}
    again: list[tuple[Job[_Pending, tuple[Application, bool]], _Pending]] = []
    with database.write_transaction() as connection:
        for job in batch:
            pending = job.work
            first = accepted.get(pending.owner_key)
            try:
                if first is not None:
                    if first.work.digest != pending.digest:
                        raise IdempotencyKeyReused(
                            f"the key {pending.owner_key[1]!r} was already used for another submission")
                    again.append((job, first.work))
                    continue
                earlier = _by_key(Session(connection), *pending.owner_key, pending.digest)
            except TsunaguError as exc:
                job.refuse(exc)
                continue
            if earlier is not None:
                job.finish((earlier, False))
                continue
            pending.application["receipt_number"] = next_receipt(
                connection, pending.submission.organization, pending.application["submitted_at"].year)
            accepted[pending.owner_key] = job
        _insert(connection, [job.work for job in accepted.values()])
    for job in accepted.values():
        job.finish((job.work.stored(), True))
    for job, first_pending in again:
        job.finish((first_pending.stored(), False))


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


# ------------------------------------------------------------------ evidence through the mesh


def collect_evidence(
    database: Database, gateway: meshlink.MeshGateway, procedure: Procedure, application_id: str
) -> Application:
    """Fetch every evidence item not yet fetched; failures stay recorded for a retry."""
    with database.session() as db:
        app = load(db, application_id)
        person = residents.get_resident(db, app.subject_id)
    for spec in procedure.evidence:
        current = next((e for e in app.evidence if e.service == spec.service), None)
        if current is None or current.status == "ok" or person is None:
            continue
        try:
            got = gateway.fetch(
                spec.service,
                consumer=app.organization_code,
                resident_id=person.id,
                resident_municipality=person.municipality_code,
                items=tuple(i.item for i in spec.items),
            )
            update: dict[str, Any] = {
                "status": "ok",
                "data": got.data,
                "provider": got.provider,
                "mesh_service": got.mesh_service,
                "legal_basis_id": got.legal_basis_id,
                "log_reference": got.request_id,
                "error": "",
                "fetched_at": got.fetched_at,
            }
        except (mesh_errors.MeshDenied, meshlink.MeshUnavailable, meshlink.SourceNotConnected) as exc:
            update = {"status": "unavailable", "error": f"{exc.code}: {exc.detail}"}
        with database.session() as db:
            row = db.scalar(
                select(ProceduresEvidence).where(
                    ProceduresEvidence.application_id == application_id,
                    ProceduresEvidence.service == spec.service,
                )
            )
            if row is not None:
                for key, value in update.items():
                    setattr(row, key, value)
                row.attempts += 1
    with database.session() as db:
        return load(db, application_id)


# ------------------------------------------------------------------ reading


def _evidence(row: ProceduresEvidence) -> EvidenceRecord:
    return EvidenceRecord(
        row.service,
        row.provider,
        row.mesh_service,
        row.legal_basis_id,
        row.status,
        dict(row.data),
        row.log_reference,
        row.error,
        row.attempts,
        row.fetched_at,
    )


def load(db: Session, application_id: str) -> Application:
    row = db.get(ProceduresApplication, application_id)
    if row is None:
        raise ApplicationNotFound(f"no application {application_id}")
    evidence = db.scalars(
        select(ProceduresEvidence)
        .where(ProceduresEvidence.application_id == row.id)
        .order_by(ProceduresEvidence.id)
    )
    trail = db.scalars(
        select(ProceduresAudit).where(ProceduresAudit.application_id == row.id).order_by(ProceduresAudit.id)
    )
    return _application(row, evidence, trail)


def _application(
    row: ProceduresApplication, evidence: Iterable[ProceduresEvidence], trail: Iterable[ProceduresAudit]
) -> Application:
    return Application(
        row.id,
        row.receipt_number,
        row.procedure_id,
        row.applicant_id,
        row.subject_id,
        row.applicant_kind,
        row.organization_code,
        row.status,
        dict(row.data),
        dict(row.prefilled),
        row.bundle_id,
        row.decision_reason,
        row.submitted_at,
        row.updated_at,
        row.due_on,
        tuple(_evidence(e) for e in evidence),
        tuple(AuditRecord(a.at, a.actor, a.actor_kind, a.from_status, a.to_status, a.reason) for a in trail),
    )


def retry_evidence(database: Database, gateway: meshlink.MeshGateway, registry: LiveRegistry,
                   principal: Principal, application_id: str) -> Application:
    """Ask the registries again for the evidence of an application the principal may see."""
    with database.session() as db:
        app = get_for(db, principal, application_id)
    return collect_evidence(database, gateway, catalogue.get_procedure(registry, app.procedure_id), app.id)


def get_for(db: Session, principal: Principal, application_id: str) -> Application:
    """An application the principal may see: their own (or as the person), or their organization's."""
    try:
        app = load(db, application_id)
    except ApplicationNotFound:
        raise ForeignApplication("this application is not yours") from None
    if principal.kind == "resident" and principal.subject_id in (app.applicant_id, app.subject_id):
        return app
    if principal.kind == "staff" and principal.organization_code == app.organization_code:
        return app
    raise ForeignApplication("this application is not yours")


def list_mine(db: Session, resident_id: str, *, limit: int, offset: int) -> tuple[list[Application], int]:
    where = (ProceduresApplication.applicant_id == resident_id) | (
        ProceduresApplication.subject_id == resident_id
    )
    total = db.scalar(select(func.count()).select_from(ProceduresApplication).where(where)) or 0
    ids = db.scalars(
        select(ProceduresApplication.id)
        .where(where)
        .order_by(ProceduresApplication.submitted_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return [load(db, i) for i in ids], total


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def require_key(key: str | None) -> str:
    if not key or not (8 <= len(key) <= 128) or not key.isascii():
        raise ValidationFailed(
            "an Idempotency-Key of 8 to 128 ASCII characters is required",
            errors=[
                {
                    "location": ["header", "Idempotency-Key"],
                    "message": "8 to 128 ASCII characters",
                    "type": "idempotency-key",
                }
            ],
        )
    return key
