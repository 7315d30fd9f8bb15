"""API shapes of the procedure catalogue."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from tsunagu.procedures.definition import Localized, Procedure


class ProcedureSummary(BaseModel):
    id: str
    name: Localized
    summary: Localized
    applicants: list[str]
    life_events: list[str]
    fee_yen: int
    visit_required: bool
    processing_days: int

    @classmethod
    def of(cls, procedure: Procedure) -> ProcedureSummary:
        return cls(
            id=procedure.id,
            name=procedure.name,
            summary=procedure.summary,
            applicants=list(procedure.applicants),
            life_events=list(procedure.life_events),
            fee_yen=procedure.fee.amount_yen if procedure.fee else 0,
            visit_required=bool(procedure.appointment and procedure.appointment.required),
            processing_days=procedure.processing_days,
        )


class ProcedureDetail(BaseModel):
    """The whole definition plus the JSON Schema of its application form."""

    procedure: Procedure
    form_schema: dict[str, Any]


class LifeEvent(BaseModel):
    id: str
    name: Localized
