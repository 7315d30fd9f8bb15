"""Typed request dependencies: what a route needs, each named once as an ``Annotated`` alias.

A route writes ``database: AppDatabase`` or ``person: CurrentResident`` instead of reading
``request.app.state`` untyped or repeating ``Depends(...)``. The state readers are ``async``
for the reason given in ``core.http.auth``: a plain ``def`` dependency costs a thread-pool hop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from tsunagu.core.database import Database
from tsunagu.core.http.auth import db_session, require_principal, require_resident, require_staff
from tsunagu.core.sessions import Principal
from tsunagu.core.settings import Settings


def database_of(request: Request) -> Database:
    """The app's database, for helpers that are handed the request rather than declared as routes."""
    database: Database = request.app.state.database
    return database


def secret_of(request: Request) -> str:
    """The installation secret the app was created with (see :func:`database_of`)."""
    secret: str = request.app.state.secret_key
    return secret


def settings_of(request: Request) -> Settings:
    """The settings the app was created with (see :func:`database_of`)."""
    settings: Settings = request.app.state.settings
    return settings


async def app_database(request: Request) -> Database:
    return database_of(request)


async def app_secret_key(request: Request) -> str:
    return secret_of(request)


async def app_settings(request: Request) -> Settings:
    return settings_of(request)


def procedure_names_of(request: Request) -> Callable[[str], dict[str, str]]:
    """The live procedures' names by id, in a locale: handed in by the web layer
    (``web.names.procedure_names``), since parts below ``procedures`` may not read them."""
    names: Callable[[str], dict[str, str]] | None = getattr(request.app.state, "procedure_names", None)
    return names or _no_names


async def app_procedure_names(request: Request) -> Callable[[str], dict[str, str]]:
    return procedure_names_of(request)


def _no_names(_locale: str) -> dict[str, str]:
    return {}


#: The app's database (open sessions with ``database.session()``).
AppDatabase = Annotated[Database, Depends(app_database)]
#: The installation secret the app was created with (seals, CSRF, derived keys).
SecretKey = Annotated[str, Depends(app_secret_key)]
#: The settings the app was created with.
AppSettings = Annotated[Settings, Depends(app_settings)]
#: The live procedures' names by id, in a locale (empty when the app has none).
ProcedureNames = Annotated[Callable[[str], dict[str, str]], Depends(app_procedure_names)]
#: The request's transaction, committed before the response is sent (see ``core.http.auth``).
Transaction = Annotated[Session, Depends(db_session, scope="function")]
#: Whoever is logged in (401 otherwise).
CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
#: A logged-in resident (403 for anyone else).
CurrentResident = Annotated[Principal, Depends(require_resident)]
#: A logged-in staff member; what they may do is the use case's to decide (``core.authz``).
CurrentStaff = Annotated[Principal, Depends(require_staff())]
