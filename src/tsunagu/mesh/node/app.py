"""The node's own small HTTP app: served alone (``tsunagu mesh node``) or mounted in the main app.

Routes (relative to the node's endpoint):
``POST /v1/query`` (provider: a signed query in, a signed response out),
``POST /v1/inbox`` (subscriber: signed push notifications),
``POST /v1/consumer/query`` (the organization's own systems; bearer local token),
``/v1/directory/...`` (only on the directory operator's node), ``/healthz`` and ``/metrics``.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from tsunagu.core import logging as core_logging
from tsunagu.core.errors import NotAuthenticated, NotFound, TsunaguError
from tsunagu.core.http import problems
from tsunagu.mesh import errors
from tsunagu.mesh.directory import desk
from tsunagu.mesh.directory.schemas import Organization, Service
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node import service as node
from tsunagu.mesh.node.context import NodeContext
from tsunagu.mesh.push import service as push

log = core_logging.get_logger("tsunagu.mesh.node")
MAX_MESSAGE_BYTES = 256 * 1024


def _ctx(request: Request) -> NodeContext:
    ctx: NodeContext = request.app.state.node
    return ctx


async def _body(request: Request) -> str:
    raw = await request.body()
    if len(raw) > MAX_MESSAGE_BYTES:
        raise errors.MessageTooLarge(f"the message is {len(raw)} bytes; the limit is {MAX_MESSAGE_BYTES}")
    return raw.decode("utf-8", "replace")


def _jose(token: str) -> Response:
    return Response(token, media_type=wire.MEDIA_TYPE)


def _local_caller(request: Request) -> None:
    """The organization's own systems present the node's local bearer token."""
    ctx = _ctx(request)
    given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not given or not hmac.compare_digest(given, ctx.local_token):
        raise NotAuthenticated("the node's local API needs its bearer token")


peer = APIRouter(tags=["mesh node"])


@peer.post("/v1/query", summary="Answer a signed query (provider)")
async def provider_query(request: Request) -> Response:
    token = await _body(request)
    return _jose(await run_in_threadpool(node.handle_query, _ctx(request), token))


@peer.post("/v1/inbox", summary="Receive a signed push notification (subscriber)")
async def inbox(request: Request) -> wire.InboxReceipt:
    token = await _body(request)
    return await run_in_threadpool(push.receive, _ctx(request), token)


@peer.post("/v1/consumer/query", summary="Query another organization (this organization's systems)",
           dependencies=[Depends(_local_caller)])
def consumer_query(request: Request, body: wire.LocalQuery) -> wire.QueryResult:
    return node.query(_ctx(request), body)


directory_router = APIRouter(prefix="/v1/directory", tags=["mesh directory"])


@directory_router.get("/organizations/{code}", summary="A member's endpoint and public keys")
def directory_organization(request: Request, code: str) -> Organization:
    found = _ctx(request).directory.organization(code)
    if found is None:
        raise NotFound(f"no member {code}")
    return found


@directory_router.get("/services/{provider}/{code}/{version}", summary="A service and its schema")
def directory_service(request: Request, provider: str, code: str, version: str) -> Service:
    found = _ctx(request).directory.service(provider, code, version)
    if found is None:
        raise NotFound(f"no service {provider}/{code}/{version}")
    return found


def _operator_call(handler: Callable[..., tuple[str, Any]]) -> Callable[[Request], Any]:
    """The directory's answers run on the event loop itself: they are short and CPU-bound (a
    signature check, a cached catalog, one small transaction, a signature), so a worker-thread
    hop would cost more than it could overlap."""

    async def endpoint(request: Request) -> Response:
        ctx = _ctx(request)
        token = await _body(request)
        assert ctx.operator_key is not None
        answer, _ = handler(ctx.database, ctx.operator_key, token, ctx.organization_code)
        return _jose(answer)

    return endpoint


directory_router.add_api_route("/authorize", _operator_call(desk.authorize_signed), methods=["POST"],
                               summary="Authorize a query and translate the person's code")
directory_router.add_api_route("/fanout", _operator_call(desk.fanout_signed), methods=["POST"],
                               summary="Name the subscribers of an event with their codes")


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TsunaguError)
    if exc.status >= 500:
        log.warning("mesh_refusal", code=exc.code, detail=exc.detail)
    return problems.from_domain_error(request, exc)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return problems.from_validation_error(request, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return problems.from_http_error(request, exc)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("mesh_node_error", error=type(exc).__name__)
    return problems.problem(500, "internal-error", "Internal error", "an unexpected error occurred",
                            request.url.path)


def create_node_app(ctx: NodeContext) -> FastAPI:
    app = FastAPI(title=f"Tsunagu mesh node {ctx.organization_code}", openapi_url=None, docs_url=None,
                  redoc_url=None)
    app.state.node = ctx
    app.add_exception_handler(TsunaguError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.include_router(peer)
    if ctx.is_directory:
        app.include_router(directory_router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "organization": ctx.organization_code})

    @app.get("/metrics", include_in_schema=False)
    def metrics_text() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return app
