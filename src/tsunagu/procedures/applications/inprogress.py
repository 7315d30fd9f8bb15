"""One open application per person where the definition says so (``single_open``): a second
転出届 while the first is still being handled, or accepted with its move yet to come, is refused
with a link to the first instead of recording the move twice."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core.errors import Conflict
from tsunagu.procedures import statemachine
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.models import ProceduresApplication
from tsunagu.registry.residents import moving


class ApplicationInProgress(Conflict):
    code = "application-in-progress"
    title = "You already have this procedure in progress"

    def __init__(self, detail: str, *, application_id: str | None) -> None:
        super().__init__(detail, application_id=application_id)
        self.application_id = application_id


def require_none_open(db: Session, procedure: Procedure, subject_id: str, *, own: str | None = None) -> None:
    """Refuse a second application while one is open (or its accepted move has not happened);
    ``own`` is the application this very submission made before (a repeated submit)."""
    if not procedure.single_open:
        return
    rows = db.execute(
        select(ProceduresApplication.id, ProceduresApplication.status)
        .where(
            ProceduresApplication.procedure_id == procedure.id, ProceduresApplication.subject_id == subject_id
        )
        .order_by(ProceduresApplication.submitted_at.desc())
    ).all()
    rows = [row for row in rows if row.id != own]
    current = next((row.id for row in rows if row.status in statemachine.OPEN), None)
    planned = None
    if current is None and procedure.on_approval == "resident_move_out":
        planned = moving.planned_move_of(db, subject_id)
        # the accepted 転出届 that planned it, when it is this person's own (else a member's)
        current = next((row.id for row in rows if planned is not None and row.id == planned.source), None)
    if current is not None or planned is not None:
        raise ApplicationInProgress(
            f"an application for {procedure.id} is already in progress", application_id=current
        )
