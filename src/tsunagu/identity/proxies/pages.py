"""People's pages: register and withdraw proxies (代理人).

A proxy is chosen as a person, never by typing an id: a member of your household from a list, or
someone else found by their full name in kana and date of birth (both exact, so the page reveals
nobody to a guess). Procedures are chosen from the catalogue's names (``core.http.deps.procedure_names_of``,
installed by ``web``; identity does not read the procedures part itself).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import require_resident
from tsunagu.core.http.deps import procedure_names_of
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.params import Day
from tsunagu.core.http.templating import locale_of, render
from tsunagu.core.sessions import Principal
from tsunagu.core.types.text import normalize_width, to_katakana
from tsunagu.core.types.wareki import parse_date
from tsunagu.identity.history.http import COMMITTED
from tsunagu.identity.proxies import service
from tsunagu.registry.residents import service as residents

router = APIRouter(prefix="/identity/proxies", include_in_schema=False, dependencies=[Depends(csrf.protect)])

#: a registration refused, in words (the service's messages are for developers)
PROBLEMS = {
    "self": N_("ご自身を代理人にすることはできません。"),
    "unknown-resident": N_("代理人にする人を選んでください。"),
    "date-past": N_("終了日は明日以降の日付を選んでください。"),
    "missing": N_("対象の手続を一つ以上選ぶか、「すべての手続」を選んでください。"),
}
NOT_FOUND = N_("その氏名（カナ）と生年月日の方は見つかりませんでした。全角・半角やスペースは問いません。")
BAD_DATE = N_("生年月日は 平成2年4月1日 または 1990-04-01 の形で入力してください。")


def _kana(text: str) -> str:
    return to_katakana(normalize_width(text)).replace(" ", "").replace("　", "")


def _procedure_names(request: Request) -> dict[str, str]:
    return procedure_names_of(request)(locale_of(request))


def _found(
    db: Session, me: residents.ResidentRecord, kana: str, birth: date
) -> list[residents.ResidentRecord]:
    """Living residents with exactly this full kana name and date of birth (in my municipality)."""
    wanted = _kana(kana)
    candidates, _total = residents.find_residents(
        db, me.municipality_code, residents.SearchQuery(kana=wanted, birth_date=birth), limit=10
    )
    return [c for c in candidates if _kana(c.name.full_kana) == wanted and c.id != me.id]


def _page(
    request: Request,
    db: Session,
    principal: Principal,
    *,
    kana: str = "",
    birth_date: str = "",
    chosen: str = "",
    problems: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    me = residents.get_resident(db, principal.subject_id)
    grants = service.proxies_of(db, principal.subject_id)
    people = {g.proxy_id for g in grants} | {g.principal_id for g in grants}
    names = {pid: record.name.full for pid in people if (record := residents.get_resident(db, pid))}
    household = [m for m in residents.household_members(db, me.household_id) if m.id != me.id] if me else []
    found: list[residents.ResidentRecord] = []
    search_problem = ""
    if kana.strip() and birth_date.strip() and me is not None:
        try:
            found = _found(db, me, kana, parse_date(birth_date))
        except ValidationFailed:
            search_problem = BAD_DATE
        else:
            search_problem = "" if found else NOT_FOUND
    return render(
        request,
        "identity/proxies/proxies.html",
        {
            "grants": grants,
            "names": names,
            "household": household,
            "found": found,
            "kana": kana,
            "birth_date": birth_date,
            "search_problem": search_problem,
            "chosen": chosen,
            "procedure_names": _procedure_names(request),
            "problems": problems or [],
            "today": clock.today_jst().date(),
        },
        status_code=status_code,
    )


@router.get("", response_class=HTMLResponse)
def proxies_page(
    request: Request,
    *,
    kana: str = Query("", max_length=100),
    birth_date: str = Query("", max_length=20),
    principal: Principal = Depends(require_resident),
    db: Session = COMMITTED,
) -> HTMLResponse:
    """代理人の設定: who may act for me (and for whom I act); register someone by choosing them."""
    return _page(request, db, principal, kana=kana, birth_date=birth_date)


@router.post("", response_model=None)
def register(
    request: Request,
    *,
    proxy_id: str = Form("", max_length=64),
    scope: str = Form("all", pattern="^(all|some)$"),
    procedures: list[str] = Form([], max_length=64),
    ends_on: Day = Form(...),
    kana: str = Form("", max_length=100),
    birth_date: str = Form("", max_length=20),
    principal: Principal = Depends(require_resident),
    db: Session = COMMITTED,
) -> Response:
    named = procedures if scope == "some" else None
    try:
        service.register_proxy(db, principal.subject_id, proxy_id.strip(), procedures=named, ends_on=ends_on)
    except ValidationFailed as exc:
        problems = [PROBLEMS.get(str(e.get("type")), PROBLEMS["unknown-resident"]) for e in exc.errors]
        return _page(
            request,
            db,
            principal,
            kana=kana,
            birth_date=birth_date,
            chosen=proxy_id,
            problems=list(dict.fromkeys(problems)),
            status_code=422,
        )
    return RedirectResponse("/identity/proxies?registered=1", status_code=303)


@router.post("/{grant_id}/withdraw", response_model=None)
def withdraw(
    grant_id: str, principal: Principal = Depends(require_resident), db: Session = COMMITTED
) -> Response:
    service.withdraw_proxy(db, principal.subject_id, grant_id)
    return RedirectResponse("/identity/proxies?withdrawn=1", status_code=303)
