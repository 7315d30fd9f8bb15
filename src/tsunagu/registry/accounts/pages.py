"""公金受取口座 pages of the person: see the account, register or change it, delete it (no JavaScript)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_resident
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal
from tsunagu.registry.accounts import bankcheck, service
from tsunagu.registry.accounts.wiring import bank_verifier

PAGE = "/registry/me/account"
router = APIRouter(prefix=PAGE, include_in_schema=False, dependencies=[Depends(csrf.protect)])
FIELDS = ("bank_code", "branch_code", "account_type", "account_number")


async def account_form(request: Request) -> dict[str, str]:
    """The account fields as typed (each cut at 20 characters: no code is longer)."""
    form = await request.form()
    return {name: str(form.get(name, ""))[:20] for name in FIELDS}


def _page(
    request: Request,
    db: Session,
    person: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    done: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    account = service.account_of(db, person.subject_id)
    return render(
        request,
        "registry_accounts/account.html",
        {
            "account": account,
            "values": values or {},
            "errors": errors or {},
            "done": done,
            "types": service.ACCOUNT_TYPES,
            "history": service.history_of(db, person.subject_id)[:5],
        },
        status_code=status_code,
    )


@router.get("", response_class=HTMLResponse)
def account_page(
    request: Request, done: str = "", person: Principal = Depends(require_resident), db: Session = TRANSACTION
) -> HTMLResponse:
    """公金受取口座の登録・変更: the registered account (masked) and the form."""
    return _page(request, db, person, done=done if done in ("registered", "deleted") else "")


@router.post("", response_class=HTMLResponse, response_model=None)
def register(
    request: Request,
    values: dict[str, str] = Depends(account_form),
    person: Principal = Depends(require_resident),
    bank: bankcheck.BankVerifier = Depends(bank_verifier),
    db: Session = TRANSACTION,
) -> Response:
    try:
        service.register(db, bank, person.subject_id, service.AccountIn(**values))
    except ValidationFailed as exc:
        errors = {str(e["location"][-1]): str(e.get("message_id") or e["message"]) for e in exc.errors}
        return _page(request, db, person, values=values, errors=errors or {"": exc.detail}, status_code=422)
    return RedirectResponse(f"{PAGE}?done=registered", status_code=303)


@router.post("/delete")
def delete(person: Principal = Depends(require_resident), db: Session = TRANSACTION) -> RedirectResponse:
    service.delete(db, person.subject_id)
    return RedirectResponse(f"{PAGE}?done=deleted", status_code=303)
