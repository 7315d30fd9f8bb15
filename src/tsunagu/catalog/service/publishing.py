"""Publishing datasets (データセットの登録・公開): the registries' own datasets written at seed time,
and publisher staff's datasets written in the console or by the API as drafts, then published
or withdrawn. Every change is one transaction (nothing half-saved), lands in the audit trail
(変更履歴) and raises the catalog's modified date.

Staff hold the 公開 (or 管理) role and write only for the publishers their organization belongs
to (``organizations`` of the publisher in ``definitions/vocabularies.yaml``). The datasets a
registry registers are described by the registry's definition file and are not edited here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlalchemy.orm import Session

from tsunagu.catalog import store
from tsunagu.catalog.definitions import Dataset, reference_problems
from tsunagu.catalog.models import CatalogDataset, CatalogEvent
from tsunagu.catalog.service.common import DatasetNotFound, catalog
from tsunagu.catalog.service.search import facet_terms, index_text
from tsunagu.core import authz, clock
from tsunagu.core.errors import Conflict, Forbidden, ValidationFailed
from tsunagu.core.sessions import Principal

__all__ = [
    "DCAT_PROPERTIES",
    "DatasetExists",
    "DatasetIncomplete",
    "DatasetInvalid",
    "DatasetRegisteredByRegistry",
    "DistributionUrlInvalid",
    "DraftRow",
    "NothingToPublish",
    "UnknownTerm",
    "check_dataset",
    "console_datasets",
    "create_dataset",
    "dataset_events",
    "draft_of",
    "publish_dataset",
    "register_shipped",
    "update_dataset",
    "withdraw_dataset",
    "writable_publishers",
]

#: our field → the DCAT-AP property it carries (named in the messages of a refusal)
DCAT_PROPERTIES = {
    "id": "dct:identifier",
    "title": "dct:title",
    "description": "dct:description",
    "publisher": "dct:publisher",
    "legal_basis": "dcatap:applicableLegislation",
    "license": "dct:license",
    "frequency": "dct:accrualPeriodicity",
    "spatial": "dct:spatial",
    "themes": "dcat:theme",
    "keywords": "dcat:keyword",
    "contact": "dcat:contactPoint",
    "access": "dct:accessRights",
    "distributions": "dcat:distribution",
}


class DatasetIncomplete(ValidationFailed):
    code = "catalog-dataset-incomplete"
    title = "A mandatory DCAT property is missing"


class UnknownTerm(ValidationFailed):
    code = "catalog-unknown-term"
    title = "Unknown licence, theme, publisher or frequency"


class DistributionUrlInvalid(ValidationFailed):
    code = "catalog-distribution-url-invalid"
    title = "A distribution's address is not a usable URL"


class DatasetInvalid(ValidationFailed):
    code = "catalog-dataset-invalid"
    title = "The dataset breaks a rule of the catalog"


class DatasetExists(Conflict):
    code = "catalog-dataset-exists"
    title = "A dataset with this id exists"


class DatasetRegisteredByRegistry(Conflict):
    code = "catalog-dataset-registered"
    title = "This dataset is described by its registry"


class NothingToPublish(Conflict):
    code = "catalog-nothing-to-publish"
    title = "No draft to publish"


def _now() -> datetime:
    return clock.now()


def _today() -> date:
    return clock.today_jst().date()


def _error(field: str, message: str, value: Any = None) -> dict[str, Any]:
    found = {"field": field, "message": message}
    if field in DCAT_PROPERTIES:
        found["property"] = DCAT_PROPERTIES[field]
    if value is not None:
        found["value"] = value
    return found


def _url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a distribution's address (none if it can): an absolute http(s) URL
    with a host, or a path on this server."""
    if url != url.strip() or any(c.isspace() for c in url):
        return "the address holds spaces"
    if url.startswith("/") and not url.startswith("//"):
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "the address must start with https:// or http:// (or / for this server)"
    if not parts.hostname or ("." not in parts.hostname and parts.hostname != "localhost"):
        return "the address has no host name"
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return "the address's port is not a number"
    return None


def check_dataset(payload: Mapping[str, Any], modified: date) -> Dataset:
    """A staff member's dataset as the catalog stores it, or the refusal naming every problem:
    a missing mandatory DCAT property first, then unknown terms, then broken distribution URLs,
    then any other rule. Distributions written here are addresses (``url``): tables are the
    registries' own."""
    try:
        dataset = Dataset.model_validate({**payload, "modified": modified.isoformat()})
    except ValidationError as error:
        missing, other = [], []
        for e in error.errors():
            field = str(e["loc"][0]) if e["loc"] else "(dataset)"
            where = ".".join(str(p) for p in e["loc"])
            if e["type"] in ("missing", "too_short", "string_too_short") and field in DCAT_PROPERTIES:
                missing.append(_error(field, f"{where}: {DCAT_PROPERTIES[field]} is mandatory"))
            else:
                other.append(_error(field, f"{where}: {e['msg']}"))
        if missing:
            raise DatasetIncomplete(
                "missing: " + ", ".join(sorted({m["property"] for m in missing})), errors=missing + other
            ) from None
        raise DatasetInvalid("; ".join(o["message"] for o in other), errors=other) from None
    problems = reference_problems(dataset, catalog().vocabularies)
    unknown = [_error(p.field, p.message) for p in problems if p.kind == "unknown"]
    if unknown:
        raise UnknownTerm("; ".join(u["message"] for u in unknown), errors=unknown)
    urls = []
    for i, distribution in enumerate(dataset.distributions):
        if distribution.table or distribution.datapackage:
            urls.append(_error(f"distributions.{i}", "a table is published only by its registry"))
        elif distribution.url is not None and (why := _url_problem(distribution.url)):
            urls.append(_error(f"distributions.{i}.url", f"{distribution.url!r}: {why}", distribution.url))
    if urls:
        raise DistributionUrlInvalid("; ".join(u["message"] for u in urls), errors=urls)
    rules = [_error(p.field, p.message) for p in problems]
    if rules:
        raise DatasetInvalid("; ".join(r["message"] for r in rules), errors=rules)
    return dataset


def writable_publishers(principal: Principal) -> list[str]:
    """The publishers a staff member writes for (by their organization)."""
    authz.require(principal, authz.Operation.PUBLISH_DATA)
    publishers = catalog().vocabularies.publishers
    return [key for key, p in publishers.items() if principal.organization_code in p.organizations]


def _require_publisher(principal: Principal, publisher: str) -> None:
    if publisher not in writable_publishers(principal):
        raise Forbidden(f"staff of {principal.organization_code} do not publish for {publisher!r}")


def _index(db: Session, row: CatalogDataset, dataset: Dataset | None) -> None:
    """Put the published description in the search (``None``: take the dataset out of it)."""
    if dataset is None:
        store.write_index(db, row.id, None, ())
        return
    row.search_text = index_text(dataset)
    store.write_index(db, row.id, row.search_text, facet_terms(dataset))


def _record(db: Session, row: CatalogDataset, action: str, actor: str, organization: str) -> None:
    document = row.draft_document or row.document
    store.record(
        db,
        at=_now(),
        subject_kind="dataset",
        subject_id=row.id,
        action=action,
        version=row.version,
        actor=actor,
        organization=organization,
        document=document,
    )


def register_shipped(db: Session) -> int:
    """The registries' datasets (``definitions/datasets``) written and published; a dataset
    already registered with the same description is left as it is. Returns how many changed."""
    changed = 0
    for dataset in catalog().datasets:
        document = dataset.model_dump_json()
        row = store.get(db, dataset.id)
        if row is not None and row.document == document and row.status == store.PUBLISHED:
            continue
        if row is None:
            row = CatalogDataset(id=dataset.id, origin="registry", version=0, draft_document=None)
            row.search_text = ""
            db.add(row)
        row.publisher, row.access, row.title_ja = dataset.publisher, dataset.access, dataset.title.ja
        row.status, row.modified, row.document = store.PUBLISHED, dataset.modified, document
        row.version += 1
        row.updated_at = _now()
        db.flush()
        _index(db, row, dataset)
        _record(db, row, "registered", "seed", "")
        changed += 1
    return changed


@dataclass(frozen=True)
class DraftRow:
    """A dataset as the console shows it: what the public sees and the pending edit."""

    id: str
    status: str
    origin: str
    version: int
    dataset: Dataset  # the draft when there is one, else the published description
    published: Dataset | None
    has_draft: bool


def _draft_row(row: CatalogDataset) -> DraftRow:
    current = Dataset.model_validate_json(row.draft_document or row.document)
    published = Dataset.model_validate_json(row.document) if row.status != "draft" else None
    return DraftRow(
        row.id, row.status, row.origin, row.version, current, published, row.draft_document is not None
    )


def _own_row(db: Session, principal: Principal, dataset_id: str, *, change: bool = True) -> CatalogDataset:
    """A dataset of the staff member's publishers; to ``change``, one written in the console."""
    row = store.get(db, dataset_id)
    if row is None:
        raise DatasetNotFound(f"no dataset {dataset_id!r} in the catalog", dataset_id=dataset_id)
    _require_publisher(principal, row.publisher)
    if change and row.origin != "console":
        raise DatasetRegisteredByRegistry(
            f"dataset {dataset_id!r} is described by its registry's definition file", dataset_id=dataset_id
        )
    return row


def console_datasets(db: Session, principal: Principal) -> list[DraftRow]:
    """Every dataset (drafts, published, withdrawn) of the publishers the staff member writes for."""
    return [_draft_row(r) for r in store.datasets_of(db, writable_publishers(principal))]


def draft_of(db: Session, principal: Principal, dataset_id: str) -> DraftRow:
    return _draft_row(_own_row(db, principal, dataset_id, change=False))


def create_dataset(db: Session, principal: Principal, payload: Mapping[str, Any]) -> DraftRow:
    """A new dataset, as a draft (not found by the public until published)."""
    dataset = check_dataset(payload, _today())
    _require_publisher(principal, dataset.publisher)
    if store.get(db, dataset.id) is not None:
        raise DatasetExists(f"a dataset {dataset.id!r} exists", dataset_id=dataset.id)
    document = dataset.model_dump_json()
    row = CatalogDataset(
        id=dataset.id,
        publisher=dataset.publisher,
        status="draft",
        origin="console",
        access=dataset.access,
        title_ja=dataset.title.ja,
        modified=dataset.modified,
        document=document,
        draft_document=document,
        search_text="",
        version=1,
        updated_at=_now(),
    )
    db.add(row)
    db.flush()
    _record(db, row, "created", principal.subject_id, principal.organization_code or "")
    return _draft_row(row)


def update_dataset(
    db: Session, principal: Principal, dataset_id: str, payload: Mapping[str, Any]
) -> DraftRow:
    """A new draft of a console dataset; the published description stays until it is published."""
    row = _own_row(db, principal, dataset_id)
    dataset = check_dataset({**payload, "id": dataset_id}, _today())
    _require_publisher(principal, dataset.publisher)
    row.draft_document = dataset.model_dump_json()
    if row.status == "draft":
        row.document = row.draft_document
        row.publisher, row.title_ja, row.access = dataset.publisher, dataset.title.ja, dataset.access
    row.version += 1
    row.updated_at = _now()
    _record(db, row, "updated", principal.subject_id, principal.organization_code or "")
    return _draft_row(row)


def publish_dataset(db: Session, principal: Principal, dataset_id: str) -> DraftRow:
    """The draft becomes what the public sees (and is found by), modified today."""
    row = _own_row(db, principal, dataset_id)
    if row.draft_document is None and row.status == store.PUBLISHED:
        raise NothingToPublish(f"dataset {dataset_id!r} has no draft to publish", dataset_id=dataset_id)
    draft = Dataset.model_validate_json(row.draft_document or row.document)
    dataset = draft.model_copy(update={"modified": _today()})
    row.document, row.draft_document = dataset.model_dump_json(), None
    row.publisher, row.title_ja, row.access = dataset.publisher, dataset.title.ja, dataset.access
    row.status, row.modified = store.PUBLISHED, dataset.modified
    row.version += 1
    row.updated_at = _now()
    _index(db, row, dataset)
    _record(db, row, "published", principal.subject_id, principal.organization_code or "")
    return _draft_row(row)


def withdraw_dataset(db: Session, principal: Principal, dataset_id: str) -> DraftRow:
    """Taken out of the public catalog (kept, with its history, to publish again)."""
    row = _own_row(db, principal, dataset_id)
    if row.status != store.PUBLISHED:
        raise NothingToPublish(f"dataset {dataset_id!r} is not published", dataset_id=dataset_id)
    row.status = "withdrawn"
    row.version += 1
    row.updated_at = _now()
    _index(db, row, None)
    _record(db, row, "withdrawn", principal.subject_id, principal.organization_code or "")
    return _draft_row(row)


def dataset_events(db: Session, principal: Principal, dataset_id: str) -> list[CatalogEvent]:
    """The audit trail of one dataset, newest first."""
    _own_row(db, principal, dataset_id, change=False)
    return store.events(db, "dataset", dataset_id)
