"""JSON API of おくやみ: /api/v1/bereavement — the same use cases as the pages.

``GET /api/v1/bereavement`` lists the deaths the person may act for; ``GET …/{deceased_id}`` is
the personal list for one; ``POST …/{deceased_id}/filings`` files the chosen online procedures in
one go (an ``Idempotency-Key`` is required: the same key and body answer the same applications).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Header, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from tsunagu.core.http.auth import require_resident
from tsunagu.core.http.deps import AppDatabase, SecretKey
from tsunagu.core.sessions import Principal
from tsunagu.procedures import meshlink
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.applications.api import gateway
from tsunagu.procedures.bereavement import service
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(prefix="/api/v1/bereavement", tags=["bereavement"])


class DeathOut(BaseModel):
    deceased_id: str
    name: str = Field(description="The deceased's name as registered")
    date_of_death: date


class FiledOut(BaseModel):
    application_id: str
    receipt_number: str
    status: str


class ItemOut(BaseModel):
    id: str = Field(description="The checklist entry")
    kind: str = Field(description="online | notified | done | counter")
    procedure_id: str | None = Field(description="For online entries: the procedure filed in the flow")
    name: str
    text: str = Field(description="What to know, or what was done (Japanese)")
    place: str = Field(description="At a counter: where to go")
    bring: list[str] = Field(description="At a counter: what to bring")
    deadline: date | None
    filed: FiledOut | None = Field(description="Filed for this death already (by anyone in the family)")
    unconfirmed: bool = Field(description="Listed because the mesh could not say whether it applies")


class ChecklistOut(BaseModel):
    deceased: DeathOut
    relationship: str = Field(description="How the register relates the caller to the deceased")
    items: list[ItemOut]
    to_file: list[str] = Field(description="Online procedures not filed yet")


class FilingIn(BaseModel):
    procedures: list[str] = Field(min_length=1, max_length=20, description="Online procedures to file")
    answers: dict[str, Any] = Field(
        default_factory=dict,
        max_length=40,
        description="What no register knows, by field name (e.g. funeral_date, bank_code); the "
        "deceased's particulars come from the register and are never taken from here",
    )


class FieldProblemOut(BaseModel):
    field: str
    message: str


class PartOut(BaseModel):
    procedure_id: str
    outcome: str = Field(description="filed | already-filed | refused")
    application: FiledOut | None
    problem: str = Field(description="The error code when not filed (docs/api.md)")
    errors: list[FieldProblemOut]


class FilingOut(BaseModel):
    deceased_id: str
    parts: list[PartOut]


def _filed(application: applications.Application | None) -> FiledOut | None:
    if application is None:
        return None
    return FiledOut(
        application_id=application.id, receipt_number=application.receipt_number, status=application.status
    )


def _checklist(listed: service.Checklist) -> ChecklistOut:
    death = listed.death
    return ChecklistOut(
        deceased=DeathOut(
            deceased_id=death.deceased.id, name=death.deceased.name.full, date_of_death=death.died_on
        ),
        relationship=listed.successor.relationship,
        items=[
            ItemOut(
                id=i.entry.id,
                kind=i.entry.kind,
                procedure_id=i.procedure.id if i.procedure is not None else None,
                name=i.name.ja,
                text=i.text.ja if i.text is not None else "",
                place=i.entry.place.ja if i.entry.place is not None else "",
                bring=[b.ja for b in i.entry.bring],
                deadline=i.deadline,
                filed=_filed(i.filed),
                unconfirmed=i.unconfirmed,
            )
            for i in listed.items
        ],
        to_file=[i.procedure.id for i in listed.to_file if i.procedure is not None],
    )


def _part(part: service.Part) -> PartOut:
    if part.created or (part.application is not None and not part.problem):
        outcome = "filed"
    elif part.problem == service.ALREADY_FILED:
        outcome = "already-filed"
    else:
        outcome = "refused"
    return PartOut(
        procedure_id=part.procedure.id,
        outcome=outcome,
        application=_filed(part.application),
        problem=part.problem,
        errors=[FieldProblemOut(field=f.field, message=f.english) for f in part.fields],
    )


@router.get("", response_model=list[DeathOut])
def deaths(database: AppDatabase, person: Principal = Depends(require_resident)) -> list[DeathOut]:
    """The deaths the person may act for: in their own 世帯, or reported by them as a relative."""
    with database.session() as db:
        found = service.deaths_for(db, person)
    return [
        DeathOut(deceased_id=d.id, name=d.name.full, date_of_death=d.status_date or d.birth_date)
        for d in found
    ]


@router.get("/{deceased_id}", response_model=ChecklistOut)
def checklist(
    deceased_id: str,
    database: AppDatabase,
    *,
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> ChecklistOut:
    """The personal list for one death (403 bereavement-not-family, 404 bereavement-no-death)."""
    return _checklist(service.checklist_for(database, mesh, registry, person, deceased_id))


@router.post(
    "/{deceased_id}/filings",
    response_model=FilingOut,
    status_code=201,
    responses={
        200: {
            "model": FilingOut,
            "description": "Nothing new filed (the same key again, or every part filed already or refused)",
        }
    },
)
async def file(
    deceased_id: str,
    body: FilingIn,
    response: Response,
    *,
    database: AppDatabase,
    secret: SecretKey,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> FilingOut:
    """File the chosen online procedures as one bundle for the death; each part says its outcome
    (a part with a field to correct is refused with ``errors`` while the others are filed)."""
    key = applications.require_key(idempotency_key)
    listed = await run_in_threadpool(service.checklist_for, database, mesh, registry, person, deceased_id)
    parts = await run_in_threadpool(
        lambda: service.file_online(
            database,
            mesh,
            secret,
            listed,
            principal=person,
            chosen=tuple(body.procedures),
            answers=body.answers,
            key=key,
        )
    )
    if not any(p.created for p in parts):
        response.status_code = 200
    return FilingOut(deceased_id=deceased_id, parts=[_part(p) for p in parts])
