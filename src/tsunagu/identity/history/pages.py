"""People's pages: my operation history (操作履歴) and logout."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import require_principal
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.identity.history import service
from tsunagu.identity.history.http import COMMITTED, end_session

router = APIRouter(prefix="/identity", include_in_schema=False, dependencies=[Depends(csrf.protect)])

# Message ids (Japanese) for each kind of history line; other parts' kinds show as recorded.
LABELS = {"login": "ログイン", "card-issued": "カードの発行", "card-revoked": "カードの失効",
          "proxy-registered": "代理人の登録", "proxy-granted": "代理人として登録された",
          "proxy-withdrawn": "代理人の解除", "acted-by-proxy": "代理人による手続",
          "acted-as-proxy": "代理人としての手続", "oidc_consent_given": "情報提供への同意",
          "oidc_consent_withdrawn": "同意の取消し", "business_prime_created": "事業者アカウントの作成",
          "password_reset": "パスワードの再設定"}


@router.get("/history", response_class=HTMLResponse)
def history_page(request: Request, page: int = 0, principal: Principal = Depends(require_principal),
                 db: Session = COMMITTED) -> HTMLResponse:
    events, total = service.events_of(db, principal.kind, principal.subject_id, limit=50,
                                      offset=max(page, 0) * 50)
    return render(request, "identity/history/history.html",
                  {"events": events, "total": total, "labels": LABELS, "jst": clock.JST})


@router.post("/logout", response_model=None)
def logout(request: Request, db: Session = COMMITTED) -> Response:
    response = RedirectResponse("/", status_code=303)
    end_session(request, response, db)
    return response
