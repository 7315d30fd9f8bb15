"""JSON API of the child-rearing one-stop: /api/v1/procedures/kosodate."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Header
from pydantic import BaseModel, Field

from tsunagu.core.http.auth import require_resident
from tsunagu.core.http.deps import AppDatabase
from tsunagu.core.sessions import Principal
from tsunagu.procedures import meshlink
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications.api import gateway
from tsunagu.procedures.onestop import kosodate
from tsunagu.procedures.registry import LiveRegistry

router = APIRouter(prefix="/api/v1/procedures/kosodate", tags=["child-rearing one-stop"])


class BundleIn(BaseModel):
    parts: list[str] = Field(
        default_factory=list,
        max_length=2,
        description="Besides the child allowance (always filed): kodomo-iryohi-josei, hoiku-riyo-moshikomi",
    )
    answers: dict[str, Any] = Field(
        default_factory=dict,
        max_length=40,
        description="What the registers do not give, by field name (e.g. lives_with_child, insurance, "
        "insurer_number, need_reason, start_date, facility_1)",
    )


class PartOut(BaseModel):
    procedure_id: str
    status: str
    application_id: str
    receipt_number: str


class BundleOut(BaseModel):
    id: str
    parts: list[PartOut]

    @classmethod
    def of(cls, status: kosodate.Status) -> BundleOut:
        return cls(
            id=status.bundle,
            parts=[
                PartOut(
                    procedure_id=a.procedure_id,
                    status=a.status,
                    application_id=a.id,
                    receipt_number=a.receipt_number,
                )
                for a in status.parts
            ],
        )


@router.post(
    "",
    response_model=BundleOut,
    responses={
        404: {"description": "No child under 18 is registered in the household (kosodate-no-child)"},
        409: {
            "description": "This birth's bundle was filed already (kosodate-already-filed), a part is "
            "in progress (application-in-progress), or the key was used for another submission"
        },
    },
)
def file_bundle(
    body: BundleIn,
    database: AppDatabase,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    *,
    person: Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
    mesh: meshlink.MeshGateway = Depends(gateway),
) -> BundleOut:
    """子育てワンストップ: 児童手当 認定請求 (+ 子ども医療費助成, 保育所等の利用申込) for the household's
    newborn in one submission; each part's status separately. The same Idempotency-Key answers the
    same filing; another filing for the same birth is refused (409 kosodate-already-filed)."""
    request = kosodate.Request(idempotency_key or "", tuple(body.parts), body.answers)
    return BundleOut.of(kosodate.file(database, mesh, registry, person, request))


@router.get("/{bundle_id}", response_model=BundleOut)
def bundle_status(
    bundle_id: str, database: AppDatabase, person: Principal = Depends(require_resident)
) -> BundleOut:
    return BundleOut.of(kosodate.status_of(database, person, bundle_id))
