"""マイページ: where a resident lands after login — お知らせ, 申請状況, やりとり履歴, わたしの情報,
代理人, 同意の管理 — and the one logout for everyone (resident, staff, business).

The page only reads: each part's own ``service`` gives its summary, and every list links on to
the part's full page.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from tsunagu.core import sessions
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_resident
from tsunagu.core.http.deps import AppSettings
from tsunagu.core.http.templating import render
from tsunagu.identity.business import service as business
from tsunagu.identity.history.http import COMMITTED, end_session
from tsunagu.identity.proxies import service as proxies
from tsunagu.mesh.history import service as history
from tsunagu.notify import service as notify
from tsunagu.procedures.api import live_registry
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.backoffice import service as backoffice
from tsunagu.procedures.registry import LiveRegistry
from tsunagu.registry.residents import service as residents

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf.protect)])
HOME = "/mypage"
LATEST = 3


@router.get(HOME, response_class=HTMLResponse)
def my_page(
    request: Request,
    settings: AppSettings,
    person: sessions.Principal = Depends(require_resident),
    registry: LiveRegistry = Depends(live_registry),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """マイページ: what is new for me, what I applied for, who used my data, who I am on record."""
    today = backoffice.today()
    messages, message_total = notify.inbox(db, person.subject_id, limit=LATEST)
    mine, application_total = applications.list_mine(db, person.subject_id, limit=5, offset=0)
    exchanges, exchange_total = history.exchanges_for(
        db, person.subject_id, limit=LATEST, operator=settings.mesh.operator
    )
    record = residents.get_resident(db, person.subject_id)
    grants = proxies.proxies_of(db, person.subject_id)
    consents = history.consents_for(db, person.subject_id)
    return render(
        request,
        "mypage.html",
        {
            "unread": notify.unread_count(db, person.subject_id),
            "messages": messages,
            "message_total": message_total,
            "applications": mine,
            "application_total": application_total,
            "procedures": registry.snapshot().procedures,
            "status_names": backoffice.STATUS_NAMES,
            "today": today,
            "exchanges": exchanges,
            "exchange_total": exchange_total,
            "resident": record,
            "access_total": residents.count_accesses(db, record.id) if record else 0,
            "my_proxies": [g for g in grants if g.principal_id == person.subject_id and g.active_on(today)],
            "represented": [g for g in grants if g.proxy_id == person.subject_id and g.active_on(today)],
            "active_consents": [c for c in consents if c.status == "active"],
            "sole_proprietorship": business.sole_proprietorship_of(db, person.subject_id),
        },
    )


@router.post("/logout")
def logout(request: Request, db: Session = COMMITTED) -> RedirectResponse:
    """ログアウト: the server forgets the session (not only the cookie) and the logout is recorded in
    the person's 操作履歴, for every kind of user."""
    response = RedirectResponse("/?logged_out=1", status_code=303)
    end_session(request, response, db)
    return response
