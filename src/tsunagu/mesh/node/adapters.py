"""Local adapters: how a provider's node reads its own organization's data for a service.

Municipalities answer ``resident-basic`` and ``moving-out-certificate`` (転出証明書情報) from the
resident registry (住民基本台帳); other
organizations (pension, tax) answer from their own records table; the Digital Agency answers
``public-money-account`` from the 公金受取口座登録簿.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from tsunagu.core.direct import DirectSelect
from tsunagu.mesh import corporate
from tsunagu.mesh.node.models import MeshNodeRecord
from tsunagu.registry.accounts import service as accounts
from tsunagu.registry.residents import moving
from tsunagu.registry.residents import service as residents

RESIDENT_BASIC = "resident-basic"
RESIDENT_HOUSEHOLD = "resident-household"
ADULT_AGE = 18
MOVING_OUT_CERTIFICATE = "moving-out-certificate"
PUBLIC_MONEY_ACCOUNT = "public-money-account"  # 公金受取口座登録簿 of the Digital Agency
_RECORD = DirectSelect(
    select(MeshNodeRecord.data).where(  # read on every query's path
        MeshNodeRecord.organization_code == bindparam("org"),
        MeshNodeRecord.local_id == bindparam("local_id"),
        MeshNodeRecord.service_code == bindparam("service"),
    ),
    {
        "org": MeshNodeRecord.organization_code,
        "local_id": MeshNodeRecord.local_id,
        "service": MeshNodeRecord.service_code,
    },
)


def resident_items(record: residents.ResidentRecord) -> dict[str, Any]:
    """A 住民票 as the items of the ``resident-basic`` service."""
    return {
        "name": {
            "family_name": record.name.family,
            "given_name": record.name.given,
            "family_name_kana": record.name.family_kana,
            "given_name_kana": record.name.given_kana,
        },
        "birth_date": record.birth_date.isoformat(),
        "sex": record.sex,
        "address": {"text": record.address.label()},
        "household": {"household_id": record.household_id, "relationship": record.relationship},
    }


def _member(record: residents.ResidentRecord) -> dict[str, Any]:
    items = resident_items(record)
    return {
        "name": items["name"],
        "birth_date": items["birth_date"],
        "relationship": record.relationship,
        "sex": record.sex,
    }


def household_items(db: Session, record: residents.ResidentRecord) -> dict[str, Any]:
    """The ``resident-household`` items: the other living members of the person's 世帯 (the head
    first), and the youngest of them under 18 — after a 出生届, the new child."""
    today = residents.today()
    others = [m for m in residents.household_members(db, record.household_id) if m.id != record.id]
    children = [m for m in others if _age(m.birth_date, today) < ADULT_AGE]
    youngest = max(children, key=lambda m: m.birth_date, default=None)
    return {
        "other_members": [_member(m) for m in others],
        "youngest_child": None if youngest is None else _member(youngest),
    }


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def fetch(db: Session, organization_code: str, local_id: str, service_code: str) -> dict[str, Any] | None:
    """The organization's data about one person for one service, or None if it has none."""
    if service_code == RESIDENT_BASIC:
        resident = residents.get_resident(db, local_id)
        if resident is None or resident.municipality_code != organization_code:
            return None
        return resident_items(resident)
    if service_code == RESIDENT_HOUSEHOLD:
        resident = residents.get_resident(db, local_id)
        if resident is None or resident.municipality_code != organization_code:
            return None
        return household_items(db, resident)
    if service_code == MOVING_OUT_CERTIFICATE:  # made when the 転出届 was accepted, else none yet
        certificate = moving.certificate_for(db, organization_code, local_id)
        return None if certificate is None else {"certificate": certificate.as_json()}
    if service_code in (corporate.BASIC, corporate.REGISTERED):  # the 法務局's 商業・法人登記
        ours = organization_code == corporate.PROVIDER
        return corporate.items(db, local_id, service_code) if ours else None
    if service_code == PUBLIC_MONEY_ACCOUNT:  # none until the person registered one
        account = accounts.account_of(db, local_id)
        return None if account is None else account.items()
    found = _RECORD.first(db.connection(), org=organization_code, local_id=local_id, service=service_code)
    return None if found is None else dict(found[0])


def put_record(
    db: Session, organization_code: str, local_id: str, service_code: str, data: dict[str, Any]
) -> None:
    """Store an organization's own synthetic data (pension records, income) for a service."""
    record = db.get(MeshNodeRecord, (organization_code, local_id, service_code))
    if record is None:
        db.add(
            MeshNodeRecord(
                organization_code=organization_code, local_id=local_id, service_code=service_code, data=data
            )
        )
    else:
        record.data = data
    db.flush()
