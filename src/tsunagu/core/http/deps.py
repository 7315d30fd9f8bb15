"""Typed request dependencies: what a route needs, each named once as an ``Annotated`` alias.

A route writes ``database: AppDatabase`` or ``person: CurrentResident`` instead of reading
``request.app.state`` untyped or repeating ``Depends(...)``. The state readers are ``async``
for the reason given in ``core.http.auth``: a plain ``def`` dependency costs a thread-pool hop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from tsunagu.core.database import Database
from tsunagu.core.http.auth import db_session, require_principal, require_resident, require_staff
from tsunagu.core.sessions import Principal
from tsunagu.core.settings import Settings


async def app_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def app_secret_key(request: Request) -> str:
    secret: str = request.app.state.secret_key
    return secret


async def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


#: The app's database (open sessions with ``database.session()``).
AppDatabase = Annotated[Database, Depends(app_database)]
#: The installation secret the app was created with (seals, CSRF, derived keys).
SecretKey = Annotated[str, Depends(app_secret_key)]
#: The settings the app was created with.
AppSettings = Annotated[Settings, Depends(app_settings)]
#: The request's transaction, committed before the response is sent (see ``core.http.auth``).
Transaction = Annotated[Session, Depends(db_session, scope="function")]
#: Whoever is logged in (401 otherwise).
CurrentPrincipal = Annotated[Principal, Depends(require_principal)]
#: A logged-in resident (403 for anyone else).
CurrentResident = Annotated[Principal, Depends(require_resident)]
#: A logged-in staff member; what they may do is the use case's to decide (``core.authz``).
CurrentStaff = Annotated[Principal, Depends(require_staff())]
