"""連携照会 (staff): query another organization through this organization's node, then see the
result and the log entries the exchange left on both sides."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_staff
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.mesh import errors
from tsunagu.mesh.deps import MeshNodes
from tsunagu.mesh.node import staff_query
from tsunagu.mesh.node.context import NodeContext
from tsunagu.mesh.node.embedded import EmbeddedNodes

router = APIRouter(prefix="/mesh/query", include_in_schema=False, dependencies=[Depends(csrf.protect)])
STAFF = require_staff()  # which roles may query is staff_query.node_for's to decide


def _node(nodes: EmbeddedNodes, principal: Principal) -> NodeContext:
    return staff_query.node_for(principal, nodes.context)


def _form(
    request: Request,
    db: Session,
    ctx: NodeContext,
    context: dict[str, object] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "mesh/query.html",
        {"bases": staff_query.bases_of(db, ctx), "organization": ctx.organization_code, **(context or {})},
        status_code=status_code,
    )


@router.get("", response_class=HTMLResponse)
def query_form(
    request: Request, nodes: MeshNodes, principal: Principal = Depends(STAFF), db: Session = TRANSACTION
) -> HTMLResponse:
    return _form(request, db, _node(nodes, principal))


@router.post("", response_class=HTMLResponse)
def run_query(
    request: Request,
    nodes: MeshNodes,
    *,
    purpose: str = Form(...),
    person: str = Form(..., max_length=64),
    principal: Principal = Depends(STAFF),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """Ask the provider named by the 事務 for the items it allows."""
    ctx = _node(nodes, principal)
    basis = staff_query.basis_for(db, ctx, purpose)
    if basis is None:
        return _form(request, db, ctx, {"error": "この事務では照会できません。", "person": person}, 422)
    try:
        answered = staff_query.ask(ctx, db, basis, person.strip())
    except errors.MeshDenied as exc:
        return _form(request, db, ctx, {"error": f"{exc.code}: {exc.detail}", "person": person}, exc.status)
    return _form(
        request,
        db,
        ctx,
        {"result": answered.result, "basis": basis, "entries": answered.entries, "person": person},
    )
