"""People's pages: my operation history (操作履歴) and logout."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import require_principal
from tsunagu.core.http.deps import ProcedureNames
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.templating import locale_of, render
from tsunagu.core.sessions import Principal
from tsunagu.core.types.wareki import format_wareki
from tsunagu.identity.history import service
from tsunagu.identity.history.http import COMMITTED, end_session

router = APIRouter(prefix="/identity", include_in_schema=False, dependencies=[Depends(csrf.protect)])

# Message ids (Japanese) for each kind of history line; other parts' kinds show as recorded.
LABELS = {
    "login": "ログイン",
    "card-issued": "カードの発行",
    "card-revoked": "カードの失効",
    "proxy-registered": "代理人の登録",
    "proxy-granted": "代理人として登録された",
    "proxy-withdrawn": "代理人の解除",
    "acted-by-proxy": "代理人による手続",
    "acted-as-proxy": "代理人としての手続",
    "oidc_consent_given": "情報提供への同意",
    "oidc_consent_withdrawn": "同意の取消し",
    "business_prime_created": "事業者アカウントの作成",
    "password_reset": "パスワードの再設定",
    "sole-proprietor-opened": "個人事業主のアカウントの開設",
    "sole-proprietor-closed": "個人事業主のアカウントの廃業",
    "acting-as-business": "個人事業主としての操作に切替え",
    "acting-as-self": "個人としての操作に切替え",
}


# What a line says beyond its kind: each known detail by its label (ids of records, cards and
# certificates are plumbing and stay out; values that are codes are named).
DETAIL_LABELS = {
    "method": N_("方法"),
    "client_name": N_("サービス"),
    "reason": N_("理由"),
    "procedures": N_("手続"),
    "ends_on": N_("期限"),
    "corporate_number": N_("法人番号"),
    "signer_name": N_("署名した方"),
    "representative_title": N_("役職"),
    "trade_name": N_("屋号"),
    "closed_on": N_("廃業日"),
}
METHODS = {
    "my-number-card": N_("マイナンバーカード"),
    "staff-password-totp": N_("パスワードとワンタイムコード"),
    "business-password-totp": N_("パスワードとワンタイムコード"),
}


def describe(event: service.HistoryRecord, procedures: dict[str, str]) -> list[tuple[str, str]]:
    """The details of one history line a person can read, as (label message id, value)."""
    shown: list[tuple[str, str]] = []
    for key, label in DETAIL_LABELS.items():
        value = event.detail.get(key)
        if value in (None, "", [], "all"):
            continue
        if key == "method":
            value = METHODS.get(str(value), "")
        elif key in ("ends_on", "closed_on"):
            value = format_wareki(date.fromisoformat(str(value)))
        elif key == "procedures" and isinstance(value, list):
            value = "、".join(procedures.get(str(v), "") for v in value if str(v) in procedures)
        if value:
            shown.append((label, str(value)))
    return shown


@router.get("/history", response_class=HTMLResponse)
def history_page(
    request: Request,
    names: ProcedureNames,
    page: int = 0,
    principal: Principal = Depends(require_principal),
    db: Session = COMMITTED,
) -> HTMLResponse:
    events, total = service.events_of(
        db, principal.kind, principal.subject_id, limit=50, offset=max(page, 0) * 50
    )
    return render(
        request,
        "identity/history/history.html",
        {
            "events": events,
            "total": total,
            "labels": LABELS,
            "jst": clock.JST,
            "details": {e.id: describe(e, names(locale_of(request))) for e in events},
            "method_names": set(METHODS.values()),
        },
    )


@router.post("/logout", response_model=None)
def logout(request: Request, db: Session = COMMITTED) -> Response:
    response = RedirectResponse("/", status_code=303)
    end_session(request, response, db)
    return response
