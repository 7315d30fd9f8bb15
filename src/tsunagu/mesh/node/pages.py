"""連携照会 (staff): query another organization through this organization's node, then see the
result and the log entries the exchange left on both sides."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core.errors import NotFound
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_staff
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.mesh import errors
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.log.models import MeshLogEntry
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node import service as node
from tsunagu.mesh.node.context import NodeContext
from tsunagu.mesh.node.models import MeshNodePerson
from tsunagu.registry.residents import service as residents

router = APIRouter(prefix="/mesh/query", include_in_schema=False, dependencies=[Depends(csrf.protect)])
STAFF = require_staff("審査", "管理")


def _node(request: Request, principal: Principal) -> NodeContext:
    ctx: NodeContext | None = request.app.state.mesh_nodes.context(principal.organization_code or "")
    if ctx is None:
        raise NotFound(f"{principal.organization_code} has no mesh node in this deployment")
    return ctx


def _subject(db: Session, ctx: NodeContext, local_id: str) -> str:
    """This organization's code for the person it knows as ``local_id``.

    A municipality's staff name a person by resident id. The code says nothing about whether the
    city may read about them: only a person the registry holds as its resident is recorded as
    related here; anyone else is asked about as is, and the directory refuses the query unless
    another relation (an application) was recorded — ``mesh-subject-not-related``, logged."""
    code = db.scalar(select(MeshNodePerson.code).where(
        MeshNodePerson.organization_code == ctx.organization_code, MeshNodePerson.local_id == local_id))
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


def _form(request: Request, db: Session, ctx: NodeContext, context: dict[str, object] | None = None,
          status_code: int = 200) -> HTMLResponse:
    bases = [b for b in directory.list_legal_bases(db) if b.consumer == ctx.organization_code]
    return render(request, "mesh/query.html", {"bases": bases, "organization": ctx.organization_code,
                                               **(context or {})}, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def query_form(request: Request, principal: Principal = Depends(STAFF),
               db: Session = TRANSACTION) -> HTMLResponse:
    return _form(request, db, _node(request, principal))


@router.post("", response_class=HTMLResponse)
def run_query(request: Request, purpose: str = Form(...), person: str = Form(..., max_length=64),
              principal: Principal = Depends(STAFF), db: Session = TRANSACTION) -> HTMLResponse:
    """Ask the provider named by the 事務 for the items it allows."""
    ctx = _node(request, principal)
    basis = directory.get_legal_basis(db, purpose)
    if basis is None or basis.consumer != ctx.organization_code:
        return _form(request, db, ctx, {"error": "この事務では照会できません。", "person": person}, 422)
    try:
        # the code is issued in its own transaction: the exchange writes logs in others
        with ctx.database.session() as own:
            subject = _subject(own, ctx, person.strip())
        result = node.query(ctx, wire.LocalQuery(provider=basis.provider, service=basis.service_code,
                                                 purpose=basis.id, subject=subject, items=basis.items))
    except errors.MeshDenied as exc:
        return _form(request, db, ctx, {"error": f"{exc.code}: {exc.detail}", "person": person}, exc.status)
    entries = list(db.scalars(select(MeshLogEntry).where(MeshLogEntry.request_id == result.request_id)
                              .order_by(MeshLogEntry.organization_code, MeshLogEntry.seq)))
    return _form(request, db, ctx, {"result": result, "basis": basis, "entries": entries, "person": person})
