"""The directory's answers to nodes: ``authorize`` an exchange under its 事務 and ``fanout`` an
event to its subscribers, translating 機関別符号 for each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.mesh import errors
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import records
from tsunagu.mesh.directory.models import (
    MeshOrganization,
    MeshSubscription,
)
from tsunagu.mesh.directory.service.bases import get_legal_basis, list_legal_bases
from tsunagu.mesh.directory.service.consents import consented
from tsunagu.mesh.directory.service.members import list_organizations
from tsunagu.mesh.directory.service.services import list_services


@dataclass(frozen=True)
class Authorization:
    """The directory's yes: the items allowed and the provider's own code for the person."""

    basis: records.LegalBasis
    items: tuple[str, ...]
    provider_subject: str
    person_link: str
    visible_from: datetime | None
    relation: str  # why the consumer may know the person (codes.RELATIONS, or "consent")


def visible_from(basis: records.LegalBasis, at: datetime) -> datetime | None:
    """When the person may see the exchange: withheld categories stay hidden for a period."""
    return at + timedelta(days=basis.withheld_days) if basis.withheld_days else None


@dataclass(frozen=True)
class Catalog:
    """Members, services and 事務 at one moment (what authorizations are checked against)."""

    organizations: dict[str, records.Organization]
    services: dict[tuple[str, str, str], records.Service]
    bases: dict[str, records.LegalBasisEntry]


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
