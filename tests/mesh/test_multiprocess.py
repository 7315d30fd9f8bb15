"""The directory and nodes as separate processes talking HTTP on 127.0.0.1 (one cluster per module)."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tsunagu import migrations
from tsunagu.core import clock
from tsunagu.mesh import crypto, errors
from tsunagu.mesh.cluster import LocalCluster
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.log.models import MeshLogEntry
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node import service as node
from tsunagu.mesh.node.app import MAX_MESSAGE_BYTES
from tsunagu.mesh.node.directory_client import RemoteDirectory
from tsunagu.mesh.push import service as push
from tsunagu.mesh.transport import PeerClient, PeerResponse

pytestmark = [pytest.mark.multiprocess, pytest.mark.xdist_group("mesh-cluster")]  # one cluster, one worker

CITY, PENSION, POWER, OPERATOR = "131016", "jpn-pension", "tsunagu-power", "digital-agency"
PURPOSE = f"kaigo-hoken-{CITY}"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    mesh = LocalCluster(Path(tmp_path_factory.mktemp("mesh")), [CITY, PENSION, POWER], migrations.upgrade)
    mesh.prepare()
    mesh.start_all()
    try:
        yield mesh
    finally:
        mesh.stop_all()


@pytest.fixture(scope="module")
def person(cluster: LocalCluster) -> dict[str, str]:
    """A resident of 131016 known to the pension organization as P-0001."""
    codes = cluster.add_person("resident-0001", {CITY: "resident-0001", PENSION: "P-0001", POWER: "C-77"})
    cluster.put_record(
        PENSION,
        "P-0001",
        "pension-status",
        {"pension_type": "老齢基礎年金", "annual_amount": 780000, "insured_since": "1985-04-01"},
    )
    return codes


def _consumer_query(cluster: LocalCluster, org: str, **fields: Any) -> httpx.Response:
    ctx = cluster.context(org)
    return httpx.post(
        f"{cluster.url(org)}/v1/consumer/query",
        json=fields,
        headers={"authorization": f"Bearer {ctx.local_token}"},
        timeout=10,
    )


def _query(cluster: LocalCluster, subject: str, **overrides: Any) -> httpx.Response:
    fields = {
        "provider": PENSION,
        "service": "pension-status",
        "version": "v1",
        "purpose": PURPOSE,
        "subject": subject,
        "items": ["pension_type", "annual_amount"],
        **overrides,
    }
    return _consumer_query(cluster, CITY, **fields)


def _signed_query(
    cluster: LocalCluster, subject: str, key: crypto.SigningKey | None = None, **overrides: Any
) -> str:
    envelope = {
        "v": 1,
        "id": uuid.uuid4().hex,
        "iat": int(time.time()),
        "consumer": CITY,
        "provider": PENSION,
        "service": "pension-status",
        "version": "v1",
        "purpose": PURPOSE,
        "subject": subject,
        "items": ["pension_type"],
    } | overrides
    return crypto.sign(key or cluster.context(CITY).key, envelope, wire.QUERY_TYP)


def _post_to_provider(cluster: LocalCluster, body: str) -> httpx.Response:
    return httpx.post(
        f"{cluster.url(PENSION)}/v1/query",
        content=body,
        headers={"content-type": wire.MEDIA_TYPE},
        timeout=10,
    )


def _entries(cluster: LocalCluster, org: str, request_id: str) -> list[MeshLogEntry]:
    with cluster.database(org).session() as db:
        return [e for e in message_log.recent(db, org, 200, 0)[0] if e.request_id == request_id]


def test_a_signed_authorized_query_is_answered_and_logged_on_every_side(
    cluster: LocalCluster, person: dict[str, str]
) -> None:
    response = _query(cluster, person[CITY])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] == {"pension_type": "老齢基礎年金", "annual_amount": 780000}
    request_id = body["request_id"]
    consumer = _entries(cluster, CITY, request_id)
    provider = _entries(cluster, PENSION, request_id)
    directory = _entries(cluster, OPERATOR, request_id)
    assert {(e.kind, e.result) for e in consumer} == {("request", "sent"), ("response", "ok")}
    assert {(e.kind, e.result) for e in provider} == {("request", "received"), ("response", "ok")}
    assert [(e.kind, e.result) for e in directory] == [("authorization", "ok")]
    # each side knows the person only by its own code; only the directory holds the link
    assert {e.subject_code for e in consumer} == {person[CITY]}
    assert directory[0].person_link is not None and consumer[0].person_link is None
    assert person[PENSION] not in {e.subject_code for e in consumer + provider}
    # both sides hashed the very same signed request and signed response
    assert {e.kind: e.message_sha256 for e in consumer} == {e.kind: e.message_sha256 for e in provider}
    for org in (CITY, PENSION, OPERATOR):
        assert message_log.verify(cluster.database(org), org).ok


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"version": "v9"}, 404, "mesh-unknown-service"),
        ({"purpose": "no-such-jimu"}, 403, "mesh-no-legal-basis"),
        ({"purpose": f"jidou-teate-{CITY}"}, 403, "mesh-no-legal-basis"),
        ({"items": ["pension_type", "insured_since"]}, 403, "mesh-items-beyond-basis"),
        ({"subject": "0" * 32}, 404, "mesh-unknown-subject"),
    ],
)
def test_each_refusal_has_its_code_and_is_logged_as_a_denial(
    cluster: LocalCluster, person: dict[str, str], overrides: dict[str, Any], status: int, code: str
) -> None:
    response = _query(cluster, **({"subject": person[CITY]} | overrides))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code
    with cluster.database(CITY).session() as db:
        latest = message_log.recent(db, CITY, 1, 0)[0][0]
    assert (latest.kind, latest.result) == ("denial", code)


@pytest.mark.parametrize("case", ["unsigned", "wrong-key", "stale", "other-signer", "unknown-version"])
def test_the_provider_refuses_bad_messages(cluster: LocalCluster, person: dict[str, str], case: str) -> None:
    impostor = crypto.derive_signing_key("another-secret", CITY)
    bodies = {
        "unsigned": ("this is not a JWS", "mesh-unsigned"),
        "wrong-key": (_signed_query(cluster, person[CITY], key=impostor), "mesh-bad-signature"),
        "stale": (_signed_query(cluster, person[CITY], iat=int(time.time()) - 3600), "mesh-stale"),
        "other-signer": (
            _signed_query(cluster, person[CITY], key=cluster.context(POWER).key),
            "mesh-bad-signature",
        ),
        "unknown-version": (_signed_query(cluster, person[CITY], version="v2"), "mesh-unknown-service"),
    }
    body, code = bodies[case]
    response = _post_to_provider(cluster, body)
    assert response.json()["code"] == code, response.text
    with cluster.database(PENSION).session() as db:
        latest = message_log.recent(db, PENSION, 1, 0)[0][0]
    assert (latest.kind, latest.result) == ("denial", code)


def test_an_oversized_message_is_refused_with_the_limit(cluster: LocalCluster) -> None:
    response = _post_to_provider(cluster, "x" * (MAX_MESSAGE_BYTES + 1))
    assert response.status_code == 413 and response.json()["code"] == "mesh-message-too-large"
    assert str(MAX_MESSAGE_BYTES) in response.json()["detail"]


def test_a_replayed_request_is_refused(cluster: LocalCluster, person: dict[str, str]) -> None:
    token = _signed_query(cluster, person[CITY])
    assert _post_to_provider(cluster, token).status_code == 200
    again = _post_to_provider(cluster, token)
    assert again.status_code == 409 and again.json()["code"] == "mesh-replay"


def test_a_response_that_breaks_the_schema_is_refused_at_the_consumer(cluster: LocalCluster) -> None:
    codes = cluster.add_person("resident-0002", {CITY: "resident-0002", PENSION: "P-0002"})
    cluster.put_record(
        PENSION, "P-0002", "pension-status", {"pension_type": "老齢基礎年金", "annual_amount": "たくさん"}
    )
    response = _query(cluster, codes[CITY])
    assert response.status_code == 502
    assert response.json()["code"] == "mesh-response-schema"
    assert "annual_amount" in response.json()["detail"]


def test_a_provider_outage_is_a_clear_logged_error(cluster: LocalCluster, person: dict[str, str]) -> None:
    cluster.stop(PENSION)
    try:
        response = _query(cluster, person[CITY])
        assert response.status_code == 503
        assert response.json()["code"] == "mesh-provider-unavailable"
        with cluster.database(CITY).session() as db:
            latest = message_log.recent(db, CITY, 1, 0)[0][0]
        assert (latest.kind, latest.result) == ("denial", "mesh-provider-unavailable")
    finally:
        cluster.start(PENSION)
        cluster.wait_ready(PENSION)
    assert _query(cluster, person[CITY]).status_code == 200


def test_push_survives_a_subscriber_outage_and_is_applied_once(
    cluster: LocalCluster, person: dict[str, str]
) -> None:
    city = cluster.context(CITY)
    with cluster.database(OPERATOR).session() as db:  # the utility's basis needs the person's consent
        directory.grant_consent(
            db,
            subscriber=POWER,
            resident_id="resident-0001",
            scope="moving",
            expires_at=clock.now() + timedelta(days=90),
            source="test",
        )
    cluster.stop(PENSION)
    try:
        queued = push.publish(
            city,
            "address_changed",
            "resident-0001",
            {"address": {"text": "東京都千代田区永田町一丁目1番1号"}},
        )
        assert queued == 2  # the pension organization (legal basis) and the utility (consent)
        start = clock.now()
        first = push.deliver_due(city, now=start)
        assert (first.delivered, first.failed) == (1, 1)
    finally:
        cluster.start(PENSION)
        cluster.wait_ready(PENSION)
    assert push.deliver_due(city, now=start).waiting == 1  # backing off: not yet due
    later = push.deliver_due(city, now=start + timedelta(minutes=5))
    assert later.delivered == 1
    assert push.deliver_due(city, now=start + timedelta(hours=1)).delivered == 0
    for org, code_of_person in ((PENSION, person[PENSION]), (POWER, person[POWER])):
        with cluster.database(org).session() as db:
            got = [r for r in push.received(db, org) if r.kind == "address_changed"]
        assert len(got) == 1
        assert got[0].subject_code == code_of_person  # the subscriber's own code for the person
    with cluster.database(OPERATOR).session() as db:
        routed = [e for e in message_log.recent(db, OPERATOR, 50, 0)[0] if e.kind == "notification"]
    assert {e.consumer for e in routed} >= {PENSION, POWER}


def test_a_redelivered_notification_is_not_applied_twice(
    cluster: LocalCluster, person: dict[str, str]
) -> None:
    city = cluster.context(CITY)
    message = wire.PushMessage(
        idempotency_key=f"{CITY}:evt-dup:{PENSION}",
        event_id="evt-dup",
        iat=int(time.time()),
        provider=CITY,
        subscriber=PENSION,
        kind="died",
        subject=person[PENSION],
        legal_basis=f"nenkin-jukyu-{CITY}",
        data={},
    )
    token = crypto.sign(city.key, message.model_dump(mode="json"), wire.PUSH_TYP)
    statuses = [
        httpx.post(f"{cluster.url(PENSION)}/v1/inbox", content=token, timeout=10).json()["status"]
        for _ in range(2)
    ]
    assert statuses == ["applied", "duplicate"]


def test_the_local_api_needs_the_node_token(cluster: LocalCluster) -> None:
    response = httpx.post(f"{cluster.url(CITY)}/v1/consumer/query", json={}, timeout=10)
    assert response.status_code == 401


# --- the provider's authorizations, coalesced into batches ---------------------------------------


def _authorization(subject: str, **overrides: Any) -> wire.AuthorizationRequest:
    request_id = uuid.uuid4().hex
    return wire.AuthorizationRequest.model_validate(
        {
            "request_id": request_id,
            "request_sha256": crypto.sha256_hex(request_id),
            "iat": int(time.time()),
            "consumer": CITY,
            "provider": PENSION,
            "service": "pension-status",
            "version": "v1",
            "purpose": PURPOSE,
            "subject": subject,
            "items": ["pension_type"],
        }
        | overrides
    )


def _batch(cluster: LocalCluster, requests: list[wire.AuthorizationRequest]) -> str:
    batch = wire.AuthorizationBatch(iat=int(time.time()), provider=PENSION, requests=tuple(requests))
    return crypto.sign(cluster.context(PENSION).key, batch.model_dump(mode="json"), wire.AUTHZ_BATCH_TYP)


def _post_batch(cluster: LocalCluster, token: str) -> httpx.Response:
    return httpx.post(
        f"{cluster.url(OPERATOR)}/v1/directory/authorize-batch",
        content=token,
        headers={"content-type": wire.MEDIA_TYPE},
        timeout=10,
    )


def _outcomes(cluster: LocalCluster, answer: str) -> tuple[wire.Decision | wire.Refusal, ...]:
    verified = crypto.verify(answer, cluster.context(PENSION).directory.public_key, wire.DECISIONS_TYP)
    assert verified.signer == OPERATOR
    return wire.Decisions.model_validate(verified.payload).outcomes


def test_a_batch_is_decided_request_by_request_and_each_one_logged(
    cluster: LocalCluster, person: dict[str, str]
) -> None:
    requests = [
        _authorization(person[CITY]),
        _authorization("0" * 32),
        _authorization(person[CITY], items=["insured_since"]),
        _authorization(person[CITY]),
    ]
    response = _post_batch(cluster, _batch(cluster, requests))
    assert response.status_code == 200, response.text
    outcomes = _outcomes(cluster, response.text)
    assert [(o.request_id, o.request_sha256) for o in outcomes] == [
        (r.request_id, r.request_sha256) for r in requests
    ]
    assert [o.code if isinstance(o, wire.Refusal) else o.subject for o in outcomes] == [
        person[PENSION],
        "mesh-unknown-subject",
        "mesh-items-beyond-basis",
        person[PENSION],
    ]
    logged = [[(e.kind, e.result) for e in _entries(cluster, OPERATOR, r.request_id)] for r in requests]
    assert logged == [
        [("authorization", "ok")],
        [("denial", "mesh-unknown-subject")],
        [("denial", "mesh-items-beyond-basis")],
        [("authorization", "ok")],
    ]
    assert message_log.verify(cluster.database(OPERATOR), OPERATOR).ok


def test_a_single_authorization_request_is_still_answered_on_its_own(
    cluster: LocalCluster, person: dict[str, str]
) -> None:
    granted, refused = _authorization(person[CITY]), _authorization("0" * 32)
    answers = [
        httpx.post(
            f"{cluster.url(OPERATOR)}/v1/directory/authorize",
            timeout=10,
            content=crypto.sign(cluster.context(PENSION).key, r.model_dump(mode="json"), wire.AUTHZ_TYP),
        )
        for r in (granted, refused)
    ]
    decision = crypto.verify(
        answers[0].text, cluster.context(PENSION).directory.public_key, wire.DECISION_TYP
    ).payload
    assert (decision["request_id"], decision["request_sha256"], decision["subject"]) == (
        granted.request_id,
        granted.request_sha256,
        person[PENSION],
    )
    assert (answers[1].status_code, answers[1].json()["code"]) == (404, "mesh-unknown-subject")
    assert [(e.kind, e.result) for e in _entries(cluster, OPERATOR, refused.request_id)] == [
        ("denial", "mesh-unknown-subject")
    ]


@pytest.mark.parametrize("case", ["altered", "another-providers-request"])
def test_the_directory_refuses_a_tampered_batch(
    cluster: LocalCluster, person: dict[str, str], case: str
) -> None:
    requests = [_authorization(person[CITY]), _authorization(person[CITY])]
    if case == "another-providers-request":
        requests[1] = _authorization(person[CITY], provider=POWER)
    token = _batch(cluster, requests)
    if case == "altered":  # another 事務 put in after signing
        header, payload, signature = token.split(".")
        altered = crypto.b64url_decode(payload).replace(PURPOSE.encode(), f"jidou-teate-{CITY}".encode())
        token = ".".join((header, crypto.b64url(altered), signature))
    response = _post_batch(cluster, token)
    assert response.status_code == 401 and response.json()["code"] == "mesh-bad-signature"
    assert not [e for r in requests for e in _entries(cluster, OPERATOR, r.request_id)]


class _Intercepting(PeerClient):
    """The provider's connection to the directory, with a hand on each answer (and a delay, so
    that authorizations asked meanwhile pile up)."""

    def __init__(self, change: Callable[[PeerResponse], PeerResponse], delay: float = 0.0) -> None:
        super().__init__(10)
        self.change, self.delay, self.batches = change, delay, 0

    def post(self, url: str, content: str, headers: dict[str, str]) -> PeerResponse:
        self.batches += 1
        time.sleep(self.delay)
        return self.change(super().post(url, content, headers))


def _provider_directory(cluster: LocalCluster, http: PeerClient) -> RemoteDirectory:
    return RemoteDirectory(cluster.url(OPERATOR), http, cluster.context(PENSION).signer, OPERATOR)


def test_queries_arriving_meanwhile_go_together_and_each_gets_its_own_outcome(
    cluster: LocalCluster, person: dict[str, str]
) -> None:
    """The provider's queries that arrive while a batch is handled share the next authorization
    call and log transaction; a refused one among them is refused alone and logged as such."""
    http = _Intercepting(lambda answer: answer, delay=0.3)
    provider = dataclasses.replace(cluster.context(PENSION), directory=_provider_directory(cluster, http))
    ids = [uuid.uuid4().hex for _ in range(8)]
    tokens = [_signed_query(cluster, person[CITY] if n != 3 else "0" * 32, id=i) for n, i in enumerate(ids)]
    start = threading.Barrier(len(tokens))

    def ask(token: str) -> str:
        start.wait(10)
        try:
            answer = node.handle_query(provider, token)
        except errors.UnknownSubject as exc:
            return exc.code
        verified = crypto.verify(answer, provider.directory.public_key, wire.RESPONSE_TYP)
        return str(verified.payload["request_id"])

    with ThreadPoolExecutor(len(tokens)) as pool:
        answers = list(pool.map(ask, tokens))
    assert answers == [i if n != 3 else "mesh-unknown-subject" for n, i in enumerate(ids)]
    assert http.batches <= 2  # the first query alone (or with a few), then all the others together
    logged = {(e.kind, e.result) for e in _entries(cluster, PENSION, ids[3])}
    assert logged == {("request", "received"), ("denial", "mesh-unknown-subject")}
    assert message_log.verify(cluster.database(PENSION), PENSION).ok


def _resigned(
    cluster: LocalCluster, answer: PeerResponse, change: Callable[[dict[str, Any]], dict[str, Any]]
) -> PeerResponse:
    """The answer altered and signed again with the operator's key (signatures cannot bind an
    outcome to its request: the provider has to)."""
    payload = json.loads(crypto.b64url_decode(answer.text.split(".")[1]))
    token = crypto.sign(cluster.context(OPERATOR).key, change(payload), wire.DECISIONS_TYP)
    return PeerResponse(answer.status_code, token, answer.content_type)


@pytest.mark.parametrize("case", ["replayed", "one-outcome-too-many", "another-requests-outcome"])
def test_the_provider_refuses_an_answer_that_does_not_match_its_requests(
    cluster: LocalCluster, person: dict[str, str], case: str
) -> None:
    earlier = _post_batch(cluster, _batch(cluster, [_authorization(person[CITY])]))
    earlier_outcome = json.loads(crypto.b64url_decode(earlier.text.split(".")[1]))["outcomes"][0]
    forgeries: dict[str, Callable[[PeerResponse], PeerResponse]] = {
        "replayed": lambda _: PeerResponse(200, earlier.text, wire.MEDIA_TYPE),
        "one-outcome-too-many": lambda answer: _resigned(
            cluster, answer, lambda p: p | {"outcomes": [*p["outcomes"], earlier_outcome]}
        ),
        "another-requests-outcome": lambda answer: _resigned(
            cluster, answer, lambda p: p | {"outcomes": [earlier_outcome]}
        ),
    }
    remote = _provider_directory(cluster, _Intercepting(forgeries[case]))
    with pytest.raises(errors.BadSignature, match="does not match the requests"):
        remote.authorize([_authorization(person[CITY])])
