"""Resident registry API: /api/v1/registry/residents/{municipality_code}/… for that municipality's staff.

Every read is recorded as an access (who, whom, when, purpose, role) that the person can see at
``/api/v1/registry/residents/me``. Changes (届出) need the 住基 role and the CSRF token of the
session; an ``Idempotency-Key`` header makes a registration safe to retry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from sqlalchemy.orm import Session

from tsunagu.core import authz, sessions
from tsunagu.core.authz import Operation, Role
from tsunagu.core.http import csrf
from tsunagu.core.http.deps import CurrentResident, CurrentStaff, Transaction
from tsunagu.core.http.pagination import Page, PageParams, page_params
from tsunagu.core.http.params import Day, OptionalDay
from tsunagu.registry.residents import moving, service
from tsunagu.registry.residents.errors import ResidentNotFound
from tsunagu.registry.residents.schemas import (
    AccessOut,
    AddressChangeIn,
    BirthIn,
    ChangeOut,
    DeathIn,
    HouseholdMemberOut,
    MoveInIn,
    MoveOutIn,
    NameChangeIn,
    OwnRecordOut,
    RegistrationIn,
    ResidentDetailOut,
    ResidentOut,
)

router = APIRouter(prefix="/api/v1/registry/residents", tags=["registry: residents"])
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

REGISTRAR = Role.REGISTRAR.value
DEFAULT_PURPOSE = "住民基本台帳事務"
MunicipalityCode = Path(pattern=r"^\d{6}$", description="全国地方公共団体コード of the municipality.")
Purpose = Query(
    DEFAULT_PURPOSE,
    min_length=1,
    max_length=200,
    description="Why the record is read; shown to the person with the access.",
)
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not-authenticated"},
    403: {"description": "forbidden"},
    404: {"description": "resident-not-found"},
}
DATE_ERRORS = "effective-date-in-future, effective-date-before-last-change"
IdempotencyKey = Header(
    None,
    alias="Idempotency-Key",
    description="8 to 128 ASCII characters; the same key and body return the first result (200).",
)


def registration_responses(conflicts: str, invalid: str) -> dict[int | str, dict[str, Any]]:
    return {
        **ERRORS,
        200: {"description": "An earlier request with the same Idempotency-Key: its result."},
        409: {"description": f"{conflicts}, idempotency-key-reused"},
        422: {"description": f"{invalid}, invalid-name, validation-failed"},
    }


def registrar(*, municipality_code: str = MunicipalityCode, principal: CurrentStaff) -> sessions.Principal:
    """Staff of the municipality who record 届出 (住基)."""
    return authz.require(principal, Operation.REGISTER_CHANGE, organization=municipality_code)


@router.get("/me", response_model=OwnRecordOut, responses=ERRORS)
def own_record(principal: CurrentResident, db: Transaction) -> OwnRecordOut:
    """The logged-in resident's own record with their 個人番号 and every recorded access to it."""
    record = service.require_resident(db, principal.subject_id)
    return OwnRecordOut(
        **ResidentOut.of(record).model_dump(),
        individual_number=service.individual_number_of(db, record.id),
        accesses=[AccessOut.of(a) for a in service.accesses_of(db, record.id)],
    )


@router.get("/{municipality_code}", response_model=Page[ResidentOut], responses=ERRORS)
def search_residents(
    *,
    municipality_code: str = MunicipalityCode,
    name: str = Query("", max_length=100, description="Start of 氏名 (family name first, spaces ignored)."),
    kana: str = Query("", max_length=100, description="Start of the フリガナ (hiragana is fine)."),
    birth_date: OptionalDay = Query(None, description="Exact birth date."),
    include_closed: bool = Query(False, description="Also moved-out and deceased records."),
    purpose: str = Purpose,
    page: PageParams = Depends(page_params),
    principal: CurrentStaff,
    db: Transaction,
) -> Page[ResidentOut]:
    """住民検索 within the municipality; each record returned is recorded as read."""
    statuses: tuple[service.Status, ...] = (
        ("resident", "moved_out", "deceased") if include_closed else ("resident",)
    )
    query = service.SearchQuery(name=name, kana=kana, birth_date=birth_date, statuses=statuses)
    records, total = service.search_records(
        db, principal, municipality_code, query, purpose=purpose, limit=page.limit, offset=page.offset
    )
    return Page[ResidentOut](
        items=[ResidentOut.of(r) for r in records], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/{municipality_code}/{resident_id}", response_model=ResidentDetailOut, responses=ERRORS)
def get_resident(
    *,
    resident_id: str,
    municipality_code: str = MunicipalityCode,
    purpose: str = Purpose,
    principal: CurrentStaff,
    db: Transaction,
) -> ResidentDetailOut:
    """住民票: the current record, its household and its full history."""
    record = service.read_record(
        db, principal, resident_id, purpose=purpose, municipality_code=municipality_code
    )
    household = [
        HouseholdMemberOut(
            id=m.id,
            family_name=m.name.family,
            given_name=m.name.given,
            relationship=m.relationship,
            birth_date=m.birth_date,
        )
        for m in service.household_members(db, record.household_id)
    ]
    return ResidentDetailOut(
        **ResidentOut.of(record).model_dump(),
        household=household,
        history=[ChangeOut.of(c) for c in service.history_of(db, record.id)],
    )


@router.get("/{municipality_code}/{resident_id}/as-of", response_model=ResidentOut, responses=ERRORS)
def get_resident_as_of(
    *,
    resident_id: str,
    municipality_code: str = MunicipalityCode,
    at: Day = Query(..., alias="date", description="The day to read the record at."),
    purpose: str = Purpose,
    principal: CurrentStaff,
    db: Transaction,
) -> ResidentOut:
    """The record as it stood at the end of a day (404 before the person was registered); a day
    on or after an accepted move's date shows it, even before the move is applied."""
    current = service.read_record(
        db, principal, resident_id, purpose=purpose, municipality_code=municipality_code
    )
    record = moving.as_of(db, current.id, at)
    if record is None:
        raise ResidentNotFound(f"resident {resident_id} was not registered on {at}", resident_id=resident_id)
    return ResidentOut.of(record)


@router.post(
    "/{municipality_code}/{resident_id}/address-changes",
    response_model=ResidentOut,
    status_code=201,
    dependencies=[Depends(csrf.protect)],
    responses={
        **ERRORS,
        409: {"description": "resident-deceased, resident-moved-out, idempotency-key-reused"},
        422: {
            "description": "unknown-town, town-outside-municipality, "
            "effective-date-in-future, effective-date-before-last-change"
        },
    },
)
def change_address(
    body: AddressChangeIn,
    response: Response,
    *,
    resident_id: str,
    municipality_code: str = MunicipalityCode,
    idempotency_key: str | None = IdempotencyKey,
    principal: sessions.Principal = Depends(registrar),
    db: Transaction,
) -> ResidentOut:
    """転居: register a move within the municipality (once per Idempotency-Key: 200 after)."""
    record = service.resident_in(db, municipality_code, resident_id)
    return _changed(db, response, body, principal=principal, key=idempotency_key, resident_id=record.id)


@router.post(
    "/{municipality_code}/{resident_id}/move-out",
    response_model=ResidentOut,
    dependencies=[Depends(csrf.protect)],
    responses={
        **ERRORS,
        409: {"description": "resident-deceased, resident-moved-out, idempotency-key-reused"},
    },
)
def move_out(
    body: MoveOutIn,
    response: Response,
    *,
    resident_id: str,
    municipality_code: str = MunicipalityCode,
    idempotency_key: str | None = IdempotencyKey,
    principal: sessions.Principal = Depends(registrar),
    db: Transaction,
) -> ResidentOut:
    """転出: the person leaves the municipality (once per Idempotency-Key)."""
    record = service.resident_in(db, municipality_code, resident_id)
    return _changed(
        db,
        response,
        body,
        principal=principal,
        key=idempotency_key,
        resident_id=record.id,
        created_status=200,
    )


def _changed(
    db: Session,
    response: Response,
    body: RegistrationIn,
    *,
    principal: sessions.Principal,
    key: str | None,
    resident_id: str,
    created_status: int = 201,
) -> ResidentOut:
    """A change of one resident's record, made once per Idempotency-Key; the record after it."""
    change, created = body.register_once(db, resident_id, principal, key)
    response.status_code = created_status if created else 200
    return ResidentOut.of(change.record)


def registration(path: str, conflicts: str, invalid: str) -> Callable[[Endpoint], Endpoint]:
    """The route of a 届出: POST, 201 with the new history entry, CSRF-checked, its problems listed."""
    return router.post(
        path,
        response_model=ChangeOut,
        status_code=201,
        dependencies=[Depends(csrf.protect)],
        responses=registration_responses(conflicts, invalid),
    )


def _registered(
    db: Session,
    response: Response,
    principal: sessions.Principal,
    key: str | None,
    body: RegistrationIn,
    *,
    where: str,
) -> ChangeOut:
    """Run a 届出 once per Idempotency-Key: 201 the first time, 200 with the same entry after."""
    change, created = body.register_once(db, where, principal, key)
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"{router.prefix}/{change.record.municipality_code}/{change.resident_id}"
    return ChangeOut.of(change)


@registration(
    "/{municipality_code}/births",
    "resident-already-registered",
    "birth-date-in-future, unknown-household, unknown-town, town-outside-municipality",
)
def register_birth(
    body: BirthIn,
    response: Response,
    *,
    municipality_code: str = MunicipalityCode,
    idempotency_key: str | None = IdempotencyKey,
    principal: sessions.Principal = Depends(registrar),
    db: Transaction,
) -> ChangeOut:
    """出生届: a newborn joins a household (or starts one); returns the new history entry."""
    return _registered(db, response, principal, idempotency_key, body, where=municipality_code)


@registration(
    "/{municipality_code}/move-ins",
    "resident-already-registered",
    "birth-date-in-future, effective-date-in-future, unknown-household, unknown-town, "
    "town-outside-municipality, unknown-previous-address, previous-address-in-municipality, "
    "invalid-individual-number",
)
def register_move_in(
    body: MoveInIn,
    response: Response,
    *,
    municipality_code: str = MunicipalityCode,
    idempotency_key: str | None = IdempotencyKey,
    principal: sessions.Principal = Depends(registrar),
    db: Transaction,
) -> ChangeOut:
    """転入届: a person moving in from another municipality; returns the new history entry."""
    return _registered(db, response, principal, idempotency_key, body, where=municipality_code)


@registration(
    "/{municipality_code}/{resident_id}/deaths",
    "resident-deceased, resident-moved-out",
    f"{DATE_ERRORS}, new-head-required, not-a-household-member, new-head-not-needed",
)
def register_death(
    body: DeathIn,
    response: Response,
    *,
    resident_id: str,
    municipality_code: str = MunicipalityCode,
    idempotency_key: str | None = IdempotencyKey,
    principal: sessions.Principal = Depends(registrar),
    db: Transaction,
) -> ChangeOut:
    """死亡届: the record is closed; a head's death names the new 世帯主."""
    record = service.resident_in(db, municipality_code, resident_id)
    return _registered(db, response, principal, idempotency_key, body, where=record.id)


@registration(
    "/{municipality_code}/{resident_id}/name-changes", "resident-deceased, resident-moved-out", DATE_ERRORS
)
def change_name(
    body: NameChangeIn,
    response: Response,
    *,
    resident_id: str,
    municipality_code: str = MunicipalityCode,
    idempotency_key: str | None = IdempotencyKey,
    principal: sessions.Principal = Depends(registrar),
    db: Transaction,
) -> ChangeOut:
    """氏名変更: a new name with its reading and reason; returns the new history entry."""
    record = service.resident_in(db, municipality_code, resident_id)
    return _registered(db, response, principal, idempotency_key, body, where=record.id)
