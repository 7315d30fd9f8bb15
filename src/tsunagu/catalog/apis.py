"""The API catalog (API カタログ): every service of the public service mesh — its provider, items,
response schema and the 事務 (legal bases) that let an organization call it — and every public
REST API of the platform, grouped as the OpenAPI document groups them.

The mesh directory is read, never written: the web layer hands in a reader
(``web/catalog_sources.py``), since the mesh is not below the catalog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tsunagu.catalog.definitions import Text
from tsunagu.core.errors import NotFound

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


class ServiceNotFound(NotFound):
    code = "catalog-service-not-found"
    title = "Mesh service not found"


@dataclass(frozen=True)
class Member:
    """A mesh member as people read it (its code stays for programs)."""

    code: str
    name: Text


@dataclass(frozen=True)
class ServiceItem:
    name: str
    type: str
    title: str


@dataclass(frozen=True)
class Caller:
    """An organization allowed to call a service for one 事務, and for which items."""

    basis_id: str
    title: str  # the 事務
    law: str  # the law and article, or 本人の同意
    consumer: Member
    items: tuple[str, ...]
    by_consent: bool
    revoked: bool


@dataclass(frozen=True)
class MeshService:
    provider: Member
    code: str
    version: str
    title: str
    items: tuple[ServiceItem, ...]
    response_schema: dict[str, Any]
    callers: tuple[Caller, ...]

    @property
    def key(self) -> str:
        return f"{self.provider.code}/{self.code}/{self.version}"


MeshDirectoryReader = Callable[[Session], list[MeshService]]


def mesh_services(db: Session, reader: MeshDirectoryReader | None) -> list[MeshService]:
    """Every service in the mesh directory, by provider and code (none when no reader is handed in)."""
    found = reader(db) if reader else []
    return sorted(found, key=lambda s: (s.provider.code, s.code, s.version))


def require_service(
    db: Session, reader: MeshDirectoryReader | None, provider: str, code: str, version: str
) -> MeshService:
    for service in mesh_services(db, reader):
        if (service.provider.code, service.code, service.version) == (provider, code, version):
            return service
    raise ServiceNotFound(
        f"no mesh service {code!r} {version!r} provided by {provider!r}",
        provider=provider,
        service=code,
        version=version,
    )


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str


@dataclass(frozen=True)
class RestApi:
    """One group (OpenAPI tag) of the platform's REST API."""

    tag: str
    operations: tuple[Operation, ...]


def rest_apis(openapi: dict[str, Any]) -> list[RestApi]:
    """The public REST API by tag, read from the app's own OpenAPI document."""
    groups: dict[str, list[Operation]] = {}
    for path, item in openapi.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or ["other"])[0]
            summary = operation.get("summary") or operation.get("operationId", "")
            groups.setdefault(tag, []).append(Operation(method.upper(), path, summary))
    return [
        RestApi(tag, tuple(sorted(ops, key=lambda o: (o.path, o.method))))
        for tag, ops in sorted(groups.items())
    ]
