"""What the status page and the back office show about files, corrections and withdrawal."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tsunagu.core.sessions import Principal
from tsunagu.procedures import statemachine
from tsunagu.procedures.applications import attachments, correction, household
from tsunagu.procedures.applications.service import Application
from tsunagu.procedures.definition import Procedure


def context(
    db: Session, principal: Principal, procedure: Procedure | None, app: Application
) -> dict[str, Any]:
    applicant = principal.kind == "resident" and principal.subject_id in (app.applicant_id, app.subject_id)
    actions = statemachine.actions_from(app.status, statemachine.APPLICANT_ACTIONS) if applicant else []
    wanted = correction.open_request(db, app.id)
    return {
        "member_names": household.names_of(db, procedure, app.data) if procedure else {},
        "attachments": attachments.of_application(db, app.id),
        "correction": wanted,
        "flagged": [
            f.label for f in (procedure.fields if procedure else ()) if wanted and f.name in wanted.fields
        ],
        "can_resubmit": "resubmit" in actions and procedure is not None,
        "can_withdraw": "withdraw" in actions,
    }
