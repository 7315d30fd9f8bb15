"""The directory's answers to nodes: signed authorizations and push fan-outs, each logged.

The directory's log is the one the person's やりとり履歴 reads: it alone can tie an exchange
to the person (through the person link), so it records that link with every entry.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.mesh import crypto, errors, metrics
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.node import schemas as wire

ModelT = TypeVar("ModelT", bound=BaseModel)
ROLE = "directory"


CATALOG_SECONDS = 5.0
_catalogs: dict[str, tuple[float, int, directory.Catalog]] = {}
_keys: dict[str, ec.EllipticCurvePublicKey] = {}


def current_catalog(database: Database) -> directory.Catalog:
    """The directory's catalog: re-read after a change made in this process, and otherwise at
    least every few seconds (changes made by another process apply within 5 s)."""
    now, changed = time.monotonic(), directory.generation()
    cached = _catalogs.get(database.url)
    if cached is None or cached[0] < now or cached[1] != changed:
        with database.session() as db:
            cached = (now + CATALOG_SECONDS, changed, directory.catalog(db))
        _catalogs[database.url] = cached
    return cached[2]


def key_resolver(known: directory.Catalog) -> crypto.KeyResolver:
    def resolve(kid: str) -> ec.EllipticCurvePublicKey | None:
        member = known.organizations.get(crypto.organization_of_kid(kid))
        for jwk in member.keys if member and member.active else []:
            if jwk.get("kid") == kid:
                crypto.check_usable(jwk, int(clock.now().timestamp()))
                fingerprint = crypto.canonical_json(jwk).decode()
                if fingerprint not in _keys:
                    _keys[fingerprint] = crypto.public_key_from_jwk(jwk)
                return _keys[fingerprint]
        return None

    return resolve


def parse(model: type[ModelT], payload: dict[str, object]) -> ModelT:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise errors.MalformedMessage(
            f"the message is not a valid {model.__name__}: {exc.error_count()} problem(s)"
        ) from None


def _verified(
    database: Database, token: str, typ: str, model: type[ModelT], signer_of: Callable[[ModelT], str]
) -> ModelT:
    verified = crypto.verify(token, key_resolver(current_catalog(database)), typ)
    message = parse(model, verified.payload)
    if verified.signer != signer_of(message):
        raise errors.BadSignature(f"signed by {verified.signer} but sent as {signer_of(message)}")
    return message


def authorize_signed(
    database: Database, operator_key: crypto.SigningKey, token: str, operator: str
) -> tuple[str, wire.Decision]:
    """Verify the provider's signed question, apply the legal basis, log, sign the answer."""
    request = _verified(database, token, wire.AUTHZ_TYP, wire.AuthorizationRequest, lambda r: r.provider)
    outcome = _decide(database, operator_key, operator, (request,))[0]
    if isinstance(outcome, errors.MeshDenied):
        raise outcome
    return crypto.sign(operator_key, outcome.model_dump(mode="json"), wire.DECISION_TYP), outcome


def authorize_batch_signed(
    database: Database, operator_key: crypto.SigningKey, token: str, operator: str
) -> tuple[str, wire.Decisions]:
    """A provider's batch of questions: each decided and logged on its own (one's denial leaves the
    others granted), all in one log transaction, answered in one signed message in their order."""
    batch = _verified(database, token, wire.AUTHZ_BATCH_TYP, wire.AuthorizationBatch, lambda b: b.provider)
    strangers = {r.provider for r in batch.requests} - {batch.provider}
    if strangers:
        raise errors.BadSignature(f"signed by {batch.provider} but asks for {', '.join(sorted(strangers))}")
    outcomes = _decide(database, operator_key, operator, batch.requests)
    answer = wire.Decisions(
        iat=int(clock.now().timestamp()),
        provider=batch.provider,
        outcomes=tuple(
            _refusal(request, outcome) if isinstance(outcome, errors.MeshDenied) else outcome
            for request, outcome in zip(batch.requests, outcomes, strict=True)
        ),
    )
    return crypto.sign(operator_key, answer.model_dump(mode="json"), wire.DECISIONS_TYP), answer


def _refusal(request: wire.AuthorizationRequest, denial: errors.MeshDenied) -> wire.Refusal:
    return wire.Refusal(
        request_id=request.request_id,
        request_sha256=request.request_sha256,
        code=denial.code,
        detail=denial.detail,
    )


def _decide(
    database: Database,
    operator_key: crypto.SigningKey,
    operator: str,
    requests: Sequence[wire.AuthorizationRequest],
) -> list[wire.Decision | errors.MeshDenied]:
    """Decide each request and log each authorization or denial, all in one transaction (the
    decisions only read, so a denial among them leaves nothing half-written)."""

    def decide(
        connection: Connection,
    ) -> tuple[list[wire.Decision | errors.MeshDenied], list[message_log.LogEvent]]:
        db, known = Session(connection), current_catalog(database)
        outcomes: list[wire.Decision | errors.MeshDenied] = []
        events = []
        for request in requests:
            try:
                granted = _authorize(db, request, known)
            except errors.MeshDenied as exc:
                outcomes.append(exc)
                events.append(_event(request, "denial", request.items, exc.code))
                continue
            outcomes.append(_decision(request, granted))
            events.append(
                _event(
                    request,
                    "authorization",
                    granted.items,
                    "ok",
                    person_link=granted.person_link,
                    visible_from=granted.visible_from,
                )
            )
        return outcomes, events

    _own_log(database, operator_key, operator)
    outcomes, _ = message_log.append_with(database, operator, decide, operator_key)
    for request, outcome in zip(requests, outcomes, strict=True):
        if isinstance(outcome, errors.MeshDenied):
            metrics.DENIALS.labels(operator, ROLE, _service(request), outcome.code).inc()
        else:
            metrics.REQUESTS.labels(operator, ROLE, _service(request), "ok").inc()
    return outcomes


def _authorize(
    db: Session, request: wire.AuthorizationRequest, known: directory.Catalog
) -> directory.Authorization:
    return directory.authorize(
        db,
        consumer=request.consumer,
        provider=request.provider,
        service=request.service,
        version=request.version,
        purpose=request.purpose,
        subject=request.subject,
        items=request.items,
        known=known,
    )


def _decision(request: wire.AuthorizationRequest, granted: directory.Authorization) -> wire.Decision:
    return wire.Decision(
        request_id=request.request_id,
        request_sha256=request.request_sha256,
        iat=int(clock.now().timestamp()),
        provider=request.provider,
        items=granted.items,
        subject=granted.provider_subject,
        legal_basis=granted.basis.id,
        relation=granted.relation,
    )


def _service(request: wire.AuthorizationRequest) -> str:
    return f"{request.provider}/{request.service}/{request.version}"


def _event(
    request: wire.AuthorizationRequest,
    kind: str,
    items: tuple[str, ...],
    result: str,
    *,
    person_link: str | None = None,
    visible_from: datetime | None = None,
) -> message_log.LogEvent:
    return message_log.LogEvent(
        role=ROLE,
        kind=kind,
        request_id=request.request_id,
        consumer=request.consumer,
        provider=request.provider,
        service=_service(request),
        purpose=request.purpose,
        subject_code=request.subject,
        items=items,
        result=result,
        message_sha256=request.request_sha256,
        person_link=person_link,
        visible_from=visible_from,
    )


def _own_log(database: Database, operator_key: crypto.SigningKey, operator: str) -> None:
    """The directory's own checkpoints are anchored by the directory (see :func:`anchor_signed`)."""
    if not message_log.has_anchorer(database, operator):
        message_log.register_anchorer(
            database, operator, lambda token: anchor_signed(database, operator_key, token, operator)[0]
        )


def anchor_signed(
    database: Database, operator_key: crypto.SigningKey, token: str, operator: str
) -> tuple[str, dict[str, object]]:
    """Keep a node's signed log checkpoint and countersign it (``tsunagu-mesh-log-anchor+jws``).

    The operator's own checkpoints are anchored here too, in its own database: the directory
    cannot anchor itself outside itself (an RFC 3161 timestamp authority would be that anchor)."""
    verified = crypto.verify(token, key_resolver(current_catalog(database)), message_log.CHECKPOINT_TYP)
    if verified.signer != verified.payload.get("org"):
        raise errors.BadSignature(f"signed by {verified.signer}, not by the checkpoint's organization")
    with database.session() as db:
        signature = message_log.countersign(db, operator_key, token, verified.payload)
    return signature, verified.payload


def fanout_signed(
    database: Database, operator_key: crypto.SigningKey, token: str, operator: str
) -> tuple[str, wire.Targets]:
    """Name the subscribers of a provider's event, each with its own code; log each notification."""
    request = _verified(database, token, wire.FANOUT_TYP, wire.FanoutRequest, lambda r: r.provider)

    def route(connection: Connection) -> tuple[list[directory.FanoutTarget], list[message_log.LogEvent]]:
        found = directory.fanout(Session(connection), request.provider, request.kind, request.subject)
        return found, [
            message_log.LogEvent(
                role=ROLE,
                kind="notification",
                request_id=request.event_id,
                consumer=target.subscriber,
                provider=request.provider,
                service=f"{request.provider}/events/{request.kind}",
                purpose=target.legal_basis_id,
                subject_code=target.subject_code,
                items=(request.kind,),
                result="routed",
                message_sha256=crypto.sha256_hex(token),
                person_link=target.person_link,
                visible_from=target.visible_from,
            )
            for target in found
        ]

    _own_log(database, operator_key, operator)
    found, _ = message_log.append_with(database, operator, route, operator_key)
    targets = wire.Targets(
        event_id=request.event_id,
        iat=int(clock.now().timestamp()),
        targets=tuple(
            wire.Target(
                subscriber=t.subscriber,
                endpoint=t.endpoint,
                subject=t.subject_code,
                legal_basis=t.legal_basis_id,
                items=t.items,
            )
            for t in found
        ),
    )
    return crypto.sign(operator_key, targets.model_dump(mode="json"), wire.TARGETS_TYP), targets
