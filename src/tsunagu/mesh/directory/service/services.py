"""Services: the versions a provider publishes, each with its data items and response schema."""

from __future__ import annotations

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.mesh.directory import records
from tsunagu.mesh.directory.models import (
    MeshService,
)
from tsunagu.mesh.directory.service.changes import (
    AlreadyRegistered,
    _dump,
    _read,
    _require_member,
    audit,
    invalid,
)


def _service_record(db: Session, provider: str, code: str, version_: str) -> MeshService | None:
    return db.scalar(
        select(MeshService).where(
            MeshService.provider == provider, MeshService.code == code, MeshService.version == version_
        )
    )


def put_service(db: Session, data: records.Service, actor: str) -> records.Service:
    """Publish a service version; its response schema must itself be a valid JSON Schema."""
    _require_member(db, data.provider, "provider")
    try:
        Draft202012Validator.check_schema(data.response_schema)
    except SchemaError as exc:
        raise invalid("response_schema", f"not a valid JSON Schema: {exc.message}", "json_schema") from None
    record = _service_record(db, data.provider, data.code, data.version)
    before = None if record is None else _dump(_read(records.Service, record))
    if record is None:
        record = MeshService(provider=data.provider, code=data.code, version=data.version)
        db.add(record)
    record.title_ja = data.title_ja
    record.items = [item.model_dump() for item in data.items]
    record.response_schema = data.response_schema
    audit(
        db,
        actor,
        "service.put",
        f"{data.provider}/{data.code}/{data.version}",
        before=before,
        after=_dump(data),
    )
    db.flush()
    return _read(records.Service, record)


def create_service(db: Session, data: records.Service, actor: str) -> records.Service:
    if _service_record(db, data.provider, data.code, data.version) is not None:
        raise AlreadyRegistered(f"{data.provider} already publishes {data.code} {data.version}")
    return put_service(db, data, actor)


def get_service(db: Session, provider: str, code: str, version_: str) -> records.Service | None:
    record = _service_record(db, provider, code, version_)
    return None if record is None else _read(records.Service, record)


def list_services(db: Session) -> list[records.Service]:
    rows = db.scalars(
        select(MeshService).order_by(MeshService.provider, MeshService.code, MeshService.version)
    )
    return [_read(records.Service, r) for r in rows]
