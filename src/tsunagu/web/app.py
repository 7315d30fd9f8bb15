"""The application factory: one FastAPI app serving people's pages, the API and operations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from tsunagu import __version__
from tsunagu.catalog import routes as catalog_routes
from tsunagu.catalog import service as catalog_service
from tsunagu.conformance import routes as conformance_routes
from tsunagu.core import heap
from tsunagu.core import logging as core_logging
from tsunagu.core.database import Database
from tsunagu.core.errors import TsunaguError
from tsunagu.core.http.routing import include_gated
from tsunagu.core.settings import Settings, get_settings
from tsunagu.identity import routes as identity_routes
from tsunagu.mesh import routes as mesh_routes
from tsunagu.notify import routes as notify_routes
from tsunagu.oversight import deps as oversight_deps
from tsunagu.oversight import links as oversight_links
from tsunagu.oversight import routes as oversight_routes
from tsunagu.procedures import feed as procedures_feed
from tsunagu.procedures import keystrokes
from tsunagu.procedures import routes as procedures_routes
from tsunagu.procedures import service as procedures_service
from tsunagu.registry import routes as registry_routes
from tsunagu.web import catalog_sources, errors, mypage, names, openapi, operations, oversight_sources, pages
from tsunagu.web.middleware import RequestContext

STATIC_DIR = Path(__file__).resolve().parent / "static"
log = core_logging.get_logger("tsunagu.web")

API_DESCRIPTION = """Tsunagu public API, version 1.

Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.
Lists are paginated with `limit` and `offset`. See docs/api.md."""


def _business_procedures(settings: Settings) -> Callable[[], list[tuple[str, str, str]]]:
    """The live catalogue's procedures a business applies for, as (id, name ja, name en)."""
    registry = procedures_service.registry_for(settings.procedures_dir)

    def choices() -> list[tuple[str, str, str]]:
        found = [p for p in registry.snapshot().procedures.values() if "business" in p.applicants]
        return [(p.id, p.name.ja, p.name.en) for p in sorted(found, key=lambda p: (p.name_kana, p.id))]

    return choices


def _catalog_procedures(settings: Settings) -> catalog_service.ProcedureSource:
    """The live catalogue's procedures as the data catalog publishes them (procedures.csv)."""
    registry = procedures_service.registry_for(settings.procedures_dir)

    def rows() -> list[catalog_service.ProcedureRow]:
        return [
            catalog_service.ProcedureRow(
                id=p.id,
                name=catalog_service.Text(ja=p.name.ja, en=p.name.en),
                summary=catalog_service.Text(ja=p.summary.ja, en=p.summary.en),
                legal_basis=tuple(b.ja for b in p.legal_basis),
                office=p.responsible.office.ja if p.responsible.office else "",
                applicants=tuple(p.applicants),
            )
            for p in registry.snapshot().procedures.values()
        ]

    return rows


def _served_procedures(settings: Settings) -> oversight_deps.ServedSource:
    """The live catalogue's procedures with their legal basis and ``inventory_id``: oversight links
    them to their national inventory entries (oversight.links)."""
    registry = procedures_service.registry_for(settings.procedures_dir)

    def served() -> list[oversight_links.Served]:
        return [
            oversight_links.Served(p.id, tuple(b.ja for b in p.legal_basis), p.inventory_id)
            for p in registry.snapshot().procedures.values()
        ]

    return served


def _keystroke_estimates(settings: Settings) -> Callable[[], dict[str, float]]:
    """The live catalogue's procedures → their keystroke-level estimate of the time to complete."""
    registry = procedures_service.registry_for(settings.procedures_dir)

    def estimates() -> dict[str, float]:
        return {p.id: keystrokes.seconds_of(p) for p in registry.snapshot().procedures.values()}

    return estimates


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    core_logging.configure(settings.log_level, settings.log_json)
    database = database or Database(settings.resolved_database_url)
    database.bind_secret(settings.resolved_secret_key())  # this app's secret, for its rules (vault, TOTP)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        heap.settle()
        yield
        database.dispose()

    app = FastAPI(
        title="Tsunagu API",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served by web.operations with Swagger UI from the package
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.secret_key = settings.resolved_secret_key()
    app.state.names = names.AppNames(database)
    app.state.business_procedures = _business_procedures(settings)  # grants of business members
    app.state.procedure_names = names.procedure_names(settings.procedures_dir)
    app.state.catalog_procedures = _catalog_procedures(settings)  # the data catalog's procedures.csv
    app.state.catalog_usages = catalog_sources.usage_sources(settings.procedures_dir)  # data dictionary
    app.state.catalog_code_lists = catalog_sources.platform_code_lists
    app.state.catalog_mesh_directory = catalog_sources.mesh_directory_reader  # the API catalog
    app.state.oversight_served = _served_procedures(settings)  # procedures linked to the inventory
    app.state.procedure_inventory = oversight_sources.inventory_links(database, app.state.oversight_served)
    app.state.oversight_feed = procedures_feed.events_since  # applications, for the service KPIs
    app.state.oversight_migration = oversight_sources.migration_overview  # 移行 PMO on the dashboard
    app.state.oversight_keystrokes = _keystroke_estimates(settings)  # time to complete, per procedure
    app.state.funnel_recorder = oversight_sources.funnel_recorder(database)  # steps of applying

    app.add_exception_handler(TsunaguError, errors.domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, errors.validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, errors.http_error)  # type: ignore[arg-type]
    for unreachable in (OperationalError, SQLAlchemyTimeoutError, DisconnectionError):
        app.add_exception_handler(unreachable, errors.database_unavailable)
    app.add_exception_handler(Exception, errors.unexpected_error)

    app.add_middleware(RequestContext)
    if settings.trusted_proxy_list:  # only these peers may say who the client is (X-Forwarded-For)
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Each part installs its own routes (its routes.py decides their order within the part);
    # the parts' paths do not overlap, so the order between parts decides nothing.
    include_gated(app, (operations.router, pages.router, mypage.router))
    identity_routes.install(app)
    registry_routes.install(app)
    procedures_routes.install(app)
    notify_routes.install(app)
    catalog_routes.install(app)
    conformance_routes.install(app)
    oversight_routes.install(app)
    mesh_routes.install(app, database, app.state.secret_key, settings.mesh)
    openapi.install(app)
    return app
