"""The node's own small HTTP app: served alone (``tsunagu mesh node``) or mounted in the main app.

Routes (relative to the node's endpoint):
``POST /v1/query`` (provider: a signed query in, a signed response out),
``POST /v1/inbox`` (subscriber: signed push notifications),
``POST /v1/consumer/query`` (the organization's own systems; bearer local token),
``/v1/directory/...`` (only on the directory operator's node), ``/healthz`` and ``/metrics``.

A plain ASGI app, not FastAPI: node-to-node traffic needs no dependency injection, OpenAPI,
response re-validation or middleware, and their cost per request was larger than the
signature checks'. Errors still become problem+json through ``core.http.problems``.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.exceptions import RequestValidationError
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from tsunagu.core import heap
from tsunagu.core import logging as core_logging
from tsunagu.core.errors import NotAuthenticated, NotFound, TsunaguError
from tsunagu.core.http import problems
from tsunagu.mesh import errors
from tsunagu.mesh.directory import desk
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node import service as node
from tsunagu.mesh.node.context import NodeContext
from tsunagu.mesh.node.workers import WORKERS
from tsunagu.mesh.push import service as push

log = core_logging.get_logger("tsunagu.mesh.node")
MAX_MESSAGE_BYTES = 256 * 1024
JSON_MEDIA_TYPE = "application/json"
Endpoint = Callable[[NodeContext, Request, tuple[str, ...]], Awaitable[Response]]


async def _body(request: Request) -> bytes:
    """The request body, read straight from the ASGI messages (refused as soon as it passes the
    limit, not after it has all been read)."""
    chunks, size = [], 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise errors.MalformedMessage("the peer went away before sending the whole message")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_MESSAGE_BYTES:
            raise errors.MessageTooLarge(f"the message is over {MAX_MESSAGE_BYTES} bytes, the limit")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _token(request: Request) -> str:
    return (await _body(request)).decode("utf-8", "replace")


def _jose(token: str) -> Response:
    return Response(token, media_type=wire.MEDIA_TYPE)


def _json(model: BaseModel) -> Response:
    return Response(model.model_dump_json(), media_type=JSON_MEDIA_TYPE)


def _local_caller(ctx: NodeContext, request: Request) -> None:
    """The organization's own systems present the node's local bearer token."""
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not given or not hmac.compare_digest(given, ctx.local_token):
        raise NotAuthenticated("the node's local API needs its bearer token")


def _local_query(raw: bytes) -> wire.LocalQuery:
    try:
        return wire.LocalQuery.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from None


# --- peers and the organization's own systems ----------------------------------------------------


async def provider_query(ctx: NodeContext, request: Request, _: tuple[str, ...]) -> Response:
    """Answer a signed query (provider)."""
    return _jose(await node.answer_query(ctx, await _token(request)))


async def inbox(ctx: NodeContext, request: Request, _: tuple[str, ...]) -> Response:
    """Receive a signed push notification (subscriber)."""
    return _json(await WORKERS.run(push.receive, ctx, await _token(request)))


async def consumer_query(ctx: NodeContext, request: Request, _: tuple[str, ...]) -> Response:
    """Query another organization (this organization's systems)."""
    _local_caller(ctx, request)
    body = _local_query(await _body(request))
    return _json(await node.ask(ctx, body))


# --- the directory operator's node ---------------------------------------------------------------


async def directory_organization(ctx: NodeContext, _: Request, params: tuple[str, ...]) -> Response:
    """A member's endpoint and public keys."""
    found = ctx.directory.organization(params[0])
    if found is None:
        raise NotFound(f"no member {params[0]}")
    return _json(found)


async def directory_service(ctx: NodeContext, _: Request, params: tuple[str, ...]) -> Response:
    """A service and its schema."""
    found = ctx.directory.service(*params)
    if found is None:
        raise NotFound(f"no service {'/'.join(params)}")
    return _json(found)


async def directory_anchors(ctx: NodeContext, _: Request, params: tuple[str, ...]) -> Response:
    """The directory's countersigned copies of a member's log checkpoints (to verify its log)."""
    return JSONResponse({"anchors": ctx.directory.anchors(params[0])})


def _operator_call(handler: Callable[..., tuple[str, Any]]) -> Endpoint:
    """The directory's answers run on the event loop itself: they are short and CPU-bound (a
    signature check, a cached catalog, one small transaction, a signature), so a worker-thread
    hop would cost more than it could overlap."""

    async def endpoint(ctx: NodeContext, request: Request, _: tuple[str, ...]) -> Response:
        token = await _token(request)
        assert ctx.operator_key is not None
        return _jose(handler(ctx.database, ctx.operator_key, token, ctx.organization_code)[0])

    return endpoint


async def healthz(ctx: NodeContext, _: Request, __: tuple[str, ...]) -> Response:
    return JSONResponse({"status": "ok", "organization": ctx.organization_code})


async def metrics_text(_: NodeContext, __: Request, ___: tuple[str, ...]) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


# --- routing and errors --------------------------------------------------------------------------

PEER_ROUTES: dict[tuple[str, str], Endpoint] = {
    ("POST", "/v1/query"): provider_query,
    ("POST", "/v1/inbox"): inbox,
    ("POST", "/v1/consumer/query"): consumer_query,
    ("GET", "/healthz"): healthz,
    ("GET", "/metrics"): metrics_text,
}
DIRECTORY_ROUTES: dict[tuple[str, str], Endpoint] = {
    ("POST", "/v1/directory/authorize"): _operator_call(desk.authorize_signed),
    ("POST", "/v1/directory/authorize-batch"): _operator_call(desk.authorize_batch_signed),
    ("POST", "/v1/directory/fanout"): _operator_call(desk.fanout_signed),
    ("POST", "/v1/directory/checkpoints"): _operator_call(desk.anchor_signed),
}
# Path-parameter routes: (method, prefix) → (endpoint, number of segments after the prefix).
DIRECTORY_LOOKUPS: dict[tuple[str, str], tuple[Endpoint, int]] = {
    ("GET", "/v1/directory/organizations/"): (directory_organization, 1),
    ("GET", "/v1/directory/services/"): (directory_service, 3),
    ("GET", "/v1/directory/checkpoints/"): (directory_anchors, 1),
}


def _error_response(request: Request, exc: Exception) -> Response:
    if isinstance(exc, TsunaguError):
        if exc.status >= 500:
            log.warning("mesh_refusal", code=exc.code, detail=exc.detail)
        return problems.from_domain_error(request, exc)
    if isinstance(exc, RequestValidationError):
        return problems.from_validation_error(request, exc)
    log.exception("mesh_node_error", error=type(exc).__name__)
    return problems.problem(
        500, "internal-error", "Internal error", "an unexpected error occurred", request.url.path
    )


class NodeApp:
    """One organization's node as an ASGI app (the directory's routes only on the operator's)."""

    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.routes = {**PEER_ROUTES, **(DIRECTORY_ROUTES if ctx.is_directory else {})}
        self.lookups = DIRECTORY_LOOKUPS if ctx.is_directory else {}
        self.paths = {path for _, path in self.routes} | {prefix for _, prefix in self.lookups}

    def _route(self, method: str, path: str) -> tuple[Endpoint, tuple[str, ...]] | int:
        """The endpoint and its path parameters, or the HTTP status of a miss (404 or 405)."""
        endpoint = self.routes.get((method, path))
        if endpoint is not None:
            return endpoint, ()
        for (lookup_method, prefix), (lookup, segments) in self.lookups.items():
            params = tuple(path[len(prefix) :].split("/")) if path.startswith(prefix) else ()
            if len(params) == segments and all(params):
                return (lookup, params) if method == lookup_method else 405
        return 405 if path in self.paths else 404

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        root, path = scope.get("root_path", ""), scope["path"]
        found = self._route(scope["method"], path[len(root) :] if root and path.startswith(root) else path)
        try:
            if isinstance(found, int):
                response = _miss(request, found)
            else:
                response = await found[0](self.ctx, request, found[1])
        except Exception as exc:  # every failure is answered as problem+json
            response = _error_response(request, exc)
        await response(scope, receive, send)


def _miss(request: Request, status: int) -> Response:
    if status == 405:
        return problems.problem(
            405,
            "method-not-allowed",
            "Method not allowed",
            f"{request.method} is not allowed on {request.url.path}",
            request.url.path,
        )
    return problems.problem(
        404, "not-found", "Not found", "no such resource: " + request.url.path, request.url.path
    )


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            heap.settle()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def create_node_app(ctx: NodeContext) -> NodeApp:
    return NodeApp(ctx)
