"""Directory rules: who is a member, what services exist, which 事務 allows which items to whom.

Every change is audited with the acting administrator. ``authorize`` and ``fanout`` are the
directory's answers to nodes: they check the legal basis and translate 機関別符号.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import NotFound, ValidationFailed
from tsunagu.mesh import errors
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import schemas
from tsunagu.mesh.directory.models import (
    MeshDirectoryAudit,
    MeshLegalBasis,
    MeshOrganization,
    MeshService,
    MeshSubscription,
)

_changes = itertools.count(1)
_generation = 0


def generation() -> int:
    """Bumped after every committed directory change in this process (for the desk's cache)."""
    return _generation


def _bump(_session: Session) -> None:
    global _generation
    _generation = next(_changes)


def _audit(db: Session, actor: str, action: str, target: str, detail: dict[str, Any]) -> None:
    """Every change is audited, and cached catalogs are dropped once it is committed."""
    db.add(MeshDirectoryAudit(at=clock.now(), actor=actor, action=action, target=target, detail=detail))
    if not event.contains(db, "after_commit", _bump):
        event.listen(db, "after_commit", _bump, once=True)


def _require_member(db: Session, code: str, field: str) -> None:
    if db.get(MeshOrganization, code) is None:
        raise ValidationFailed(f"{code!r} is not a member organization",
                               errors=[{"location": [field], "message": "unknown organization",
                                        "type": "unknown_organization"}])


def put_organization(db: Session, data: schemas.Organization, actor: str) -> schemas.Organization:
    """Register or update a member (its name, kind, node endpoint and signing keys)."""
    record = db.get(MeshOrganization, data.code)
    action = "organization.update" if record else "organization.create"
    if record is None:
        record = MeshOrganization(code=data.code)
        db.add(record)
    record.name_ja, record.name_en, record.kind = data.name_ja, data.name_en, data.kind
    record.endpoint, record.keys, record.updated_at = data.endpoint.rstrip("/"), data.keys, clock.now()
    _audit(db, actor, action, data.code, data.model_dump(exclude={"keys"}) | {
        "kids": [str(key.get("kid")) for key in data.keys]})
    db.flush()
    return schemas.Organization.model_validate(record)


def get_organization(db: Session, code: str) -> schemas.Organization | None:
    record = db.get(MeshOrganization, code)
    return None if record is None else schemas.Organization.model_validate(record)


def list_organizations(db: Session) -> list[schemas.Organization]:
    return [schemas.Organization.model_validate(r)
            for r in db.scalars(select(MeshOrganization).order_by(MeshOrganization.code))]


def put_service(db: Session, data: schemas.Service, actor: str) -> schemas.Service:
    """Publish a service version; its response schema must itself be a valid JSON Schema."""
    _require_member(db, data.provider, "provider")
    try:
        Draft202012Validator.check_schema(data.response_schema)
    except SchemaError as exc:
        raise ValidationFailed("response_schema is not a valid JSON Schema", errors=[
            {"location": ["response_schema"], "message": exc.message, "type": "json_schema"}]) from None
    record = db.scalar(select(MeshService).where(MeshService.provider == data.provider,
                                                  MeshService.code == data.code,
                                                  MeshService.version == data.version))
    if record is None:
        record = MeshService(provider=data.provider, code=data.code, version=data.version)
        db.add(record)
    record.title_ja = data.title_ja
    record.items = [item.model_dump() for item in data.items]
    record.response_schema = data.response_schema
    _audit(db, actor, "service.put", f"{data.provider}/{data.code}/{data.version}",
           {"items": [item.name for item in data.items]})
    db.flush()
    return schemas.Service.model_validate(record)


def get_service(db: Session, provider: str, code: str, version: str) -> schemas.Service | None:
    record = db.scalar(select(MeshService).where(MeshService.provider == provider,
                                                  MeshService.code == code, MeshService.version == version))
    return None if record is None else schemas.Service.model_validate(record)


def list_services(db: Session) -> list[schemas.Service]:
    rows = db.scalars(select(MeshService).order_by(MeshService.provider, MeshService.code,
                                                   MeshService.version))
    return [schemas.Service.model_validate(r) for r in rows]


def put_legal_basis(db: Session, data: schemas.LegalBasis, actor: str) -> schemas.LegalBasis:
    """Declare a 事務: which consumer may read which items of which provider's service."""
    _require_member(db, data.consumer, "consumer")
    _require_member(db, data.provider, "provider")
    offered = {item["name"] for service in db.scalars(select(MeshService).where(
        MeshService.provider == data.provider, MeshService.code == data.service_code))
        for item in service.items}
    unknown = sorted(set(data.items) - offered)
    if unknown:
        raise ValidationFailed("the service does not offer these items: " + ", ".join(unknown), errors=[
            {"location": ["items"], "message": f"not offered: {', '.join(unknown)}", "type": "unknown_item"}])
    record = db.get(MeshLegalBasis, data.id)
    if record is None:
        record = MeshLegalBasis(id=data.id)
        db.add(record)
    for key, value in data.model_dump().items():
        setattr(record, key, value)
    _audit(db, actor, "legal_basis.put", data.id, data.model_dump())
    db.flush()
    return schemas.LegalBasis.model_validate(record)


def list_legal_bases(db: Session) -> list[schemas.LegalBasis]:
    return [schemas.LegalBasis.model_validate(r)
            for r in db.scalars(select(MeshLegalBasis).order_by(MeshLegalBasis.id))]


def get_legal_basis(db: Session, basis_id: str) -> schemas.LegalBasis | None:
    record = db.get(MeshLegalBasis, basis_id)
    return None if record is None else schemas.LegalBasis.model_validate(record)


def add_subscription(db: Session, data: schemas.SubscriptionIn, actor: str) -> schemas.Subscription:
    """Subscribe an organization to a provider's events; it needs a legal basis with that provider."""
    _require_member(db, data.subscriber, "subscriber")
    _require_member(db, data.provider, "provider")
    basis = db.get(MeshLegalBasis, data.legal_basis_id)
    if basis is None or basis.consumer != data.subscriber or basis.provider != data.provider:
        raise ValidationFailed("the legal basis does not let this subscriber receive this provider's events",
                               errors=[{"location": ["legal_basis_id"], "message": "no matching legal basis",
                                        "type": "no_legal_basis"}])
    record = MeshSubscription(subscriber=data.subscriber, provider=data.provider,
                              event_kinds=list(data.event_kinds), legal_basis_id=data.legal_basis_id,
                              endpoint=data.endpoint.rstrip("/"), active=True)
    db.add(record)
    db.flush()
    _audit(db, actor, "subscription.create", str(record.id), data.model_dump())
    return schemas.Subscription.model_validate(record)


def deactivate_subscription(db: Session, subscription_id: int, actor: str) -> None:
    record = db.get(MeshSubscription, subscription_id)
    if record is None:
        raise NotFound(f"no subscription {subscription_id}")
    record.active = False
    _audit(db, actor, "subscription.deactivate", str(subscription_id), {})


def list_subscriptions(db: Session) -> list[schemas.Subscription]:
    return [schemas.Subscription.model_validate(r)
            for r in db.scalars(select(MeshSubscription).order_by(MeshSubscription.id))]


def audit_trail(db: Session, limit: int, offset: int) -> tuple[list[schemas.AuditEntry], int]:
    total = db.scalar(select(func.count()).select_from(MeshDirectoryAudit)) or 0
    rows = db.scalars(select(MeshDirectoryAudit).order_by(MeshDirectoryAudit.id.desc())
                      .limit(limit).offset(offset))
    return [schemas.AuditEntry.model_validate(r) for r in rows], total


@dataclass(frozen=True)
class Authorization:
    """The directory's yes: the items allowed and the provider's own code for the person."""

    basis: schemas.LegalBasis
    items: tuple[str, ...]
    provider_subject: str
    person_link: str
    visible_from: datetime | None


def visible_from(basis: schemas.LegalBasis, at: datetime) -> datetime | None:
    """When the person may see the exchange: withheld categories stay hidden for a period."""
    return at + timedelta(days=basis.withheld_days) if basis.withheld_days else None


@dataclass(frozen=True)
class Catalog:
    """Members, services and 事務 at one moment (what authorizations are checked against)."""

    organizations: dict[str, schemas.Organization]
    services: dict[tuple[str, str, str], schemas.Service]
    bases: dict[str, schemas.LegalBasis]


def catalog(db: Session) -> Catalog:
    return Catalog({o.code: o for o in list_organizations(db)},
                   {(s.provider, s.code, s.version): s for s in list_services(db)},
                   {b.id: b for b in list_legal_bases(db)})


def authorize(db: Session, *, consumer: str, provider: str, service: str, version: str,
              purpose: str, subject: str, items: tuple[str, ...],
              known: Catalog | None = None) -> Authorization:
    """Check the legal basis for consumer → provider's service → items and translate the code."""
    known = known or catalog(db)
    if consumer not in known.organizations:
        raise errors.UnknownOrganization(f"{consumer!r} is not a member organization")
    if (provider, service, version) not in known.services:
        raise errors.UnknownService(f"{provider} offers no service {service} {version}")
    basis = known.bases.get(purpose)
    if basis is None or basis.consumer != consumer or basis.provider != provider \
            or basis.service_code != service:
        raise errors.NoLegalBasis(f"事務 {purpose!r} does not let {consumer} use {provider}'s {service}")
    requested = items or tuple(basis.items)
    beyond = sorted(set(requested) - set(basis.items))
    if beyond:
        raise errors.ItemsBeyondBasis(f"事務 {purpose} does not cover: {', '.join(beyond)}",
                                      items=beyond)
    link, provider_code = codes.translate(db, consumer, subject, provider) or ("", None)
    if provider_code is None:
        raise errors.UnknownSubject(f"{consumer} has no person with code {subject[:8]}…")
    return Authorization(basis, tuple(requested), provider_code, link, visible_from(basis, clock.now()))


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
    """Subscribers of a provider's event kind, each with its own code for the person."""
    link = codes.link_of(db, provider, provider_subject)
    if link is None:
        raise errors.UnknownSubject(f"{provider} has no person with code {provider_subject[:8]}…")
    targets = []
    rows = db.scalars(select(MeshSubscription).where(MeshSubscription.provider == provider,
                                                      MeshSubscription.active.is_(True))
                      .order_by(MeshSubscription.id))
    for subscription in rows:
        if kind not in subscription.event_kinds:
            continue
        basis = get_legal_basis(db, subscription.legal_basis_id)
        if basis is None:
            continue
        code = codes.issue(db, subscription.subscriber, link)
        targets.append(FanoutTarget(subscription.subscriber, subscription.endpoint, code, basis.id,
                                    tuple(basis.items), link, visible_from(basis, clock.now())))
    return targets
