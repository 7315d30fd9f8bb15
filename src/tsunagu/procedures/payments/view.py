"""What the status page and the back office show about a fee."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tsunagu.core.sessions import Principal
from tsunagu.procedures import statemachine
from tsunagu.procedures.applications.service import Application
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.payments import service


def context(
    db: Session, principal: Principal, procedure: Procedure | None, app: Application
) -> dict[str, Any]:
    payment = service.payment_for(db, app.id)
    fee = service.fee_for(procedure, app.data) if procedure is not None else 0
    return {
        "payment": payment,
        "fee_due": fee,
        "payment_names": service.STATUS_NAMES,
        "can_pay": principal.kind == "resident"
        and fee > 0
        and app.status in statemachine.OPEN
        and (payment is None or payment.payable),
    }
