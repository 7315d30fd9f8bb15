"""機関別符号: the directory links a person once and gives each organization its own random code.

Codes are random (not derived from the person), so two organizations' codes cannot be joined
by anyone but the directory, which alone holds the link table. The 個人番号 is never used here.
"""

from __future__ import annotations

import secrets

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, aliased

from tsunagu.core import clock
from tsunagu.core.database import insert_missing
from tsunagu.core.direct import DirectSelect
from tsunagu.mesh.codes.models import MeshPersonLink, MeshPersonRelation, MeshSubjectCode
from tsunagu.mesh.node.models import MeshNodePerson

# Why an organization may know a person (住民 — also after a move out, 申請 — a 転入 included,
# 法定の関係): recorded by the part that
# knows the fact (the registry's municipality, a procedure, a seeded agency record); the directory
# refuses a query about a person the consumer has none with (``mesh-subject-not-related``).
RELATIONS = ("resident", "application", "record")
_SOURCE, _TARGET = aliased(MeshSubjectCode), aliased(MeshSubjectCode)
_RELATION = aliased(MeshPersonRelation)
# Built once (bind parameters, not literals): on every query's path, and SQLAlchemy reuses them
# compiled without rebuilding their cache keys.
_TRANSLATE = (
    select(_SOURCE.link_id, _TARGET.code, _RELATION.relation)
    .outerjoin(
        _TARGET, (_TARGET.link_id == _SOURCE.link_id) & (_TARGET.organization_code == bindparam("to_org"))
    )
    .outerjoin(
        _RELATION,
        (_RELATION.link_id == _SOURCE.link_id) & (_RELATION.organization_code == _SOURCE.organization_code),
    )
    .where(_SOURCE.organization_code == bindparam("from_org"), _SOURCE.code == bindparam("code"))
    .limit(1)
)
_TRANSLATE_DIRECT = DirectSelect(
    _TRANSLATE,
    {"from_org": _SOURCE.organization_code, "code": _SOURCE.code, "to_org": _TARGET.organization_code},
)
_LOCAL_ID = DirectSelect(
    select(MeshNodePerson.local_id).where(
        MeshNodePerson.organization_code == bindparam("org"), MeshNodePerson.code == bindparam("code")
    ),
    {"org": MeshNodePerson.organization_code, "code": MeshNodePerson.code},
)


def ensure_link(db: Session, resident_id: str) -> str:
    """The directory's link for a person (from the registry's opaque resident id)."""
    found = select(MeshPersonLink.id).where(MeshPersonLink.resident_id == resident_id)
    link = db.scalar(found)
    if link is None:
        values = {"id": secrets.token_hex(16), "resident_id": resident_id, "created_at": clock.now()}
        insert_missing(db, MeshPersonLink, values, ("resident_id",))
        link = db.scalar(found)  # ours, or the one a concurrent request made first
        assert link is not None
    return link


def issue(db: Session, organization_code: str, link_id: str) -> str:
    """The organization's code for the linked person, issued on first use."""
    code = code_of(db, organization_code, link_id)
    if code is None:
        values = {"organization_code": organization_code, "link_id": link_id, "code": secrets.token_hex(16)}
        insert_missing(db, MeshSubjectCode, values, ("organization_code", "link_id"))
        code = code_of(db, organization_code, link_id)
        assert code is not None
    return code


def issue_for_resident(db: Session, organization_code: str, resident_id: str) -> str:
    return issue(db, organization_code, ensure_link(db, resident_id))


def relate(db: Session, organization_code: str, resident_id: str, relation: str, reference: str = "") -> str:
    """Record why the organization may know the person, and return its code for them."""
    if relation not in RELATIONS:
        raise ValueError(f"unknown relation {relation!r}")
    link = ensure_link(db, resident_id)
    if db.get(MeshPersonRelation, (organization_code, link, relation)) is None:
        values = {
            "organization_code": organization_code,
            "link_id": link,
            "relation": relation,
            "reference": reference,
            "since": clock.now(),
        }
        insert_missing(db, MeshPersonRelation, values, ("organization_code", "link_id", "relation"))
    return issue(db, organization_code, link)


def remember(db: Session, organization_code: str, code: str, local_id: str) -> None:
    """The organization's own note of whom its code means locally (resident id, pension number…)."""
    if db.get(MeshNodePerson, (organization_code, code)) is None:
        values = {"organization_code": organization_code, "code": code, "local_id": local_id}
        insert_missing(db, MeshNodePerson, values, ("organization_code", "code"))


def code_for(db: Session, organization_code: str, resident_id: str) -> str:
    """A municipality's code for one of its residents (used by procedures before a query)."""
    code = issue_for_resident(db, organization_code, resident_id)
    remember(db, organization_code, code, resident_id)
    return code


def local_id_of(db: Session, organization_code: str, code: str) -> str | None:
    found = _LOCAL_ID.first(db.connection(), org=organization_code, code=code)
    return None if found is None else str(found[0])


def link_of(db: Session, organization_code: str, code: str) -> str | None:
    return db.scalar(
        select(MeshSubjectCode.link_id).where(
            MeshSubjectCode.organization_code == organization_code, MeshSubjectCode.code == code
        )
    )


def code_of(db: Session, organization_code: str, link_id: str) -> str | None:
    return db.scalar(
        select(MeshSubjectCode.code).where(
            MeshSubjectCode.organization_code == organization_code, MeshSubjectCode.link_id == link_id
        )
    )


def translate(
    db: Session, from_organization: str, code: str, to_organization: str
) -> tuple[str, str | None, str | None] | None:
    """(person link, the other organization's code or None, a relation of the first organization
    with the person or None) for one organization's code."""
    # Straight on the session's connection: on every authorization, and the ORM's statement
    # preparation cost more than the indexed lookup (codes are flushed when issued).
    row = _TRANSLATE_DIRECT.first(
        db.connection(), from_org=from_organization, code=code, to_org=to_organization
    )
    return None if row is None else (str(row[0]), row[1], row[2])


def link_of_resident(db: Session, resident_id: str) -> str | None:
    return db.scalar(select(MeshPersonLink.id).where(MeshPersonLink.resident_id == resident_id))
