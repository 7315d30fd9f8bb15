"""What the application status page shows about the visit (来庁予約)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tsunagu.core.sessions import Principal
from tsunagu.procedures import statemachine
from tsunagu.procedures.applications.service import Application
from tsunagu.procedures.appointments import service
from tsunagu.procedures.definition import Procedure


def context(
    db: Session, principal: Principal, procedure: Procedure | None, app: Application
) -> dict[str, Any]:
    needed = procedure is not None and service.needs_appointment(procedure)
    return {
        "appointment": service.active_booking(db, app.id) if needed else None,
        "appointment_needed": needed,
        "can_book_visit": needed and principal.kind == "resident" and app.status in statemachine.OPEN,
    }
