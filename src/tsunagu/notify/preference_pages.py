"""お知らせの受け取り方: the person adds e-mail, SMS or an app (with consent), picks the kinds of
お知らせ each receives, removes them, and sees how recent お知らせ were delivered (no JavaScript)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_resident
from tsunagu.core.http.templating import render
from tsunagu.core.messages import N_
from tsunagu.core.sessions import Principal
from tsunagu.notify import channels, dispatch
from tsunagu.notify import service as inbox

PAGE = "/notify/preferences"
router = APIRouter(prefix=PAGE, include_in_schema=False, dependencies=[Depends(csrf.protect)])


async def channel_form(request: Request) -> dict[str, object]:
    form = await request.form()
    return {
        "kind": str(form.get("kind", ""))[:16],
        "address": str(form.get("address", ""))[:300],
        "label": str(form.get("label", ""))[:100],
        "locale": str(form.get("locale", "ja"))[:2],
        "consent": form.get("consent") == "on",
        "kinds": [str(k) for k in form.getlist("kinds")][:8],
    }


def _done(done: str) -> str:
    return done if done in ("added", "removed", "changed", "resent", "confirmed") else ""


def _page(
    request: Request,
    db: Session,
    person: Principal,
    *,
    values: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
    done: str = "",
    values_code: dict[int, str] | None = None,
    remaining: int = 0,
    status_code: int = 200,
) -> HTMLResponse:
    recent, _total = inbox.inbox(db, person.subject_id, limit=5)
    mine = channels.channels_of(db, person.subject_id)
    return render(
        request,
        "notify/preferences.html",
        {
            "channels": mine,
            "secrets": {
                c.id: channels.webhook_secret(db, person.subject_id, c.id)
                for c in mine
                if c.kind == "webhook"
            },
            "values": values or {"kind": "email", "kinds": channels.DEFAULT_KINDS, "locale": "ja"},
            "errors": errors or {},
            "done": done,
            "message_kinds": channels.MESSAGE_KINDS,
            "recent": [(m, dispatch.states_of(db, person.subject_id, m.id)) for m in recent],
            "max_channels": channels.MAX_CHANNELS,
            "codes": values_code or {},
            "remaining": remaining,
        },
        status_code=status_code,
    )


@router.get("", response_class=HTMLResponse)
def preferences_page(
    request: Request, done: str = "", person: Principal = Depends(require_resident), db: Session = TRANSACTION
) -> HTMLResponse:
    return _page(request, db, person, done=_done(done))


@router.post("/channels", response_class=HTMLResponse, response_model=None)
def add_channel(
    request: Request,
    values: dict[str, object] = Depends(channel_form),
    person: Principal = Depends(require_resident),
    db: Session = TRANSACTION,
) -> Response:
    kinds = values["kinds"]
    try:
        channels.add_channel(
            db,
            person.subject_id,
            str(values["kind"]),
            str(values["address"]),
            kinds=list(kinds) if isinstance(kinds, list) else [],
            label=str(values["label"]),
            locale=str(values["locale"]),
            consent=bool(values["consent"]),
        )
    except ValidationFailed as exc:
        errors = {str(e["location"][-1]): str(e.get("message_id") or e["message"]) for e in exc.errors}
        return _page(request, db, person, values=values, errors=errors, status_code=422)
    return RedirectResponse(f"{PAGE}?done=added", status_code=303)


@router.post("/channels/{channel_id}/kinds", response_class=HTMLResponse, response_model=None)
def change_kinds(
    request: Request,
    channel_id: int,
    values: dict[str, object] = Depends(channel_form),
    person: Principal = Depends(require_resident),
    db: Session = TRANSACTION,
) -> Response:
    kinds = values["kinds"]
    try:
        channels.set_kinds(db, person.subject_id, channel_id, list(kinds) if isinstance(kinds, list) else [])
    except ValidationFailed as exc:
        message = str(exc.errors[0].get("message_id")) if exc.errors else exc.detail
        return _page(request, db, person, errors={f"kinds-{channel_id}": message}, status_code=422)
    return RedirectResponse(f"{PAGE}?done=changed", status_code=303)


@router.post("/channels/{channel_id}/delete")
def remove_channel(
    channel_id: int, person: Principal = Depends(require_resident), db: Session = TRANSACTION
) -> RedirectResponse:
    channels.remove_channel(db, person.subject_id, channel_id)
    return RedirectResponse(f"{PAGE}?done=removed", status_code=303)


@router.post("/channels/{channel_id}/confirm", response_class=HTMLResponse, response_model=None)
def resend_confirmation(
    request: Request,
    channel_id: int,
    person: Principal = Depends(require_resident),
    db: Session = TRANSACTION,
) -> Response:
    """Send the confirmation e-mail (or SMS code) again (a new one; the old one stops working)."""
    try:
        channels.resend_confirmation(db, person.subject_id, channel_id)
    except channels.ConfirmationTooOften:
        message = N_("確認のメールは1時間に3回まで送れます。しばらくしてからお試しください。")
        return _page(request, db, person, errors={f"kinds-{channel_id}": message}, status_code=409)
    return RedirectResponse(f"{PAGE}?done=resent", status_code=303)


@router.post("/channels/{channel_id}/code", response_class=HTMLResponse, response_model=None)
async def confirm_code(
    request: Request,
    channel_id: int,
    person: Principal = Depends(require_resident),
    db: Session = TRANSACTION,
) -> Response:
    """確認コード: the six digits the SMS brought; a wrong one is counted (and kept in the field)."""
    code = str((await request.form()).get("code", ""))[:20]
    checked = channels.confirm_code(db, person.subject_id, channel_id, code)
    if checked.channel is None:
        errors = {f"code-{channel_id}": checked.problem}
        return _page(
            request,
            db,
            person,
            errors=errors,
            values_code={channel_id: code},
            remaining=checked.remaining,
            status_code=422,
        )
    return RedirectResponse(f"{PAGE}?done=confirmed", status_code=303)


@router.get("/confirm", response_class=HTMLResponse)
def confirmation_page(request: Request, token: str = "", db: Session = TRANSACTION) -> HTMLResponse:
    """The page a confirmation e-mail links to: which address, and a button (a mail scanner that
    follows links confirms nothing). No login needed: the link itself shows the mailbox is theirs."""
    try:
        channel = channels.confirmation_channel(db, token[:100])
    except channels.ConfirmationInvalid:
        return render(request, "notify/confirm.html", {"invalid": True}, status_code=404)
    return render(request, "notify/confirm.html", {"channel": channel, "token": token, "invalid": False})


@router.post("/confirm", response_class=HTMLResponse)
async def confirm(request: Request, db: Session = TRANSACTION) -> HTMLResponse:
    token = str((await request.form()).get("token", ""))[:100]
    try:
        channel = channels.confirm(db, token)
    except channels.ConfirmationInvalid:
        return render(request, "notify/confirm.html", {"invalid": True}, status_code=404)
    return render(request, "notify/confirm.html", {"channel": channel, "confirmed": True, "invalid": False})
