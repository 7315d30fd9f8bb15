"""Push: a provider's change events become signed webhooks to every subscriber with a legal basis.

The outbox is durable (a table); delivery retries with exponential backoff, keeps the order of
events per subscriber and person, and moves a delivery to the dead-letter list after
``push_max_attempts`` failures. Receivers apply each idempotency key once.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import NotFound
from tsunagu.core.sessions import Principal
from tsunagu.mesh import crypto, errors, metrics
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.directory.desk import parse
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node.context import NodeContext
from tsunagu.mesh.node.models import MeshNodePerson
from tsunagu.mesh.push import reactions
from tsunagu.mesh.push.models import MeshPushDelivery, MeshPushReceived
from tsunagu.mesh.transport import TransportError

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"


def _code_of_local(db: Session, organization_code: str, local_id: str) -> str:
    code = db.scalar(
        select(MeshNodePerson.code).where(
            MeshNodePerson.organization_code == organization_code, MeshNodePerson.local_id == local_id
        )
    )
    if code is None:
        raise errors.UnknownSubject(f"{organization_code} has no code for this person")
    return code


def publish(
    ctx: NodeContext, kind: str, local_id: str, data: dict[str, Any], event_id: str | None = None
) -> int:
    """Queue one change event for every subscriber the directory names; returns how many."""
    event_id = event_id or uuid.uuid4().hex
    with ctx.database.session() as db:
        subject = _code_of_local(db, ctx.organization_code, local_id)
    targets = ctx.directory.fanout(
        wire.FanoutRequest(
            event_id=event_id,
            iat=int(clock.now().timestamp()),
            provider=ctx.organization_code,
            kind=kind,
            subject=subject,
        )
    )
    now = clock.now()
    with ctx.database.session() as db:
        for target in targets.targets:
            key = idempotency_key(ctx.organization_code, event_id, target.subscriber)
            if db.scalar(select(MeshPushDelivery.id).where(MeshPushDelivery.idempotency_key == key)):
                continue
            db.add(
                MeshPushDelivery(
                    provider=ctx.organization_code,
                    subscriber=target.subscriber,
                    endpoint=target.endpoint,
                    idempotency_key=key,
                    kind=kind,
                    subject_code=target.subject,
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    last_error="",
                    created_at=now,
                    payload={
                        "event_id": event_id,
                        "legal_basis": target.legal_basis,
                        "data": _allowed(data, target.items),
                    },
                )
            )
    message_log.append(
        ctx.database,
        ctx.organization_code,
        [
            message_log.LogEvent(
                role="provider",
                kind="notification",
                request_id=event_id,
                consumer=target.subscriber,
                provider=ctx.organization_code,
                service=f"{ctx.organization_code}/events/{kind}",
                purpose=target.legal_basis,
                subject_code=subject,
                items=(kind,),
                result="queued",
                message_sha256=crypto.sha256_hex(crypto.canonical_json(data)),
            )
            for target in targets.targets
        ],
        ctx.key,
        ctx.settings.checkpoint_every,
        checkpoint_seconds=ctx.settings.checkpoint_seconds,
    )
    return len(targets.targets)


def _allowed(data: dict[str, Any], items: tuple[str, ...]) -> dict[str, Any]:
    """Only what the subscriber's legal basis allows, plus when the change took effect."""
    return {key: value for key, value in data.items() if key in items or key == "effective_date"}


@dataclass
class DeliveryRun:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    waiting: int = 0

    def add(self, other: DeliveryRun) -> None:
        self.delivered += other.delivered
        self.failed += other.failed
        self.dead += other.dead
        self.waiting += other.waiting


def deliver_due(ctx: NodeContext, limit: int = 500, now: datetime | None = None) -> DeliveryRun:
    """Try every due delivery once, oldest first, never overtaking an earlier one for the same person.

    Each lane (subscriber and person) is delivered in order by one worker; lanes run side by side
    (``push_concurrency``), so one slow receiver or a network round trip does not hold up the rest.
    """
    now = now or clock.now()
    with ctx.database.session() as db:
        due = list(
            db.scalars(
                select(MeshPushDelivery)
                .where(MeshPushDelivery.provider == ctx.organization_code, MeshPushDelivery.status == PENDING)
                .order_by(MeshPushDelivery.id)
                .limit(limit)
            )
        )
    lanes: dict[tuple[str, str], list[MeshPushDelivery]] = {}
    for delivery in due:
        lanes.setdefault((delivery.subscriber, delivery.subject_code), []).append(delivery)
    run = DeliveryRun()
    if len(lanes) <= 1 or ctx.settings.push_concurrency == 1:
        for lane in lanes.values():
            run.add(_deliver_lane(ctx, lane, now))
        return run
    with ThreadPoolExecutor(
        max_workers=min(ctx.settings.push_concurrency, len(lanes)), thread_name_prefix="mesh-push"
    ) as pool:
        for outcome in pool.map(lambda lane: _deliver_lane(ctx, lane, now), lanes.values()):
            run.add(outcome)
    return run


def _deliver_lane(ctx: NodeContext, lane: list[MeshPushDelivery], now: datetime) -> DeliveryRun:
    """One subscriber's deliveries about one person, in order; the first that must wait stops the lane."""
    run = DeliveryRun()
    for position, delivery in enumerate(lane):
        if delivery.next_attempt_at > now:
            run.waiting += len(lane) - position
            break
        if not _claim(ctx, delivery, now):
            break  # another worker holds this lane now; it delivers the rest in order
        error = _attempt(ctx, delivery)
        with ctx.database.session() as db:
            record = db.get(MeshPushDelivery, delivery.id)
            if record is None:
                continue
            record.attempts += 1
            if error is None:
                record.status, record.delivered_at, record.last_error = DELIVERED, clock.now(), ""
                run.delivered += 1
            elif record.attempts >= ctx.settings.push_max_attempts:
                record.status, record.last_error = DEAD, error
                run.dead += 1
            else:
                delay = ctx.settings.push_base_delay_seconds * 2 ** (record.attempts - 1)
                record.next_attempt_at, record.last_error = now + timedelta(seconds=delay), error
                run.failed += 1
        metrics.PUSH.labels(ctx.organization_code, "delivered" if error is None else "failed").inc()
        if error is None:
            _log_delivery(ctx, delivery, "delivered")
        elif record.status != DEAD:
            run.waiting += len(lane) - position - 1  # the rest of the lane waits behind the retry
            break
    return run


def _claim(ctx: NodeContext, delivery: MeshPushDelivery, now: datetime) -> bool:
    """Take the delivery for this worker for a lease (its next attempt moved past the send): of
    two workers (or processes) reading the same due delivery only one sends it. A worker killed
    while it holds the lease leaves the delivery pending; it is sent again when the lease ends, and
    the receiver acknowledges a repeated idempotency key without applying it twice."""
    lease = now + timedelta(seconds=2 * ctx.settings.timeout_seconds + 5)
    with ctx.database.session() as db:
        taken = db.execute(
            update(MeshPushDelivery)
            .where(
                MeshPushDelivery.id == delivery.id,
                MeshPushDelivery.status == PENDING,
                MeshPushDelivery.attempts == delivery.attempts,
                MeshPushDelivery.next_attempt_at <= now,
            )
            .values(next_attempt_at=lease)
        )
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def _attempt(ctx: NodeContext, delivery: MeshPushDelivery) -> str | None:
    message = wire.PushMessage(
        idempotency_key=delivery.idempotency_key,
        event_id=str(delivery.payload["event_id"]),
        iat=int(clock.now().timestamp()),
        provider=delivery.provider,
        subscriber=delivery.subscriber,
        kind=delivery.kind,
        subject=delivery.subject_code,
        legal_basis=str(delivery.payload["legal_basis"]),
        data=dict(delivery.payload["data"]),
    )
    token = crypto.sign(ctx.key, message.model_dump(mode="json"), wire.PUSH_TYP)
    peer = ctx.local_peer(delivery.endpoint)
    if peer is not None:
        try:
            receive(peer, token)
        except errors.MeshDenied as exc:
            return f"{exc.code}: {exc.detail}"
        return None
    try:
        response = ctx.http.post(
            f"{delivery.endpoint}/v1/inbox",
            content=token,
            headers={"content-type": wire.MEDIA_TYPE, "idempotency-key": delivery.idempotency_key},
        )
    except TransportError as exc:
        return str(exc)[:500]
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:300]}"
    return None


def _log_delivery(ctx: NodeContext, delivery: MeshPushDelivery, result: str) -> None:
    message_log.append(
        ctx.database,
        ctx.organization_code,
        [
            message_log.LogEvent(
                role="provider",
                kind="notification",
                request_id=str(delivery.payload["event_id"]),
                consumer=delivery.subscriber,
                provider=delivery.provider,
                service=f"{delivery.provider}/events/{delivery.kind}",
                purpose=str(delivery.payload["legal_basis"]),
                subject_code=delivery.subject_code,
                items=(delivery.kind,),
                result=result,
                message_sha256=crypto.sha256_hex(delivery.idempotency_key),
            )
        ],
        ctx.key,
        ctx.settings.checkpoint_every,
        checkpoint_seconds=ctx.settings.checkpoint_seconds,
    )


def receive(ctx: NodeContext, token: str) -> wire.InboxReceipt:
    """Apply a signed notification once; a repeated idempotency key is acknowledged, not re-applied."""
    verified = crypto.verify(token, ctx.directory.public_key, wire.PUSH_TYP)
    message = parse(wire.PushMessage, verified.payload)
    if verified.signer != message.provider:
        raise errors.BadSignature(f"signed by {verified.signer} but sent as {message.provider}")
    if message.subscriber != ctx.organization_code:
        raise errors.WrongProvider(f"this node is {ctx.organization_code}, not {message.subscriber}")
    status = "applied"
    try:
        with ctx.database.session() as db:
            db.add(
                MeshPushReceived(
                    organization_code=ctx.organization_code,
                    idempotency_key=message.idempotency_key,
                    provider=message.provider,
                    kind=message.kind,
                    subject_code=message.subject,
                    payload=message.data,
                    received_at=clock.now(),
                )
            )
            db.flush()
            # the subscriber's own handling (e.g. the pension stopped), once, with the receipt
            reactions.react(
                db,
                ctx.organization_code,
                kind=message.kind,
                subject_code=message.subject,
                provider=message.provider,
                event_id=message.event_id,
                data=message.data,
            )
    except IntegrityError:
        status = "duplicate"
    message_log.append(
        ctx.database,
        ctx.organization_code,
        [
            message_log.LogEvent(
                role="consumer",
                kind="notification",
                request_id=message.event_id,
                consumer=message.subscriber,
                provider=message.provider,
                service=f"{message.provider}/events/{message.kind}",
                purpose=message.legal_basis,
                subject_code=message.subject,
                items=(message.kind,),
                result=status,
                message_sha256=crypto.sha256_hex(token),
            )
        ],
        ctx.key,
        ctx.settings.checkpoint_every,
        checkpoint_seconds=ctx.settings.checkpoint_seconds,
    )
    return wire.InboxReceipt(idempotency_key=message.idempotency_key, status=status)


def delivery_status(db: Session, provider: str, event_id: str, subscriber: str) -> str | None:
    """Where the notification of an event to one subscriber stands (None: not routed to it)."""
    return db.scalar(
        select(MeshPushDelivery.status).where(
            MeshPushDelivery.idempotency_key == idempotency_key(provider, event_id, subscriber)
        )
    )


def idempotency_key(provider: str, event_id: str, subscriber: str) -> str:
    return f"{provider}:{event_id}:{subscriber}"


def dead_letters(
    db: Session, caller: Principal, operator: str, limit: int = 100, offset: int = 0
) -> tuple[list[MeshPushDelivery], int]:
    """Notifications that failed every attempt (for the directory operator's administrators)."""
    directory.operator_admin(caller, operator)
    where = MeshPushDelivery.status == DEAD
    total = db.scalar(select(func.count()).select_from(MeshPushDelivery).where(where)) or 0
    rows = db.scalars(
        select(MeshPushDelivery).where(where).order_by(MeshPushDelivery.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total


def requeue(db: Session, caller: Principal, operator: str, delivery_id: int) -> None:
    """Give a dead letter a fresh set of attempts (after the receiver is fixed)."""
    directory.operator_admin(caller, operator)
    record = db.get(MeshPushDelivery, delivery_id)
    if record is None or record.status != DEAD:
        raise NotFound(f"no dead letter {delivery_id}")
    record.status, record.attempts, record.next_attempt_at = PENDING, 0, clock.now()


@dataclass(frozen=True)
class EventDelivery:
    """Where one event's notification to one subscriber stands (for the staff who registered it)."""

    subscriber: str
    kind: str
    status: str  # pending | delivered | dead
    attempts: int
    created_at: datetime
    delivered_at: datetime | None


def deliveries_of_event(db: Session, provider: str, event_id: str) -> list[EventDelivery]:
    """Every subscriber the event was pushed to by ``provider``, and how far each delivery got."""
    rows = db.scalars(
        select(MeshPushDelivery)
        .where(
            MeshPushDelivery.provider == provider,
            MeshPushDelivery.idempotency_key.like(f"{provider}:{event_id}:%"),
        )
        .order_by(MeshPushDelivery.id)
    )
    return [
        EventDelivery(r.subscriber, r.kind, r.status, r.attempts, r.created_at, r.delivered_at) for r in rows
    ]


def received(db: Session, organization_code: str) -> list[MeshPushReceived]:
    return list(
        db.scalars(
            select(MeshPushReceived)
            .where(MeshPushReceived.organization_code == organization_code)
            .order_by(MeshPushReceived.received_at)
        )
    )
