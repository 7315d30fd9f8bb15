"""Staff reading the registry (住民票の閲覧・検索): authorized here, and every record read is
recorded as an access the person will see (住民基本台帳法: the person may ask who read them).

The API and the staff pages both call these; neither records an access itself.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tsunagu.core import authz
from tsunagu.core.authz import Operation, Role
from tsunagu.core.logging import get_logger
from tsunagu.core.sessions import Principal
from tsunagu.registry.residents.errors import ResidentNotFound
from tsunagu.registry.residents.service.accesses import record_access
from tsunagu.registry.residents.service.reading import find_residents, get_resident, require_resident
from tsunagu.registry.residents.service.records import ResidentRecord, SearchQuery

log = get_logger(__name__)


def resident_in(db: Session, municipality_code: str, resident_id: str) -> ResidentRecord:
    """The record if it belongs to this municipality; another's is as unknown as a missing one."""
    record = get_resident(db, resident_id)
    if record is None or record.municipality_code != municipality_code:
        raise ResidentNotFound(f"no resident {resident_id} in {municipality_code}", resident_id=resident_id)
    return record


def role_of(principal: Principal) -> str:
    """The registry role a staff member reads or writes in, as shown to the person."""
    return Role.REGISTRAR.value if principal.has_role(Role.REGISTRAR) else Role.VIEWER.value


def search_records(
    db: Session,
    staff: Principal,
    municipality_code: str,
    query: SearchQuery,
    *,
    purpose: str,
    limit: int,
    offset: int,
) -> tuple[list[ResidentRecord], int]:
    """住民検索 by staff of the municipality.

    A result list is not a 閲覧 of everyone on it: the person's 閲覧記録 would fill with clerks who
    only scrolled past their name. What staff open is recorded (:func:`read_record`); the search
    itself, with its purpose and count, goes to the operations log.
    """
    authz.require(staff, Operation.READ_RESIDENT, organization=municipality_code)
    records, total = find_residents(db, municipality_code, query, limit=limit, offset=offset)
    log.info(
        "resident_search",
        actor=staff.subject_id,
        organization=municipality_code,
        purpose=purpose,
        total=total,
        shown=len(records),
    )
    return records, total


def read_record(
    db: Session, staff: Principal, resident_id: str, *, purpose: str, municipality_code: str | None = None
) -> ResidentRecord:
    """住民票 read by staff of the person's municipality, recorded as an access.

    With ``municipality_code`` (the API names it in the path) a record of another municipality
    is as unknown as a missing one; without it, the record's own municipality must be the
    staff member's. Staff of another municipality read a resident only through the mesh.
    """
    authz.require(staff, Operation.READ_RESIDENT)
    if municipality_code is None:
        record = require_resident(db, resident_id)
        authz.require_same_organization(staff, record.municipality_code)
    else:
        authz.require_same_organization(staff, municipality_code)
        record = resident_in(db, municipality_code, resident_id)
    record_access(db, record.id, staff.subject_id, record.municipality_code, purpose, role=role_of(staff))
    return record
