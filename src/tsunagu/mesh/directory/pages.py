"""Directory console (管理 at the operator): members, services, 事務, subscriptions, dead letters."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.mesh.directory import schemas, service
from tsunagu.mesh.directory.api import actor_of, require_operator_admin
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.push import service as push
from tsunagu.mesh.settings import get_mesh_settings

router = APIRouter(prefix="/mesh/directory", include_in_schema=False, dependencies=[Depends(csrf.protect)])


def _console(request: Request, db: Session, errors: list[str] | None = None,
             form: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    entries, _ = message_log.recent(db, get_mesh_settings().operator, 20, 0)
    return render(request, "mesh/directory.html", {
        "organizations": service.list_organizations(db), "services": service.list_services(db),
        "bases": service.list_legal_bases(db), "subscriptions": service.list_subscriptions(db),
        "dead_letters": push.dead_letters(db, 50, 0)[0], "audit": service.audit_trail(db, 20, 0)[0],
        "entries": entries, "errors": errors or [], "form": form or {}}, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def console(request: Request, _: Principal = Depends(require_operator_admin),
            db: Session = TRANSACTION) -> HTMLResponse:
    """公共サービスメッシュ ディレクトリ管理."""
    return _console(request, db)


@router.post("/legal-bases", response_class=HTMLResponse, response_model=None)
def put_legal_basis(request: Request, *, basis_id: str = Form(""), title_ja: str = Form(""),
                    law_ja: str = Form(""), consumer: str = Form(""), provider: str = Form(""),
                    service_code: str = Form(""), items: str = Form(""), withheld_days: int = Form(0),
                    withheld_category: str = Form(""),
                    principal: Principal = Depends(require_operator_admin),
                    db: Session = TRANSACTION) -> HTMLResponse | RedirectResponse:
    """事務の登録・変更 (audited)."""
    form = {"basis_id": basis_id, "title_ja": title_ja, "law_ja": law_ja, "consumer": consumer,
            "provider": provider, "service_code": service_code, "items": items,
            "withheld_days": str(withheld_days), "withheld_category": withheld_category}
    try:
        basis = schemas.LegalBasis(
            id=basis_id, title_ja=title_ja, law_ja=law_ja, consumer=consumer, provider=provider,
            service_code=service_code,
            items=[i.strip() for i in items.replace("、", ",").split(",") if i.strip()],
            withheld_days=withheld_days, withheld_category=withheld_category or None)
        service.put_legal_basis(db, basis, actor_of(principal))
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return _console(request, db, problems, form, 422)
    except ValidationFailed as exc:
        return _console(request, db, [exc.detail], form, 422)
    return RedirectResponse("/mesh/directory#bases", status_code=303)


@router.post("/dead-letters/{delivery_id}/requeue", response_model=None)
def requeue(delivery_id: int, _: Principal = Depends(require_operator_admin),
            db: Session = TRANSACTION) -> RedirectResponse:
    """Give a dead letter another set of attempts."""
    push.requeue(db, delivery_id)
    return RedirectResponse("/mesh/directory#dead-letters", status_code=303)
