"""JSON API of the moving one-stop: /api/v1/procedures/moving."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field

from tsunagu.core.http.auth import require_resident
from tsunagu.core.http.deps import AppDatabase
from tsunagu.core.sessions import Principal
from tsunagu.mesh.deps import MeshNodes
from tsunagu.procedures import meshlink
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications.api import gateway
from tsunagu.procedures.onestop import service
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(prefix="/api/v1/procedures/moving", tags=["moving one-stop"])


class MoveIn(BaseModel):
    destination_address: str = Field(max_length=200)
    moving_date: str = Field(max_length=10)
    visit_date: str = Field(max_length=10)
    phone: str = Field(max_length=20)
    movers: str = Field("whole-household", max_length=32, description="whole-household | some-members")
    members: list[str] = Field(
        default_factory=list, max_length=30, description="With some-members: the household members who move"
    )
    remaining_head: str = Field(
        "", max_length=32, description="When the head moves and others stay: who heads them"
    )
    companies: list[str] = Field(
        default_factory=list,
        max_length=10,
        description="Companies the person consents to tell (once the move is accepted)",
    )


class PartOut(BaseModel):
    name: str
    status: str
    detail: str
    application_id: str | None
    receipt_number: str


class BundleOut(BaseModel):
    id: str
    parts: list[PartOut]

    @classmethod
    def of(cls, bundle: service.Bundle) -> BundleOut:
        return cls(id=bundle.id, parts=[PartOut(**p.__dict__) for p in bundle.parts])


@router.post("", response_model=BundleOut)
def move(
    body: MoveIn,
    request: Request,
    nodes: MeshNodes,
    database: AppDatabase,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    *,
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> BundleOut:
    """引越しワンストップ: 転出届 + 転入予約 + consented companies; each part's status separately."""
    bundle = service.move(
        database,
        mesh,
        registry,
        person,
        node_of=nodes.context,
        request=service.Move(
            body.destination_address,
            body.moving_date,
            body.visit_date,
            body.phone,
            body.movers,
            tuple(body.companies),
            idempotency_key or "",
            tuple(body.members),
            body.remaining_head,
        ),
    )
    return BundleOut.of(bundle)


@router.get("/{bundle_id}", response_model=BundleOut)
def status(
    bundle_id: str, request: Request, database: AppDatabase, person: Principal = Depends(require_resident)
) -> BundleOut:
    return BundleOut.of(service.status_of(database, person, bundle_id))
