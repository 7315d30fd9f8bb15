"""How a node reaches the directory: in-process (shared database) or over HTTP (its own node).

Organizations, keys and service schemas are cached for a minute, like X-Road's global
configuration, and dropped at once after a directory change made in this process; a key's
validity (nbf/exp/revoked) is checked at every use. Authorizations are never cached (each one
is logged by the directory).
"""

from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import structlog
from cryptography.hazmat.primitives.asymmetric import ec
from jsonschema import Draft202012Validator

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.mesh import crypto, errors
from tsunagu.mesh.directory import desk
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.directory.keys import NodeSigner
from tsunagu.mesh.directory.records import Organization, Service
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.transport import PeerClient, PeerResponse, TransportError

log = structlog.get_logger(__name__)

CACHE_SECONDS = 60.0
T = TypeVar("T")


class _Cache:
    def __init__(self) -> None:
        self._values: dict[tuple[str, ...], tuple[float, int, Any]] = {}
        self._guard = threading.Lock()

    def get(self, key: tuple[str, ...], load: Callable[[], T | None]) -> T | None:
        now, changed = time.monotonic(), directory.generation()
        with self._guard:
            hit = self._values.get(key)
        if hit and hit[0] > now and hit[1] == changed:
            value: T = hit[2]
            return value
        loaded = load()
        if loaded is not None:
            with self._guard:
                self._values[key] = (now + CACHE_SECONDS, changed, loaded)
        return loaded

    def forget(self, key: tuple[str, ...]) -> None:
        with self._guard:
            self._values.pop(key, None)


class Directory(ABC):
    """What a node asks the directory; keys and schema validators are cached."""

    def __init__(self, signer: NodeSigner) -> None:
        self.cache, self.signer = _Cache(), signer

    @abstractmethod
    def organization(self, code: str) -> Organization | None: ...

    @abstractmethod
    def service(self, provider: str, code: str, version: str) -> Service | None: ...

    @abstractmethod
    def fanout(self, request: wire.FanoutRequest) -> wire.Targets: ...

    @abstractmethod
    def _decide(self, batch_token: str) -> wire.Decisions:
        """The directory's verified answer to a signed batch of authorization requests."""

    @abstractmethod
    def anchor(self, checkpoint: str) -> str:
        """The directory's countersignature of this node's signed log checkpoint (it keeps both)."""

    @abstractmethod
    def anchors(self, organization_code: str) -> list[str]:
        """The directory's countersignatures of an organization's checkpoints (to verify its log)."""

    def authorize(
        self, requests: Sequence[wire.AuthorizationRequest]
    ) -> list[wire.Decision | errors.MeshDenied]:
        """The directory's outcome for each request, in order: a decision, or the denial to raise."""
        outcomes: list[wire.Decision | errors.MeshDenied] = []
        for start in range(0, len(requests), wire.MAX_BATCH):
            outcomes += self._ask(requests[start : start + wire.MAX_BATCH])
        return outcomes

    def _ask(self, requests: Sequence[wire.AuthorizationRequest]) -> list[wire.Decision | errors.MeshDenied]:
        """One signed batch; the answer must hold one outcome per request, in order, each bound to
        its request (id and hash), or none of it is believed."""
        batch = wire.AuthorizationBatch(
            iat=int(clock.now().timestamp()), provider=requests[0].provider, requests=tuple(requests)
        )
        answer = self._decide(
            crypto.sign(self.signer.current, batch.model_dump(mode="json"), wire.AUTHZ_BATCH_TYP)
        )
        if [(o.request_id, o.request_sha256) for o in answer.outcomes] != [
            (r.request_id, r.request_sha256) for r in requests
        ]:
            raise errors.BadSignature("the directory's answer does not match the requests it was asked")
        return [
            errors.denial_from_code(o.code, o.detail) if isinstance(o, wire.Refusal) else o
            for o in answer.outcomes
        ]

    def public_key(self, kid: str) -> ec.EllipticCurvePublicKey | None:
        """The signer's key if it is usable now; a revoked or expired key is refused as such."""
        jwk = self._jwk(kid)
        if jwk is None:
            return None
        crypto.check_usable(jwk, int(clock.now().timestamp()))
        return self.cache.get(("key", kid), lambda: crypto.public_key_from_jwk(jwk))

    def _jwk(self, kid: str) -> dict[str, Any] | None:
        code = crypto.organization_of_kid(kid)
        for attempt in range(2):
            member = self.organization(code)
            if member is not None and not member.active:
                return None
            found = next((jwk for jwk in member.keys if jwk.get("kid") == kid), None) if member else None
            if found is not None or attempt:
                return found
            self.cache.forget(("org", code))  # a key published since the member was cached
        return None

    def validator(self, provider: str, code: str, version: str) -> Draft202012Validator | None:
        def load() -> Draft202012Validator | None:
            found = self.service(provider, code, version)
            return None if found is None else Draft202012Validator(found.response_schema)

        return self.cache.get(("validator", provider, code, version), load)


class LocalDirectory(Directory):
    """The directory in this process's database (the embedded default, and the directory node)."""

    def __init__(
        self, database: Database, signer: NodeSigner, operator_key: crypto.SigningKey, operator: str
    ) -> None:
        super().__init__(signer)
        self.database = database
        self.operator_key, self.operator = operator_key, operator

    def organization(self, code: str) -> Organization | None:
        def load() -> Organization | None:
            with self.database.session() as db:
                return directory.get_organization(db, code)

        return self.cache.get(("org", code), load)

    def service(self, provider: str, code: str, version: str) -> Service | None:
        def load() -> Service | None:
            with self.database.session() as db:
                return directory.get_service(db, provider, code, version)

        return self.cache.get(("service", provider, code, version), load)

    def _decide(self, batch_token: str) -> wire.Decisions:
        return desk.authorize_batch_signed(self.database, self.operator_key, batch_token, self.operator)[1]

    def fanout(self, request: wire.FanoutRequest) -> wire.Targets:
        token = crypto.sign(self.signer.current, request.model_dump(mode="json"), wire.FANOUT_TYP)
        return desk.fanout_signed(self.database, self.operator_key, token, self.operator)[1]

    def anchor(self, checkpoint: str) -> str:
        return desk.anchor_signed(self.database, self.operator_key, checkpoint, self.operator)[0]

    def anchors(self, organization_code: str) -> list[str]:
        with self.database.session() as db:
            return message_log.kept_anchors(db, organization_code)


class RemoteDirectory(Directory):
    """The directory node over HTTP; its answers are verified with the operator's key."""

    def __init__(self, url: str, http: PeerClient, signer: NodeSigner, operator: str) -> None:
        super().__init__(signer)
        self.url, self.http, self.operator = url.rstrip("/"), http, operator

    def _get(self, path: str) -> dict[str, Any] | None:
        try:
            response = self.http.get(f"{self.url}{path}")
        except TransportError as exc:
            raise unreachable(errors.DirectoryUnavailable, "the directory", self.url, exc) from None
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise errors.DirectoryUnavailable(f"the directory answered {response.status_code}")
        try:
            body: dict[str, Any] = json.loads(response.text)
        except ValueError:
            raise errors.DirectoryUnavailable("the directory answered something other than JSON") from None
        return body

    def organization(self, code: str) -> Organization | None:
        def load() -> Organization | None:
            body = self._get(f"/v1/directory/organizations/{code}")
            return None if body is None else Organization.model_validate(body)

        return self.cache.get(("org", code), load)

    def service(self, provider: str, code: str, version: str) -> Service | None:
        def load() -> Service | None:
            body = self._get(f"/v1/directory/services/{provider}/{code}/{version}")
            return None if body is None else Service.model_validate(body)

        return self.cache.get(("service", provider, code, version), load)

    def anchor(self, checkpoint: str) -> str:
        answer = self._post_token("/v1/directory/checkpoints", checkpoint)
        verified = crypto.verify(answer, self.public_key, message_log.ANCHOR_TYP)
        if verified.signer != self.operator:
            raise errors.BadSignature(f"the directory's anchor is signed by {verified.signer}")
        return answer

    def anchors(self, organization_code: str) -> list[str]:
        body = self._get(f"/v1/directory/checkpoints/{organization_code}")
        return [] if body is None else [str(token) for token in body.get("anchors", [])]

    def _post_token(self, path: str, token: str) -> str:
        try:
            response = self.http.post(
                f"{self.url}{path}", content=token, headers={"content-type": wire.MEDIA_TYPE}
            )
        except TransportError as exc:
            raise unreachable(errors.DirectoryUnavailable, "the directory", self.url, exc) from None
        if response.status_code != 200:
            raise problem_of(response, errors.DirectoryUnavailable)
        return response.text

    def _post(self, path: str, token: str, answer_typ: str) -> dict[str, Any]:
        verified = crypto.verify(self._post_token(path, token), self.public_key, answer_typ)
        if verified.signer != self.operator:
            raise errors.BadSignature(f"the directory's answer is signed by {verified.signer}")
        return verified.payload

    def _decide(self, batch_token: str) -> wire.Decisions:
        return desk.parse(
            wire.Decisions, self._post("/v1/directory/authorize-batch", batch_token, wire.DECISIONS_TYP)
        )

    def fanout(self, request: wire.FanoutRequest) -> wire.Targets:
        token = crypto.sign(self.signer.current, request.model_dump(mode="json"), wire.FANOUT_TYP)
        return desk.parse(wire.Targets, self._post("/v1/directory/fanout", token, wire.TARGETS_TYP))


def unreachable(
    fallback: type[errors.MeshDenied], who: str, endpoint: str, exc: Exception
) -> errors.MeshDenied:
    """A peer that did not answer: its address and the network's words go to this node's log
    only; the caller (another organization, a clerk's page) learns who did not answer, never an
    internal URL."""
    log.warning("mesh peer unreachable", peer=who, endpoint=endpoint, error=str(exc))
    return fallback(f"{who} did not answer (the cause is in this node's log)")


def problem_of(response: PeerResponse, fallback: type[errors.MeshDenied]) -> errors.MeshDenied:
    """A peer's problem+json as the matching denial (its code kept)."""
    try:
        body = json.loads(response.text)
    except ValueError:
        body = {}
    code = body.get("code") if isinstance(body, dict) else None
    detail = str(body.get("detail", "")) if isinstance(body, dict) else ""
    if not isinstance(code, str) or code not in errors.DENIALS:
        # an unknown answer's body (a proxy's error page, a stack) is not passed on to the caller
        log.warning(
            "mesh peer answered an unknown problem",
            status=response.status_code,
            detail=detail or response.text[:200],
        )
        return fallback(f"the peer answered {response.status_code}")
    return errors.denial_from_code(code, detail)
