"""照会 by a member organization's staff: the use case behind the node's query page (``/mesh/query``).

Which person the staff member means, which 事務 they may ask under, and what the exchange left in
the logs are rules of the mesh, not of the page; the page parses the form and renders this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import authz, sessions
from tsunagu.core.authz import Operation
from tsunagu.core.errors import NotFound
from tsunagu.mesh import errors
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import records as directory_records
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.log.models import MeshLogEntry
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node import service as node
from tsunagu.mesh.node.context import NodeContext
from tsunagu.mesh.node.models import MeshNodePerson
from tsunagu.registry.residents import service as residents


@dataclass(frozen=True)
class Answered:
    """The provider's answer and every log entry the exchange left (consumer, directory, provider)."""

    result: wire.QueryResult
    entries: list[MeshLogEntry]


def node_for(staff: sessions.Principal, contexts: Callable[[str], NodeContext | None]) -> NodeContext:
    """The node of the staff member's own organization, if their role may operate it (審査/管理)."""
    authz.require(staff, Operation.OPERATE_NODE)
    ctx = contexts(staff.organization_code or "")
    if ctx is None:
        raise NotFound(f"{staff.organization_code} has no mesh node in this deployment")
    return ctx


def bases_of(db: Session, ctx: NodeContext) -> list[directory_records.LegalBasis]:
    """The 事務 this organization may ask under (it is their consumer)."""
    return [b for b in directory.list_legal_bases(db) if b.consumer == ctx.organization_code]


def basis_for(db: Session, ctx: NodeContext, purpose: str) -> directory_records.LegalBasis | None:
    """The 事務 ``purpose`` if this organization may ask under it, else None."""
    basis = directory.get_legal_basis(db, purpose)
    return basis if basis is not None and basis.consumer == ctx.organization_code else None


def subject_of(db: Session, ctx: NodeContext, local_id: str) -> str:
    """This organization's code for the person it knows as ``local_id``.

    A municipality's staff name a person by resident id. The code says nothing about whether the
    city may read about them: only a person the registry holds as its resident is recorded as
    related here; anyone else is asked about as is, and the directory refuses the query unless
    another relation (an application) was recorded — ``mesh-subject-not-related``, logged."""
    code = db.scalar(
        select(MeshNodePerson.code).where(
            MeshNodePerson.organization_code == ctx.organization_code, MeshNodePerson.local_id == local_id
        )
    )
    member = directory.get_organization(db, ctx.organization_code)
    if code is None and member is not None and member.kind == "municipal":
        person = residents.get_resident(db, local_id)
        if person is None:
            raise errors.UnknownSubject(f"{ctx.organization_code} does not know {local_id!r}")
        code = codes.code_for(db, ctx.organization_code, local_id)
        if person.municipality_code == ctx.organization_code:
            codes.relate(db, ctx.organization_code, local_id, "resident")
    if code is None:
        raise errors.UnknownSubject(f"{ctx.organization_code} does not know {local_id!r}")
    return code


def ask(ctx: NodeContext, db: Session, basis: directory_records.LegalBasis, local_id: str) -> Answered:
    """Ask the provider named by the 事務 for the items it allows about the person ``local_id``."""
    with ctx.database.session() as own:  # the code is issued in its own transaction: the exchange
        subject = subject_of(own, ctx, local_id)  # writes its logs in others
    result = node.query(
        ctx,
        wire.LocalQuery(
            provider=basis.provider,
            service=basis.service_code,
            purpose=basis.id,
            subject=subject,
            items=basis.items,
        ),
    )
    return Answered(result, message_log.entries_of_request(db, result.request_id))
