"""The destination clerk's counter: 転入届 recorded from the 転出証明書情報 of a 転入予約."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core.errors import Conflict, ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_staff
from tsunagu.core.sessions import Principal
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.onestop import arrival

router = APIRouter(
    prefix="/staff/applications", include_in_schema=False, dependencies=[Depends(csrf.protect)]
)


@router.post("/{application_id}/arrival")
def record_arrival(
    request: Request,
    application_id: str,
    *,
    moved_in_on: str = Form("", max_length=10),
    town_id: str = Form("", max_length=12),
    banchi: str = Form("", max_length=20),
    go: str = Form("", max_length=20),
    building: str = Form("", max_length=200),
    head_index: str = Form("", max_length=3),
    staff: Principal = Depends(require_staff()),
    db: Session = TRANSACTION,
) -> Response:
    """転入を記録する: back to the application, saying what was recorded or what to correct."""
    app = applications.get_for(db, staff, application_id)
    counter = arrival.Counter(moved_in_on, town_id, banchi, go, building, head_index)
    try:
        arrival.record(db, staff, app, counter)
    except (ValidationFailed, Conflict) as exc:
        db.rollback()
        code = exc.code if exc.code in arrival.MESSAGES else "arrival-field"
        return RedirectResponse(
            f"/staff/applications/{application_id}?arrival_error={code}#arrival", status_code=303
        )
    return RedirectResponse(f"/staff/applications/{application_id}?arrived=1#arrival", status_code=303)
