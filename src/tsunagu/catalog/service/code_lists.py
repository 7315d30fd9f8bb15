"""Code lists written by publisher staff (コード一覧の登録・公開): drafts checked as the shipped
lists are (a code repeats only with validity periods that do not overlap; an end never before its
start), then published — found with every other list on /catalog/codes — or withdrawn. Every
change is one transaction, lands in the audit trail and raises the catalog's modified date."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from tsunagu.catalog import codelists, store
from tsunagu.catalog.models import CatalogCodeList
from tsunagu.catalog.service.common import catalog
from tsunagu.catalog.service.publishing import writable_publishers
from tsunagu.core import clock
from tsunagu.core.errors import Conflict, Forbidden, ValidationFailed
from tsunagu.core.sessions import Principal

__all__ = [
    "CodeListExists",
    "CodeListInvalid",
    "ManagedCodeList",
    "console_code_lists",
    "create_code_list",
    "publish_code_list",
    "update_code_list",
    "withdraw_code_list",
]


class CodeListInvalid(ValidationFailed):
    code = "catalog-code-list-invalid"
    title = "The code list is incomplete or has a code twice with overlapping validity"


class CodeListExists(Conflict):
    code = "catalog-code-list-exists"
    title = "A code list with this id exists"


class CodeListNotChangeable(Conflict):
    code = "catalog-code-list-not-changeable"
    title = "The code list has no draft to publish or is not published"


@dataclass(frozen=True)
class ManagedCodeList:
    id: str
    publisher: str
    status: str
    version: int
    has_draft: bool
    code_list: codelists.CodeList  # the draft when there is one, else the published list


def _managed(row: CatalogCodeList) -> ManagedCodeList:
    current = codelists.CodeList.model_validate_json(row.draft_document or row.document)
    return ManagedCodeList(
        row.id, row.publisher, row.status, row.version, row.draft_document is not None, current
    )


def _check(principal: Principal, payload: Mapping[str, Any]) -> tuple[str, codelists.CodeList]:
    publisher = str(payload.get("publisher", ""))
    if publisher not in writable_publishers(principal):
        raise Forbidden(f"staff of {principal.organization_code} do not publish for {publisher!r}")
    name = catalog().vocabularies.publishers[publisher].name
    try:
        found = codelists.CodeList.model_validate({**payload, "publisher": name.model_dump()})
    except ValidationError as error:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"]) or "codes",
                "message": e["msg"].removeprefix("Value error, "),
            }
            for e in error.errors()
        ]
        raise CodeListInvalid("; ".join(e["message"] for e in errors), errors=errors) from None
    return publisher, found


def _record(db: Session, row: CatalogCodeList, action: str, principal: Principal) -> None:
    store.record(
        db,
        at=clock.now(),
        subject_kind="code-list",
        subject_id=row.id,
        action=action,
        version=row.version,
        actor=principal.subject_id,
        organization=principal.organization_code or "",
        document=row.draft_document or row.document,
    )


def _own(db: Session, principal: Principal, list_id: str) -> CatalogCodeList:
    row = store.code_list_row(db, list_id)
    if row is None:
        raise codelists.CodeListNotFound(f"no code list {list_id!r}", list=list_id)
    if row.publisher not in writable_publishers(principal):
        raise Forbidden(f"staff of {principal.organization_code} do not publish for {row.publisher!r}")
    return row


def console_code_lists(db: Session, principal: Principal) -> list[ManagedCodeList]:
    return [_managed(r) for r in store.code_lists_of(db, writable_publishers(principal))]


def create_code_list(db: Session, principal: Principal, payload: Mapping[str, Any]) -> ManagedCodeList:
    publisher, found = _check(principal, payload)
    if store.code_list_row(db, found.id) is not None or any(c.id == found.id for c in codelists.code_lists()):
        raise CodeListExists(f"a code list {found.id!r} exists", list=found.id)
    document = found.model_dump_json()
    row = CatalogCodeList(
        id=found.id,
        publisher=publisher,
        status="draft",
        document=document,
        draft_document=document,
        version=1,
        updated_at=clock.now(),
    )
    db.add(row)
    db.flush()
    _record(db, row, "created", principal)
    return _managed(row)


def update_code_list(
    db: Session, principal: Principal, list_id: str, payload: Mapping[str, Any]
) -> ManagedCodeList:
    row = _own(db, principal, list_id)
    publisher, found = _check(principal, {**payload, "id": list_id})
    row.draft_document = found.model_dump_json()
    if row.status == "draft":
        row.document, row.publisher = row.draft_document, publisher
    row.version += 1
    row.updated_at = clock.now()
    _record(db, row, "updated", principal)
    return _managed(row)


def publish_code_list(db: Session, principal: Principal, list_id: str) -> ManagedCodeList:
    row = _own(db, principal, list_id)
    if row.draft_document is None:
        raise CodeListNotChangeable(f"code list {list_id!r} has no draft to publish", list=list_id)
    row.document, row.draft_document, row.status = row.draft_document, None, store.PUBLISHED
    row.version += 1
    row.updated_at = clock.now()
    _record(db, row, "published", principal)
    return _managed(row)


def withdraw_code_list(db: Session, principal: Principal, list_id: str) -> ManagedCodeList:
    row = _own(db, principal, list_id)
    if row.status != store.PUBLISHED:
        raise CodeListNotChangeable(f"code list {list_id!r} is not published", list=list_id)
    row.status = "withdrawn"
    row.version += 1
    row.updated_at = clock.now()
    _record(db, row, "withdrawn", principal)
    return _managed(row)
