"""The node's two roles in a query (X-Road security server style).

As consumer it signs the request, sends it straight to the provider's node (no intermediate
server), verifies the signed answer and checks it against the service's JSON Schema. As provider
it verifies signature, freshness and replay, lets the directory authorize and translate the
person's code, reads its local adapter and answers with only the allowed items. Both sides log
every request, response and denial in their own hash chain.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy import Connection, bindparam, delete

from tsunagu.core import clock
from tsunagu.core.direct import DirectInsert
from tsunagu.core.groupcommit import Job
from tsunagu.mesh import crypto, errors, metrics
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory.desk import parse
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.node import adapters
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node.context import NodeContext
from tsunagu.mesh.node.directory_client import problem_of, unreachable
from tsunagu.mesh.node.models import MeshSeenRequest
from tsunagu.mesh.transport import PeerResponse, TransportError


@dataclass
class _Exchange:
    """What a node learned about one exchange so far, for its log lines."""

    role: str
    request_id: str = "-"
    consumer: str = "-"
    provider: str = "-"
    service: str = "-"
    purpose: str = "-"
    subject: str = "-"
    items: tuple[str, ...] = ()
    request_sha256: str = ""
    response_sha256: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def known(self, envelope: wire.QueryEnvelope) -> None:
        self.request_id, self.consumer, self.provider = envelope.id, envelope.consumer, envelope.provider
        self.service = f"{envelope.provider}/{envelope.service}/{envelope.version}"
        self.purpose, self.subject, self.items = envelope.purpose, envelope.subject, envelope.items

    def event(
        self, kind: str, result: str, digest: str, items: tuple[str, ...] | None = None
    ) -> message_log.LogEvent:
        return message_log.LogEvent(
            role=self.role,
            kind=kind,
            request_id=self.request_id,
            consumer=self.consumer,
            provider=self.provider,
            service=self.service,
            purpose=self.purpose,
            subject_code=self.subject,
            items=self.items if items is None else items,
            result=result,
            message_sha256=digest,
        )


@contextmanager
def _logged(ctx: NodeContext, exchange: _Exchange) -> Iterator[None]:
    """Log the request and its outcome (response or denial) together, and count them."""
    with _timed(ctx, exchange):
        try:
            yield
        except errors.MeshDenied as exc:
            _denied(ctx, exchange, exc)
            raise


@contextmanager
def _timed(ctx: NodeContext, exchange: _Exchange) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        metrics.LATENCY.labels(ctx.organization_code, exchange.role, exchange.service).observe(
            time.perf_counter() - started
        )


def _denied(ctx: NodeContext, exchange: _Exchange, denial: errors.MeshDenied) -> None:
    sent = "received" if exchange.role == "provider" else "sent"
    _write(
        ctx,
        exchange,
        [
            exchange.event("request", sent, exchange.request_sha256),
            exchange.event("denial", denial.code, exchange.response_sha256),
        ],
    )
    metrics.DENIALS.labels(ctx.organization_code, exchange.role, exchange.service, denial.code).inc()


def _write(ctx: NodeContext, exchange: _Exchange, events: list[message_log.LogEvent]) -> None:
    message_log.append(
        ctx.database,
        ctx.organization_code,
        events,
        ctx.key,
        ctx.settings.checkpoint_every,
        checkpoint_seconds=ctx.settings.checkpoint_seconds,
    )


def _now_seconds() -> int:
    return int(clock.now().timestamp())


# --- provider -----------------------------------------------------------------------------------


def handle_query(ctx: NodeContext, token: str) -> str:
    """Answer a consumer's signed query with a signed response (or raise the denial), in the
    caller's thread (embedded nodes)."""
    exchange = _Exchange("provider", request_sha256=crypto.sha256_hex(token))
    with _logged(ctx, exchange):
        signed = ctx.queries.submit(_queued(ctx, token, exchange), partial(_answer_batch, ctx))
    metrics.REQUESTS.labels(ctx.organization_code, "provider", exchange.service, "ok").inc()
    return signed


async def answer_query(ctx: NodeContext, token: str) -> str:
    """:func:`handle_query` on the node's event loop: the checks run on the loop and each batch's
    blocking work (the directory's answer, the log transaction) in one worker thread, so that a
    query costs no thread hand-off of its own."""
    exchange = _Exchange("provider", request_sha256=crypto.sha256_hex(token))
    with _timed(ctx, exchange):
        try:
            signed = await ctx.batches.submit(_queued(ctx, token, exchange), partial(_answer_batch, ctx))
        except errors.MeshDenied as exc:
            await ctx.batches.workers.run(_denied, ctx, exchange, exc)
            raise
    metrics.REQUESTS.labels(ctx.organization_code, "provider", exchange.service, "ok").inc()
    return signed


def _queued(ctx: NodeContext, token: str, exchange: _Exchange) -> Job[_Query, str]:
    """The checked query, as a job for the next batch."""
    envelope = _checked(ctx, token, exchange)
    question = wire.AuthorizationRequest(
        request_id=envelope.id,
        request_sha256=exchange.request_sha256,
        iat=_now_seconds(),
        consumer=envelope.consumer,
        provider=envelope.provider,
        service=envelope.service,
        version=envelope.version,
        purpose=envelope.purpose,
        subject=envelope.subject,
        items=envelope.items,
    )
    return Job(_Query(question, partial(_answer, ctx, exchange, envelope)))


def _checked(ctx: NodeContext, token: str, exchange: _Exchange) -> wire.QueryEnvelope:
    """The consumer's query once its signature, address, freshness and id have been checked."""
    verified = crypto.verify(token, ctx.directory.public_key, wire.QUERY_TYP)
    envelope = parse(wire.QueryEnvelope, verified.payload)
    exchange.known(envelope)
    if verified.signer != envelope.consumer:
        raise errors.BadSignature(f"signed by {verified.signer} but sent as {envelope.consumer}")
    if envelope.provider != ctx.organization_code:
        raise errors.WrongProvider(f"this node serves {ctx.organization_code}, not {envelope.provider}")
    _check_fresh(ctx, envelope.iat)
    if not ctx.recent_requests.add(envelope.id, time.monotonic() + 2 * ctx.settings.freshness_seconds):
        raise errors.Replay(f"request {envelope.id} was already received")
    return envelope


ANSWERABLE_RELATIONS = frozenset((*codes.RELATIONS, "consent"))
_Answer = Callable[[Connection, wire.Decision], tuple[str, list[message_log.LogEvent]]]


@dataclass(frozen=True)
class _Query:
    """A checked query waiting for its batch: what to ask the directory, and how to answer."""

    question: wire.AuthorizationRequest
    answer: _Answer


def _answer_batch(ctx: NodeContext, jobs: list[Job[_Query, Any]]) -> None:
    """The queries that arrived while the previous batch was handled: one authorization call to
    the directory for all, then the granted ones answered and logged in one transaction."""
    outcomes = ctx.directory.authorize([job.work.question for job in jobs])
    granted = []
    for job, outcome in zip(jobs, outcomes, strict=True):
        if isinstance(outcome, errors.MeshDenied):
            job.refuse(outcome)
        else:
            granted.append((job, outcome))
    if not granted:
        return
    answered, _ = message_log.append_with(
        ctx.database,
        ctx.organization_code,
        partial(_answer_all, [(job.work.answer, decision) for job, decision in granted]),
        ctx.key,
        ctx.settings.checkpoint_every,
        checkpoint_seconds=ctx.settings.checkpoint_seconds,
    )
    for (job, _), result in zip(granted, answered, strict=True):
        if isinstance(result, errors.MeshDenied):
            job.refuse(result)
        else:
            job.finish(result)


def _answer_all(
    granted: list[tuple[_Answer, wire.Decision]], connection: Connection
) -> tuple[list[str | errors.MeshDenied], list[message_log.LogEvent]]:
    """Each granted query's answer, or its own refusal (each checks before it writes, so a refused
    one leaves nothing behind in the shared transaction)."""
    results: list[str | errors.MeshDenied] = []
    events: list[message_log.LogEvent] = []
    for answer, decision in granted:
        try:
            signed, logged = answer(connection, decision)
        except errors.MeshDenied as exc:
            results.append(exc)
            continue
        results.append(signed)
        events += logged
    return results, events


def _answer(
    ctx: NodeContext,
    exchange: _Exchange,
    envelope: wire.QueryEnvelope,
    connection: Connection,
    decision: wire.Decision,
) -> tuple[str, list[message_log.LogEvent]]:
    """Read the local data, remember the request, sign: in the log's own transaction (reads and
    checks before the one write, as a shared log transaction needs)."""
    if decision.relation not in ANSWERABLE_RELATIONS:
        # defence in depth: the node answers only when the directory names why the consumer may
        # know the person, whatever the directory (or a bug in it) granted
        raise errors.SubjectNotRelated(
            f"the directory's decision names no relation of {envelope.consumer} with this person"
        )
    db = ctx.database.session_on(connection)
    local_id = codes.local_id_of(db, ctx.organization_code, decision.subject)
    found = adapters.fetch(db, ctx.organization_code, local_id, envelope.service) if local_id else None
    if found is None:
        raise errors.UnknownSubject(
            f"{ctx.organization_code} holds no {envelope.service} data for this person"
        )
    _remember_request(ctx, connection, envelope.id)
    response = wire.ResponseEnvelope(
        request_id=envelope.id,
        request_sha256=exchange.request_sha256,
        iat=_now_seconds(),
        consumer=envelope.consumer,
        provider=envelope.provider,
        service=envelope.service,
        version=envelope.version,
        subject=envelope.subject,
        data={item: found[item] for item in decision.items if item in found},
    )
    signed = crypto.sign(ctx.key, response.model_dump(mode="json"), wire.RESPONSE_TYP)
    return signed, [
        exchange.event("request", "received", exchange.request_sha256),
        exchange.event("response", "ok", crypto.sha256_hex(signed), decision.items),
    ]


def _check_fresh(ctx: NodeContext, issued_at: int) -> None:
    skew = abs(_now_seconds() - issued_at)
    if skew > ctx.settings.freshness_seconds:
        window = ctx.settings.freshness_seconds
        raise errors.StaleMessage(f"issued {skew} s away from now; the window is ±{window} s")


_SEEN = DirectInsert(MeshSeenRequest, ("organization_code", "request_id", "expires_at"), if_absent=True)
_FORGET = delete(MeshSeenRequest).where(
    MeshSeenRequest.organization_code == bindparam("org"), MeshSeenRequest.expires_at < bindparam("now")
)
_FORGET_EVERY = 1000


def _remember_request(ctx: NodeContext, connection: Connection, request_id: str) -> None:
    """Refuse a request id seen within the freshness window, also by another process serving this
    organization (the window bounds the memory: expired ids are dropped every so often)."""
    now = clock.now()
    until = now + timedelta(seconds=2 * ctx.settings.freshness_seconds)
    if not _SEEN.run(
        connection,
        [{"organization_code": ctx.organization_code, "request_id": request_id, "expires_at": until}],
    ):
        raise errors.Replay(f"request {request_id} was already received")
    if ctx.recent_requests.added % _FORGET_EVERY == 0:
        connection.execute(_FORGET, {"org": ctx.organization_code, "now": now})


# --- consumer -----------------------------------------------------------------------------------


def query(ctx: NodeContext, request: wire.LocalQuery) -> wire.QueryResult:
    """Ask another organization's node for a person's items under a 事務 (legal basis)."""
    exchange, token = _signed(ctx, request)
    with _logged(ctx, exchange):
        endpoint, validator = _route(ctx, request)
        response = _accepted(ctx, request, exchange, validator, _send(ctx, endpoint, token))
    _write(ctx, exchange, _answered(exchange, response))
    return _result(ctx, request, exchange, response)


async def ask(ctx: NodeContext, request: wire.LocalQuery) -> wire.QueryResult:
    """:func:`query` on the node's event loop: the provider is asked without a thread of its own,
    and the log lines of answered queries wait for the next log transaction in one worker thread
    (group commit). A member or schema not cached yet is fetched from the directory on the loop,
    once a minute at most."""
    exchange, token = _signed(ctx, request)
    with _timed(ctx, exchange):
        try:
            endpoint, validator = _route(ctx, request)
            answer = await _send_from_loop(ctx, endpoint, token)
            response = _accepted(ctx, request, exchange, validator, answer)
        except errors.MeshDenied as exc:
            await ctx.answered.workers.run(_denied, ctx, exchange, exc)
            raise
        await ctx.answered.submit(Job(_answered(exchange, response)), partial(_log_answered, ctx))
    return _result(ctx, request, exchange, response)


def _signed(ctx: NodeContext, request: wire.LocalQuery) -> tuple[_Exchange, str]:
    """The signed query, and what the log will say about it."""
    envelope = wire.QueryEnvelope(
        id=uuid.uuid4().hex,
        iat=_now_seconds(),
        consumer=ctx.organization_code,
        provider=request.provider,
        service=request.service,
        version=request.version,
        purpose=request.purpose,
        subject=request.subject,
        items=tuple(request.items),
    )
    token = crypto.sign(ctx.key, envelope.model_dump(mode="json"), wire.QUERY_TYP)
    exchange = _Exchange("consumer", request_sha256=crypto.sha256_hex(token))
    exchange.known(envelope)
    return exchange, token


def _route(ctx: NodeContext, request: wire.LocalQuery) -> tuple[str, Draft202012Validator]:
    """The provider's endpoint and the service's response schema, from the directory."""
    member = ctx.directory.organization(request.provider)
    if member is None:
        raise errors.UnknownOrganization(f"{request.provider!r} is not a member organization")
    validator = ctx.directory.validator(request.provider, request.service, request.version)
    if validator is None:
        raise errors.UnknownService(
            f"{request.provider} offers no service {request.service} {request.version}"
        )
    return member.endpoint, validator


def _accepted(
    ctx: NodeContext,
    request: wire.LocalQuery,
    exchange: _Exchange,
    validator: Draft202012Validator,
    answer: str,
) -> wire.ResponseEnvelope:
    """The provider's signed answer, checked: its signer, that it answers this request, its schema."""
    exchange.response_sha256 = crypto.sha256_hex(answer)
    verified = crypto.verify(answer, ctx.directory.public_key, wire.RESPONSE_TYP)
    response = parse(wire.ResponseEnvelope, verified.payload)
    if (
        verified.signer != request.provider
        or response.request_id != exchange.request_id
        or response.request_sha256 != exchange.request_sha256
    ):
        raise errors.BadSignature("the response is not the provider's answer to this request")
    problems = sorted(validator.iter_errors(response.data), key=lambda e: list(e.path))
    if problems:
        where = "/".join(str(p) for p in problems[0].path) or "(root)"
        raise errors.ResponseSchemaViolation(f"{where}: {problems[0].message}")
    return response


def _answered(exchange: _Exchange, response: wire.ResponseEnvelope) -> list[message_log.LogEvent]:
    return [
        exchange.event("request", "sent", exchange.request_sha256),
        exchange.event("response", "ok", exchange.response_sha256, tuple(sorted(response.data))),
    ]


def _log_answered(ctx: NodeContext, jobs: list[Job[list[message_log.LogEvent], None]]) -> None:
    message_log.append(
        ctx.database,
        ctx.organization_code,
        [event for job in jobs for event in job.work],
        ctx.key,
        ctx.settings.checkpoint_every,
        checkpoint_seconds=ctx.settings.checkpoint_seconds,
    )
    for job in jobs:
        job.finish(None)


def _result(
    ctx: NodeContext, request: wire.LocalQuery, exchange: _Exchange, response: wire.ResponseEnvelope
) -> wire.QueryResult:
    metrics.REQUESTS.labels(ctx.organization_code, "consumer", exchange.service, "ok").inc()
    return wire.QueryResult(
        request_id=exchange.request_id,
        provider=request.provider,
        service=request.service,
        version=request.version,
        purpose=request.purpose,
        data=response.data,
    )


async def _send_from_loop(ctx: NodeContext, endpoint: str, token: str) -> str:
    """:func:`_send` from the node's event loop (a peer served in this process: in a worker thread)."""
    if ctx.local_peer(endpoint) is not None:
        return await ctx.answered.workers.run(_send, ctx, endpoint, token)
    try:
        response = await ctx.loop_http.post(
            f"{endpoint}/v1/query", content=token, headers={"content-type": wire.MEDIA_TYPE}
        )
    except TransportError as exc:
        raise unreachable(errors.ProviderUnavailable, "the provider's node", endpoint, exc) from None
    return _answer_text(response)


def _send(ctx: NodeContext, endpoint: str, token: str) -> str:
    """Post the signed query to the provider's node (in-process when it is served here)."""
    peer = ctx.local_peer(endpoint)
    if peer is not None:
        return handle_query(peer, token)
    try:
        response = ctx.http.post(
            f"{endpoint}/v1/query", content=token, headers={"content-type": wire.MEDIA_TYPE}
        )
    except TransportError as exc:
        raise unreachable(errors.ProviderUnavailable, "the provider's node", endpoint, exc) from None
    return _answer_text(response)


def _answer_text(response: PeerResponse) -> str:
    if response.status_code != 200:
        raise problem_of(response, errors.ProviderUnavailable)
    return response.text
