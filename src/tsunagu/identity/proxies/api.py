"""JSON API of the logged-in resident's proxy registrations."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from tsunagu.core.http.auth import require_resident
from tsunagu.core.sessions import Principal
from tsunagu.identity.history.http import COMMITTED
from tsunagu.identity.proxies import service
from tsunagu.identity.proxies.schemas import ProxyCreate, ProxyOut

router = APIRouter(prefix="/api/v1/identity/proxies", tags=["identity: proxies"])


def _out(record: service.ProxyRecord) -> ProxyOut:
    return ProxyOut(
        id=record.id,
        principal_id=record.principal_id,
        proxy_id=record.proxy_id,
        procedures=list(record.procedures) if record.procedures is not None else None,
        ends_on=record.ends_on,
        created_at=record.created_at,
        withdrawn_at=record.withdrawn_at,
    )


@router.get("", response_model=list[ProxyOut])
def list_proxies(principal: Principal = Depends(require_resident), db: Session = COMMITTED) -> list[ProxyOut]:
    """Registrations where I am the represented person or the proxy."""
    return [_out(r) for r in service.proxies_of(db, principal.subject_id)]


@router.post("", response_model=ProxyOut, status_code=201)
def register(
    body: ProxyCreate, principal: Principal = Depends(require_resident), db: Session = COMMITTED
) -> ProxyOut:
    return _out(
        service.register_proxy(
            db, principal.subject_id, body.proxy_id, procedures=body.procedures, ends_on=body.ends_on
        )
    )


@router.post("/{grant_id}/withdraw", response_model=ProxyOut)
def withdraw(
    grant_id: str, principal: Principal = Depends(require_resident), db: Session = COMMITTED
) -> ProxyOut:
    return _out(service.withdraw_proxy(db, principal.subject_id, grant_id))
