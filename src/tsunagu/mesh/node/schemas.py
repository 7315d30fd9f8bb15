"""Messages on the wire: the payloads inside the signed JWS and the node's local API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

QUERY_TYP = "tsunagu-mesh-query+jws"
RESPONSE_TYP = "tsunagu-mesh-response+jws"
AUTHZ_TYP = "tsunagu-mesh-authz+jws"
DECISION_TYP = "tsunagu-mesh-decision+jws"
AUTHZ_BATCH_TYP = "tsunagu-mesh-authz-batch+jws"
DECISIONS_TYP = "tsunagu-mesh-decisions+jws"
FANOUT_TYP = "tsunagu-mesh-fanout+jws"
TARGETS_TYP = "tsunagu-mesh-targets+jws"
PUSH_TYP = "tsunagu-mesh-push+jws"
MEDIA_TYPE = "application/jose"


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QueryEnvelope(_Wire):
    """What a consumer asks: signed by the consumer's node."""

    v: int = 1
    id: str = Field(pattern=r"^[0-9a-f]{32}$", description="Request id (replays are refused)")
    iat: int = Field(description="Issued at, seconds since the epoch")
    consumer: str
    provider: str
    service: str
    version: str
    purpose: str = Field(description="事務 id (legal basis)")
    subject: str = Field(description="The consumer's own code for the person (機関別符号)")
    items: tuple[str, ...] = ()


class ResponseEnvelope(_Wire):
    v: int = 1
    request_id: str
    request_sha256: str
    iat: int
    consumer: str
    provider: str
    service: str
    version: str
    subject: str
    data: dict[str, Any]


class AuthorizationRequest(_Wire):
    """The provider asks the directory: may this consumer have these items, and who is it?"""

    request_id: str
    request_sha256: str
    iat: int
    consumer: str
    provider: str
    service: str
    version: str
    purpose: str
    subject: str
    items: tuple[str, ...]


class Decision(_Wire):
    """The directory's yes to one request (bound to it by its id and the query's hash)."""

    request_id: str
    request_sha256: str
    iat: int
    provider: str
    items: tuple[str, ...]
    subject: str = Field(description="The provider's own code for the person")
    legal_basis: str
    relation: str = Field(
        description="Why the consumer may know the person: resident, application, moving, record or consent"
    )


class Refusal(_Wire):
    """The directory's no to one request of a batch: the denial's code and detail."""

    request_id: str
    request_sha256: str
    code: str
    detail: str


MAX_BATCH = 64  # the provider node's worker threads: never more requests in flight at once


class AuthorizationBatch(_Wire):
    """Several of a provider's requests in one signed message (coalesced while one is in flight)."""

    iat: int
    provider: str
    requests: tuple[AuthorizationRequest, ...] = Field(min_length=1, max_length=MAX_BATCH)


class Decisions(_Wire):
    """One outcome per request of a batch, in the batch's order; each is decided on its own."""

    iat: int
    provider: str
    outcomes: tuple[Decision | Refusal, ...]


class FanoutRequest(_Wire):
    event_id: str
    iat: int
    provider: str
    kind: str
    subject: str


class Target(_Wire):
    subscriber: str
    endpoint: str
    subject: str
    legal_basis: str
    items: tuple[str, ...] = Field(description="Items the subscriber's legal basis allows")


class Targets(_Wire):
    event_id: str
    iat: int
    targets: tuple[Target, ...]


class PushMessage(_Wire):
    idempotency_key: str
    event_id: str
    iat: int
    provider: str
    subscriber: str
    kind: str
    subject: str
    legal_basis: str
    data: dict[str, Any]


class LocalQuery(BaseModel):
    """A query from inside the consumer organization to its own node."""

    provider: str
    service: str
    version: str = "v1"
    purpose: str
    subject: str
    items: list[str] = Field(default_factory=list)


class QueryResult(BaseModel):
    request_id: str
    provider: str
    service: str
    version: str
    purpose: str
    data: dict[str, Any]


class InboxReceipt(BaseModel):
    idempotency_key: str
    status: str = Field(description="applied (first time) or duplicate (already applied)")
