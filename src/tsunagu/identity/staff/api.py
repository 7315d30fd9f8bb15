"""JSON API of staff login and of the accounts of one's own organization (管理 role)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from tsunagu.core.http import problems
from tsunagu.core.http.auth import SESSION_COOKIE, require_staff
from tsunagu.core.sessions import Principal
from tsunagu.identity.history.http import AUTH_COMMITTED, COMMITTED, client_of, set_session_cookie
from tsunagu.identity.staff import service
from tsunagu.identity.staff.schemas import StaffCreate, StaffCreated, StaffLogin, StaffOut

router = APIRouter(prefix="/api/v1/identity/staff", tags=["identity: staff"])


def _out(record: service.StaffRecord) -> StaffOut:
    return StaffOut(
        id=record.id,
        organization_code=record.organization_code,
        login_id=record.login_id,
        display_name=record.display_name,
        roles=sorted(record.roles),
        active=record.active,
    )


@router.post("/login", response_model=StaffOut, responses=problems.TOO_MANY_ATTEMPTS)
def login(body: StaffLogin, request: Request, db: Session = AUTH_COMMITTED) -> JSONResponse:
    """Password + TOTP; answers the account and sets a renewed session cookie."""
    principal, token = service.login(
        db,
        body.login_id,
        body.password,
        body.totp,
        client=client_of(request),
        previous_token=request.cookies.get(SESSION_COOKIE),
    )
    record = service.require_staff_record(db, principal.subject_id)
    response = JSONResponse(_out(record).model_dump())
    set_session_cookie(request, response, token)
    return response


@router.get("", response_model=list[StaffOut])
def list_staff(principal: Principal = Depends(require_staff()), db: Session = COMMITTED) -> list[StaffOut]:
    """The staff of the administrator's own organization."""
    return [_out(r) for r in service.staff_as(db, principal)]


@router.post("", response_model=StaffCreated, status_code=201)
def create_staff(
    body: StaffCreate, principal: Principal = Depends(require_staff()), db: Session = COMMITTED
) -> StaffCreated:
    """Create an account in the administrator's own organization (never another's)."""
    created = service.create_staff_as(
        db,
        principal,
        body.login_id,
        display_name=body.display_name,
        roles=set(body.roles),
        password=body.password,
    )
    return StaffCreated(
        **_out(created.record).model_dump(),
        totp_secret=created.totp_secret,
        totp_uri=created.provisioning_uri(),
    )
