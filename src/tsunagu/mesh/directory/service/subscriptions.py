"""Subscriptions: which member is told of which provider's events."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core.errors import NotFound
from tsunagu.mesh.directory import records
from tsunagu.mesh.directory.models import (
    MeshLegalBasis,
    MeshSubscription,
)
from tsunagu.mesh.directory.service.changes import (
    _dump,
    _read,
    _require_member,
    audit,
    check_endpoint,
    invalid,
)


def add_subscription(db: Session, data: records.SubscriptionIn, actor: str) -> records.Subscription:
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
    after = _read(records.Subscription, record)
    audit(db, actor, "subscription.create", str(record.id), before=None, after=_dump(after))
    return after


def set_subscription_active(
    db: Session, subscription_id: int, active: bool, actor: str
) -> records.Subscription:
    """Pause a subscription (nothing is routed to it) or resume it."""
    record = db.get(MeshSubscription, subscription_id)
    if record is None:
        raise NotFound(f"no subscription {subscription_id}")
    before = _dump(_read(records.Subscription, record))
    record.active = active
    after = _read(records.Subscription, record)
    audit(
        db,
        actor,
        "subscription.resume" if active else "subscription.pause",
        str(subscription_id),
        before=before,
        after=_dump(after),
    )
    return after


def list_subscriptions(db: Session) -> list[records.Subscription]:
    return [
        _read(records.Subscription, r)
        for r in db.scalars(select(MeshSubscription).order_by(MeshSubscription.id))
    ]
