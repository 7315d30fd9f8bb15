"""Directory rules: who is a member, what services exist, which 事務 allows which items to whom.

Every change is audited with the acting administrator and the record before and after; the
newest audit entry's id is the directory's version. ``authorize`` and ``fanout`` are the
directory's answers to nodes: they check the legal basis (and, for a consent basis, the person's
recorded consent) and translate 機関別符号.
"""

from __future__ import annotations

import ipaddress
import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from pydantic import BaseModel
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import Conflict, NotFound, ValidationFailed
from tsunagu.mesh import crypto, errors
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import schemas
from tsunagu.mesh.directory.models import (
    MeshConsent,
    MeshDirectoryAudit,
    MeshLegalBasis,
    MeshOrganization,
    MeshService,
    MeshSubscription,
)

ModelT = TypeVar("ModelT", bound=BaseModel)
_changes = itertools.count(1)
_generation = 0
# what a consent covers: the event kinds a subscriber may receive under it
CONSENT_SCOPES: dict[str, tuple[str, ...]] = {"moving": ("moving_notice", "address_changed", "moved_out")}


def generation() -> int:
    """Bumped after every committed directory change in this process (for the desk's cache)."""
    return _generation


def _bump(_session: Session) -> None:
    global _generation
    _generation = next(_changes)


def audit(
    db: Session,
    actor: str,
    action: str,
    target: str,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Every change is audited, and cached catalogs are dropped once it is committed."""
    db.add(
        MeshDirectoryAudit(
            at=clock.now(),
            actor=actor,
            action=action,
            target=target,
            detail={"before": before, "after": after},
        )
    )
    if not event.contains(db, "after_commit", _bump):
        event.listen(db, "after_commit", _bump, once=True)


def version(db: Session) -> int:
    """The directory's version: it grows with every change (nodes compare it to refresh)."""
    return db.scalar(select(func.max(MeshDirectoryAudit.id))) or 0


class OperatorRequired(Conflict):
    """The directory operator itself cannot be deactivated: every node would lose its directory."""

    code = "mesh-operator-required"
    title = "The directory operator cannot be deactivated"


class LastKey(Conflict):
    """A change that would leave a member without a usable signing key (its node would stop)."""

    code = "mesh-last-key"
    title = "The member would have no usable signing key"


def require_usable_key(code: str, jwks: list[dict[str, Any]], at: int) -> None:
    """Refuse a change that leaves an active member with no usable key: rotate first (a new key is
    published and current), then revoke the old one."""
    if not any(crypto.is_usable(jwk, at) for jwk in jwks):
        raise LastKey(
            f"{code} would have no usable signing key: rotate to a new key first, then revoke the old one"
        )


def invalid(field: str, message: str, kind: str) -> ValidationFailed:
    return ValidationFailed(
        f"{field}: {message}", errors=[{"location": ["body", field], "message": message, "type": kind}]
    )


def _require_member(db: Session, code: str, field: str) -> MeshOrganization:
    record = db.get(MeshOrganization, code)
    if record is None:
        raise invalid(field, f"{code!r} is not a member organization", "unknown_organization")
    return record


def check_endpoint(url: str, field: str = "endpoint") -> str:
    """Nodes are reached over http(s) on loopback addresses only in this environment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme not in ("http", "https") or not loopback:
        raise invalid(
            field,
            "must be an http(s) URL on a loopback address (127.0.0.1, ::1, localhost)",
            "endpoint_not_allowed",
        )
    return url.rstrip("/")


def _dump(model: BaseModel | None) -> dict[str, Any] | None:
    return None if model is None else model.model_dump(mode="json")


def _read(model: type[ModelT], record: object) -> ModelT:
    return model.model_validate(record)


# --- members ------------------------------------------------------------------------------------


def _organization_summary(record: MeshOrganization | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return _read(schemas.Organization, record).model_dump(mode="json", exclude={"keys"}) | {
        "kids": [str(key.get("kid")) for key in record.keys]
    }


def put_organization(db: Session, data: schemas.OrganizationIn, actor: str) -> schemas.Organization:
    """Register or update a member (its name, kind, node endpoint and, if given, signing keys)."""
    endpoint = check_endpoint(data.endpoint)
    record = db.get(MeshOrganization, data.code)
    before = _organization_summary(record)
    if record is None:
        record = MeshOrganization(code=data.code, keys=[], active=True)
        db.add(record)
    record.name_ja, record.name_en, record.kind = data.name_ja, data.name_en, data.kind
    record.endpoint, record.updated_at = endpoint, clock.now()
    if data.keys is not None:
        if record.keys and record.active:  # an existing member: do not leave it without a key
            require_usable_key(data.code, data.keys, int(clock.now().timestamp()))
        record.keys = data.keys
    db.flush()
    audit(
        db,
        actor,
        "organization.update" if before else "organization.create",
        data.code,
        before=before,
        after=_organization_summary(record),
    )
    return _read(schemas.Organization, record)


def create_organization(db: Session, data: schemas.OrganizationIn, actor: str) -> schemas.Organization:
    if db.get(MeshOrganization, data.code) is not None:
        raise Conflict(f"{data.code!r} is already a member organization")
    return put_organization(db, data, actor)


def set_organization_active(
    db: Session, code: str, active: bool, actor: str, *, operator: str
) -> schemas.Organization:
    """Deactivate a member (its exchanges are refused) or take it back; never the directory's
    ``operator`` (``TSUNAGU_MESH_OPERATOR``)."""
    record = db.get(MeshOrganization, code)
    if record is None:
        raise NotFound(f"no member organization {code!r}")
    if not active and code == operator:
        raise OperatorRequired(f"{code} runs the directory: deactivating it would stop every exchange")
    before = _organization_summary(record)
    record.active, record.updated_at = active, clock.now()
    audit(
        db,
        actor,
        "organization.activate" if active else "organization.deactivate",
        code,
        before=before,
        after=_organization_summary(record),
    )
    return _read(schemas.Organization, record)


def get_organization(db: Session, code: str) -> schemas.Organization | None:
    record = db.get(MeshOrganization, code)
    return None if record is None else _read(schemas.Organization, record)


def list_organizations(db: Session) -> list[schemas.Organization]:
    return [
        _read(schemas.Organization, r)
        for r in db.scalars(select(MeshOrganization).order_by(MeshOrganization.code))
    ]


# --- services -----------------------------------------------------------------------------------


def _service_record(db: Session, provider: str, code: str, version_: str) -> MeshService | None:
    return db.scalar(
        select(MeshService).where(
            MeshService.provider == provider, MeshService.code == code, MeshService.version == version_
        )
    )


def put_service(db: Session, data: schemas.Service, actor: str) -> schemas.Service:
    """Publish a service version; its response schema must itself be a valid JSON Schema."""
    _require_member(db, data.provider, "provider")
    try:
        Draft202012Validator.check_schema(data.response_schema)
    except SchemaError as exc:
        raise invalid("response_schema", f"not a valid JSON Schema: {exc.message}", "json_schema") from None
    record = _service_record(db, data.provider, data.code, data.version)
    before = None if record is None else _dump(_read(schemas.Service, record))
    if record is None:
        record = MeshService(provider=data.provider, code=data.code, version=data.version)
        db.add(record)
    record.title_ja = data.title_ja
    record.items = [item.model_dump() for item in data.items]
    record.response_schema = data.response_schema
    audit(
        db,
        actor,
        "service.put",
        f"{data.provider}/{data.code}/{data.version}",
        before=before,
        after=_dump(data),
    )
    db.flush()
    return _read(schemas.Service, record)


def create_service(db: Session, data: schemas.Service, actor: str) -> schemas.Service:
    if _service_record(db, data.provider, data.code, data.version) is not None:
        raise Conflict(f"{data.provider} already publishes {data.code} {data.version}")
    return put_service(db, data, actor)


def get_service(db: Session, provider: str, code: str, version_: str) -> schemas.Service | None:
    record = _service_record(db, provider, code, version_)
    return None if record is None else _read(schemas.Service, record)


def list_services(db: Session) -> list[schemas.Service]:
    rows = db.scalars(
        select(MeshService).order_by(MeshService.provider, MeshService.code, MeshService.version)
    )
    return [_read(schemas.Service, r) for r in rows]


# --- legal bases (事務) --------------------------------------------------------------------------


def put_legal_basis(db: Session, data: schemas.LegalBasis, actor: str) -> schemas.LegalBasisEntry:
    """Declare or change a 事務: which consumer may read which items of which provider's service."""
    _require_member(db, data.consumer, "consumer")
    _require_member(db, data.provider, "provider")
    offered = {
        item["name"]
        for service in db.scalars(
            select(MeshService).where(
                MeshService.provider == data.provider, MeshService.code == data.service_code
            )
        )
        for item in service.items
    }
    unknown = sorted(set(data.items) - offered)
    if unknown:
        raise invalid(
            "items", f"the service does not offer these items: {', '.join(unknown)}", "unknown_item"
        )
    record = db.get(MeshLegalBasis, data.id)
    before = None if record is None else _dump(_read(schemas.LegalBasisEntry, record))
    if record is None:
        record = MeshLegalBasis(id=data.id)
        db.add(record)
    for key, value in data.model_dump().items():
        setattr(record, key, value)
    db.flush()
    after = _read(schemas.LegalBasisEntry, record)
    audit(db, actor, "legal_basis.put", data.id, before=before, after=_dump(after))
    return after


def create_legal_basis(db: Session, data: schemas.LegalBasis, actor: str) -> schemas.LegalBasisEntry:
    if db.get(MeshLegalBasis, data.id) is not None:
        raise Conflict(f"the 事務 {data.id!r} already exists")
    return put_legal_basis(db, data, actor)


def revoke_legal_basis(db: Session, basis_id: str, actor: str) -> schemas.LegalBasisEntry:
    """Withdraw a 事務: no query or notification may use it from now on (the record stays)."""
    record = db.get(MeshLegalBasis, basis_id)
    if record is None:
        raise NotFound(f"no 事務 {basis_id!r}")
    if record.revoked_at is not None:
        raise Conflict(f"the 事務 {basis_id!r} is already revoked")
    before = _dump(_read(schemas.LegalBasisEntry, record))
    record.revoked_at = clock.now()
    after = _read(schemas.LegalBasisEntry, record)
    audit(db, actor, "legal_basis.revoke", basis_id, before=before, after=_dump(after))
    return after


def list_legal_bases(db: Session) -> list[schemas.LegalBasisEntry]:
    return [
        _read(schemas.LegalBasisEntry, r)
        for r in db.scalars(select(MeshLegalBasis).order_by(MeshLegalBasis.id))
    ]


def get_legal_basis(db: Session, basis_id: str) -> schemas.LegalBasisEntry | None:
    record = db.get(MeshLegalBasis, basis_id)
    return None if record is None else _read(schemas.LegalBasisEntry, record)


# --- subscriptions ------------------------------------------------------------------------------


def add_subscription(db: Session, data: schemas.SubscriptionIn, actor: str) -> schemas.Subscription:
    """Subscribe an organization to a provider's events; it needs a legal basis with that provider."""
    _require_member(db, data.subscriber, "subscriber")
    _require_member(db, data.provider, "provider")
    endpoint = check_endpoint(data.endpoint)
    basis = db.get(MeshLegalBasis, data.legal_basis_id)
    if (
        basis is None
        or basis.consumer != data.subscriber
        or basis.provider != data.provider
        or basis.revoked_at is not None
    ):
        raise invalid(
            "legal_basis_id",
            "no usable legal basis lets this subscriber receive this provider's events",
            "no_legal_basis",
        )
    record = MeshSubscription(
        subscriber=data.subscriber,
        provider=data.provider,
        event_kinds=list(data.event_kinds),
        legal_basis_id=data.legal_basis_id,
        endpoint=endpoint,
        active=True,
    )
    db.add(record)
    db.flush()
    after = _read(schemas.Subscription, record)
    audit(db, actor, "subscription.create", str(record.id), before=None, after=_dump(after))
    return after


def set_subscription_active(
    db: Session, subscription_id: int, active: bool, actor: str
) -> schemas.Subscription:
    """Pause a subscription (nothing is routed to it) or resume it."""
    record = db.get(MeshSubscription, subscription_id)
    if record is None:
        raise NotFound(f"no subscription {subscription_id}")
    before = _dump(_read(schemas.Subscription, record))
    record.active = active
    after = _read(schemas.Subscription, record)
    audit(
        db,
        actor,
        "subscription.resume" if active else "subscription.pause",
        str(subscription_id),
        before=before,
        after=_dump(after),
    )
    return after


def list_subscriptions(db: Session) -> list[schemas.Subscription]:
    return [
        _read(schemas.Subscription, r)
        for r in db.scalars(select(MeshSubscription).order_by(MeshSubscription.id))
    ]


def audit_trail(db: Session, limit: int, offset: int) -> tuple[list[schemas.AuditEntry], int]:
    total = db.scalar(select(func.count()).select_from(MeshDirectoryAudit)) or 0
    rows = db.scalars(
        select(MeshDirectoryAudit).order_by(MeshDirectoryAudit.id.desc()).limit(limit).offset(offset)
    )
    return [_read(schemas.AuditEntry, r) for r in rows], total


# --- consents (本人の同意) -----------------------------------------------------------------------


def grant_consent(
    db: Session, *, subscriber: str, resident_id: str, scope: str, expires_at: datetime, source: str
) -> schemas.Consent:
    """Record that the person lets a member receive their changes of ``scope`` until ``expires_at``."""
    member = _require_member(db, subscriber, "subscriber")
    if scope not in CONSENT_SCOPES:
        raise invalid("scope", f"unknown consent scope {scope!r}", "unknown_scope")
    link = codes.ensure_link(db, resident_id)
    record = db.scalar(
        select(MeshConsent).where(
            MeshConsent.subscriber == member.code,
            MeshConsent.person_link == link,
            MeshConsent.scope == scope,
            MeshConsent.source == source,
        )
    )
    if record is None:
        record = MeshConsent(
            subscriber=member.code,
            person_link=link,
            scope=scope,
            source=source,
            subject_code=codes.issue(db, member.code, link),
            granted_at=clock.now(),
        )
        db.add(record)
    record.expires_at, record.withdrawn_at = expires_at, None
    db.flush()
    return _read(schemas.Consent, record)


def consents_of_resident(db: Session, resident_id: str) -> list[schemas.Consent]:
    """Every consent the person gave, newest first (withdrawn and expired ones too)."""
    link = codes.link_of_resident(db, resident_id)
    if link is None:
        return []
    rows = db.scalars(
        select(MeshConsent)
        .where(MeshConsent.person_link == link)
        .order_by(MeshConsent.granted_at.desc(), MeshConsent.id.desc())
    )
    return [_read(schemas.Consent, row) for row in rows]


def withdraw_consent(db: Session, resident_id: str, consent_id: int) -> schemas.Consent:
    """The person takes a consent back (同意の撤回): from now on the subscriber is neither told of
    their changes nor authorized under it. Withdrawing twice changes nothing."""
    link = codes.link_of_resident(db, resident_id)
    record = db.get(MeshConsent, consent_id)
    if record is None or link is None or record.person_link != link:
        raise NotFound(f"you have no consent {consent_id}")
    if record.withdrawn_at is None:
        before = _read(schemas.Consent, record).model_dump(mode="json")
        record.withdrawn_at = clock.now()
        db.flush()
        audit(
            db,
            f"resident:{resident_id}",
            "consent.withdraw",
            f"consent/{consent_id}",
            before=before,
            after=_read(schemas.Consent, record).model_dump(mode="json"),
        )
    return _read(schemas.Consent, record)


def consented(db: Session, subscriber: str, person_link: str, kind: str | None, at: datetime) -> bool:
    """A live consent of the person for this subscriber (covering event ``kind``, if one is given)."""
    scopes = [scope for scope, kinds in CONSENT_SCOPES.items() if kind is None or kind in kinds]
    return (
        db.scalar(
            select(MeshConsent.id)
            .where(
                MeshConsent.subscriber == subscriber,
                MeshConsent.person_link == person_link,
                MeshConsent.scope.in_(scopes),
                MeshConsent.withdrawn_at.is_(None),
                MeshConsent.expires_at > at,
            )
            .limit(1)
        )
        is not None
    )


@dataclass(frozen=True)
class Authorization:
    """The directory's yes: the items allowed and the provider's own code for the person."""

    basis: schemas.LegalBasis
    items: tuple[str, ...]
    provider_subject: str
    person_link: str
    visible_from: datetime | None
    relation: str  # why the consumer may know the person (codes.RELATIONS, or "consent")


def visible_from(basis: schemas.LegalBasis, at: datetime) -> datetime | None:
    """When the person may see the exchange: withheld categories stay hidden for a period."""
    return at + timedelta(days=basis.withheld_days) if basis.withheld_days else None


@dataclass(frozen=True)
class Catalog:
    """Members, services and 事務 at one moment (what authorizations are checked against)."""

    organizations: dict[str, schemas.Organization]
    services: dict[tuple[str, str, str], schemas.Service]
    bases: dict[str, schemas.LegalBasisEntry]


def catalog(db: Session) -> Catalog:
    return Catalog(
        {o.code: o for o in list_organizations(db)},
        {(s.provider, s.code, s.version): s for s in list_services(db)},
        {b.id: b for b in list_legal_bases(db)},
    )


def authorize(
    db: Session,
    *,
    consumer: str,
    provider: str,
    service: str,
    version: str,
    purpose: str,
    subject: str,
    items: tuple[str, ...],
    known: Catalog | None = None,
) -> Authorization:
    """Check the legal basis for consumer → provider's service → items and translate the code."""
    known = known or catalog(db)
    member = known.organizations.get(consumer)
    if member is None or not member.active:
        raise errors.UnknownOrganization(f"{consumer!r} is not an active member organization")
    if (provider, service, version) not in known.services:
        raise errors.UnknownService(f"{provider} offers no service {service} {version}")
    basis = known.bases.get(purpose)
    if (
        basis is None
        or basis.consumer != consumer
        or basis.provider != provider
        or basis.service_code != service
        or basis.revoked_at is not None
    ):
        raise errors.NoLegalBasis(f"事務 {purpose!r} does not let {consumer} use {provider}'s {service}")
    requested = items or tuple(basis.items)
    beyond = sorted(set(requested) - set(basis.items))
    if beyond:
        raise errors.ItemsBeyondBasis(f"事務 {purpose} does not cover: {', '.join(beyond)}", items=beyond)
    translated = codes.translate(db, consumer, subject, provider)
    if translated is None:
        raise errors.UnknownSubject(f"{consumer} has no person with code {subject[:8]}…")
    link, provider_code, relation = translated
    if basis.kind == "consent":
        # under a consent basis the person's own live consent is what relates them to the consumer
        if not consented(db, consumer, link, None, clock.now()):
            raise errors.NoLegalBasis(f"事務 {purpose} needs the person's consent, and there is none")
        relation = "consent"
    if relation is None:
        # checked before the provider's code, so that the answer does not tell whether the
        # provider holds the person (a 事務 covers a consumer's own people, not everyone's)
        raise errors.SubjectNotRelated(
            f"{consumer} has no recorded relation with this person (its resident, an application, "
            "a move or a record held by law)"
        )
    if provider_code is None:
        raise errors.UnknownSubject(f"{consumer} has no person with code {subject[:8]}…")
    return Authorization(
        basis, tuple(requested), provider_code, link, visible_from(basis, clock.now()), relation
    )


@dataclass(frozen=True)
class FanoutTarget:
    subscriber: str
    endpoint: str
    subject_code: str
    legal_basis_id: str
    items: tuple[str, ...]
    person_link: str
    visible_from: datetime | None


def fanout(db: Session, provider: str, kind: str, provider_subject: str) -> list[FanoutTarget]:
    """Subscribers of a provider's event kind, each with its own code for the person; under a
    consent basis only a subscriber the person consented to (for this kind of change) is named."""
    link = codes.link_of(db, provider, provider_subject)
    if link is None:
        raise errors.UnknownSubject(f"{provider} has no person with code {provider_subject[:8]}…")
    targets = []
    rows = db.scalars(
        select(MeshSubscription)
        .where(MeshSubscription.provider == provider, MeshSubscription.active.is_(True))
        .order_by(MeshSubscription.id)
    )
    for subscription in rows:
        if kind not in subscription.event_kinds:
            continue
        basis = get_legal_basis(db, subscription.legal_basis_id)
        if basis is None or basis.revoked_at is not None:
            continue
        subscriber = db.get(MeshOrganization, subscription.subscriber)
        if subscriber is None or not subscriber.active:
            continue
        if basis.kind == "consent" and not consented(db, subscription.subscriber, link, kind, clock.now()):
            continue
        code = codes.issue(db, subscription.subscriber, link)
        targets.append(
            FanoutTarget(
                subscription.subscriber,
                subscription.endpoint,
                code,
                basis.id,
                tuple(basis.items),
                link,
                visible_from(basis, clock.now()),
            )
        )
    return targets
