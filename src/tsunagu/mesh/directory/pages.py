"""Directory console (管理 at the operator): members and their keys, services, 事務, subscriptions,
dead letters and the audit trail. Every form posts back here; a refusal re-renders the form.

The routes only establish who is calling; the use cases (``service.admin``, ``keys``) decide."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any, get_args

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from tsunagu.core.errors import NotFound, TsunaguError, ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_staff
from tsunagu.core.http.deps import AppSettings, settings_of
from tsunagu.core.http.templating import render, translate
from tsunagu.core.messages import N_
from tsunagu.core.sessions import Principal
from tsunagu.mesh.directory import keys, schemas, service
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.push import service as push

router = APIRouter(prefix="/mesh/directory", include_in_schema=False, dependencies=[Depends(csrf.protect)])
STAFF = Depends(require_staff())
ITEM_ROWS = 3  # blank item rows offered below a service's items
AUDIT_PAGE = 50
Form = dict[str, str]
#: the console names what the directory stores as codes in the operator's words
LABELS = {
    "organization_kind_labels": {
        "national": N_("国の機関"),
        "municipal": N_("地方公共団体"),
        "agency": N_("独立行政法人等"),
        "private": N_("民間事業者"),
    },
    "event_labels": {
        "address_changed": N_("住所の変更"),
        "died": N_("死亡"),
        "name_changed": N_("氏名の変更"),
        "moved_out": N_("転出"),
        "moving_notice": N_("引越しの連絡"),
        "trade_name_changed": N_("商号の変更"),
        "head_office_moved": N_("本店の移転"),
        "representative_changed": N_("代表者の変更"),
        "dissolved": N_("解散"),
    },
    "log_kind_labels": {
        "authorization": N_("認可"),
        "denial": N_("拒否"),
        "request": N_("照会"),
        "response": N_("応答"),
        "notification": N_("通知"),
    },
    "log_result_labels": {
        "ok": N_("成功"),
        "sent": N_("送信"),
        "received": N_("受信"),
        "queued": N_("配信待ち"),
        "routed": N_("中継"),
    },
    "audit_action_labels": {
        "organization.create": N_("参加機関の登録"),
        "organization.update": N_("参加機関の変更"),
        "organization.activate": N_("参加機関の再開"),
        "organization.deactivate": N_("参加機関の停止"),
        "key.rotate": N_("署名鍵の更新"),
        "key.revoke": N_("署名鍵の失効"),
        "service.put": N_("サービスの公開"),
        "legal_basis.put": N_("事務の登録"),
        "legal_basis.revoke": N_("事務の廃止"),
        "subscription.create": N_("購読の登録"),
        "subscription.pause": N_("購読の一時停止"),
        "subscription.resume": N_("購読の再開"),
    },
}


async def form_fields(request: Request) -> Form:
    """Every text field of a posted form (the item rows of a service are not fixed names)."""
    return {key: value.strip() for key, value in (await request.form()).items() if isinstance(value, str)}


FORM = Depends(form_fields)


def _operator(request: Request) -> str:
    """The directory operator (デジタル庁, ``Settings.mesh.operator``), whose 管理 staff manage it."""
    return settings_of(request).mesh.operator


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("、", ",").split(",") if part.strip()]


#: the form fields a refusal names, in the words of the form's labels
FIELD_LABELS = {
    "code": N_("コード"),
    "name_ja": N_("名称"),
    "name_en": N_("名称(英語)"),
    "kind": N_("種別"),
    "endpoint": N_("接続先"),
    "provider": N_("提供機関"),
    "version": N_("版"),
    "title_ja": N_("名称"),
    "items": N_("提供を認める項目"),
    "response_schema": N_("応答の JSON Schema"),
    "basis_id": N_("事務のID"),
    "law_ja": N_("根拠法令(条文)"),
    "consumer": N_("照会元の機関コード"),
    "service_code": N_("サービス"),
    "withheld_category": N_("本人に非表示とする区分"),
    "withheld_days": N_("非表示とする日数"),
    "subscriber": N_("購読する機関"),
    "event": N_("イベント"),
    "legal_basis": N_("事務"),
    "scope": N_("同意の範囲"),
    "overlap_days": N_("重複期間(日)"),
    "reason": N_("失効の理由"),
}
#: what was wrong with a field, by the problem's type (the directory's own kinds, then Pydantic's)
FIELD_MESSAGES = {
    "unknown_organization": N_("参加機関ではありません。"),
    "endpoint_not_allowed": N_(
        "この環境では、ループバックアドレス(127.0.0.1、::1、localhost)の http(s) URL だけを使えます。"
    ),
    "unknown_scope": N_("その同意の範囲はありません。"),
    "json_schema": N_("JSON Schema として正しくありません。"),
    "json": N_("JSON として読めません。"),
    "missing": N_("入力してください。"),
    "string_too_short": N_("入力してください。"),
    "string_too_long": N_("長すぎます。"),
    "string_pattern_mismatch": N_("使えない文字が含まれています。"),
    "literal_error": N_("選んでください。"),
    "enum": N_("選んでください。"),
    "int_parsing": N_("数字で入力してください。"),
    "float_parsing": N_("数字で入力してください。"),
    "greater_than_equal": N_("小さすぎます。"),
    "less_than_equal": N_("大きすぎます。"),
    "url_parsing": N_("URL として読めません。"),
}
#: a refusal not about one field, by its code
REFUSALS = {
    "mesh-directory-already-registered": N_("同じコード(サービスは同じ版)のものがすでに登録されています。"),
    "mesh-legal-basis-revoked": N_("この事務はすでに廃止されています。"),
    "mesh-last-key": N_("有効な署名鍵がなくなります。先に新しい鍵に更新してから失効させてください。"),
    "mesh-operator-required": N_("運用機関は停止できません。"),
    "not-found": N_("見つかりません。一覧から選び直してください。"),
}
CHECK_INPUT = N_("入力内容を確認してください。")


def _problems(request: Request, exc: Exception) -> list[str]:
    """What was refused, in the operator's language: each field by its label, or the refusal
    (the services' details are written for developers, in English)."""
    if isinstance(exc, ValidationError):
        fields = [(str(e["loc"][0]) if e["loc"] else "", e["type"]) for e in exc.errors()]
    elif isinstance(exc, ValidationFailed):
        fields = [(str(e["location"][-1]), str(e.get("type", ""))) for e in exc.errors if e.get("location")]
    else:
        assert isinstance(exc, TsunaguError)
        return [translate(request, REFUSALS.get(exc.code, CHECK_INPUT))]
    said = [
        f"{translate(request, FIELD_LABELS[name])}: " if name in FIELD_LABELS else "" for name, _ in fields
    ]
    return [
        prefix + translate(request, FIELD_MESSAGES.get(kind, CHECK_INPUT))
        for prefix, (_, kind) in zip(said, fields, strict=True)
    ] or [translate(request, CHECK_INPUT)]


def _attempt(
    request: Request,
    change: Callable[[], object],
    done: str,
    again: Callable[[list[str], int], HTMLResponse],
) -> HTMLResponse | RedirectResponse:
    """Apply a change and go to ``done``, or show the form again with what was wrong."""
    try:
        change()
    except (ValidationError, TsunaguError) as exc:
        status = 422 if isinstance(exc, ValidationError) else exc.status
        if status >= 500 or status in (401, 403):
            raise
        return again(_problems(request, exc), status)
    return RedirectResponse(done, status_code=303)


# --- overview -----------------------------------------------------------------------------------


def _console(
    request: Request,
    caller: Principal,
    db: Session,
    *,
    errors: list[str] | None = None,
    form: Form | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    operator = _operator(request)
    return render(
        request,
        "mesh/directory.html",
        {
            "organizations": service.members_as(db, caller, operator),
            "services": service.services_as(db, caller, operator),
            "bases": service.legal_bases_as(db, caller, operator),
            "subscriptions": service.subscriptions_as(db, caller, operator),
            "dead_letters": push.dead_letters(db, caller, operator, 50, 0)[0],
            "audit": service.audit_trail_as(db, caller, operator, 10, 0)[0],
            "entries": message_log.recent(db, operator, 20, 0)[0],  # after the checks above
            "errors": errors or [],
            "form": form or {},
            "version": service.version_as(db, caller, operator),
            "event_kinds": get_args(schemas.EventKind),
            **LABELS,
        },
        status_code=status_code,
    )


@router.get("", response_class=HTMLResponse)
def console(request: Request, caller: Principal = STAFF, db: Session = TRANSACTION) -> HTMLResponse:
    """公共サービスメッシュ ディレクトリ管理."""
    return _console(request, caller, db)


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request, offset: int = 0, caller: Principal = STAFF, db: Session = TRANSACTION
) -> HTMLResponse:
    """監査記録: every change with who made it and the record before and after."""
    offset = max(offset, 0)
    entries, total = service.audit_trail_as(db, caller, _operator(request), AUDIT_PAGE, offset)
    return render(
        request,
        "mesh/directory_audit.html",
        {
            "entries": [
                (
                    e,
                    json.dumps(e.detail.get("before"), ensure_ascii=False, indent=1),
                    json.dumps(e.detail.get("after"), ensure_ascii=False, indent=1),
                )
                for e in entries
            ],
            "total": total,
            "offset": offset,
            "page_size": AUDIT_PAGE,
            **LABELS,
        },
    )


# --- members and keys ---------------------------------------------------------------------------


def _organization_page(
    request: Request,
    caller: Principal,
    db: Session,
    code: str | None,
    *,
    form: Form | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    operator = _operator(request)
    if code is None:  # the registration form (also shown again with a refusal) is theirs alone
        service.operator_admin(caller, operator)
    found = service.member_as(db, caller, operator, code) if code else None
    if code and found is None:
        raise NotFound(f"no member organization {code!r}")
    shown = form if form is not None else (found.model_dump(exclude={"keys"}) if found else {})
    return render(
        request,
        "mesh/directory_organization.html",
        {
            "organization": found,
            "form": shown,
            "errors": errors or [],
            "keys": keys.keys_as(db, caller, operator, found.code) if found else [],
            "kinds": get_args(schemas.OrganizationKind),
            **LABELS,
        },
        status_code=status_code,
    )


def _organization_in(form: Form) -> schemas.OrganizationIn:
    return schemas.OrganizationIn.model_validate(
        {field: form.get(field, "") for field in ("code", "name_ja", "name_en", "kind", "endpoint")}
    )


@router.get("/organizations/new", response_class=HTMLResponse)
def new_organization(request: Request, caller: Principal = STAFF, db: Session = TRANSACTION) -> HTMLResponse:
    return _organization_page(request, caller, db, None)


@router.post("/organizations", response_class=HTMLResponse, response_model=None)
def create_organization(
    request: Request, form: Form = FORM, caller: Principal = STAFF, db: Session = TRANSACTION
) -> HTMLResponse | RedirectResponse:
    """参加機関の登録 (409 when the code is taken)."""
    return _attempt(
        request,
        lambda: service.register_member_as(db, caller, _operator(request), _organization_in(form)),
        f"/mesh/directory/organizations/{form.get('code', '')}",
        lambda errors, status: _organization_page(
            request, caller, db, None, form=form, errors=errors, status_code=status
        ),
    )


@router.get("/organizations/{code}", response_class=HTMLResponse)
def organization(
    request: Request, code: str, caller: Principal = STAFF, db: Session = TRANSACTION
) -> HTMLResponse:
    return _organization_page(request, caller, db, code)


@router.post("/organizations/{code}", response_class=HTMLResponse, response_model=None)
def update_organization(
    request: Request, code: str, form: Form = FORM, caller: Principal = STAFF, db: Session = TRANSACTION
) -> HTMLResponse | RedirectResponse:
    """参加機関の変更 (its keys stay as they are)."""
    operator = _operator(request)
    if service.member_as(db, caller, operator, code) is None:
        raise NotFound(f"no member organization {code!r}")
    return _attempt(
        request,
        lambda: service.put_member_as(db, caller, operator, _organization_in(form | {"code": code})),
        f"/mesh/directory/organizations/{code}",
        lambda errors, status: _organization_page(
            request, caller, db, code, form=form, errors=errors, status_code=status
        ),
    )


@router.post("/organizations/{code}/active", response_model=None)
def set_active(
    code: str,
    settings: AppSettings,
    form: Form = FORM,
    caller: Principal = STAFF,
    db: Session = TRANSACTION,
) -> RedirectResponse:
    """Deactivate (its exchanges are refused) or activate again."""
    service.set_member_active_as(db, caller, settings.mesh.operator, code, form.get("active") == "1")
    return RedirectResponse(f"/mesh/directory/organizations/{code}", status_code=303)


@router.post("/organizations/{code}/keys", response_model=None)
def rotate_key(
    request: Request, code: str, form: Form = FORM, caller: Principal = STAFF, db: Session = TRANSACTION
) -> HTMLResponse | RedirectResponse:
    """署名鍵の更新: a new current key; the previous ones verify until the overlap ends."""

    def rotate() -> object:
        overlap = schemas.KeyRotation.model_validate({"overlap_days": form.get("overlap_days") or 7})
        return keys.rotate_as(db, caller, _operator(request), code, timedelta(days=overlap.overlap_days))

    return _attempt(
        request,
        rotate,
        f"/mesh/directory/organizations/{code}#keys",
        lambda errors, status: _organization_page(
            request, caller, db, code, errors=errors, status_code=status
        ),
    )


@router.post("/organizations/{code}/keys/revoke", response_model=None)
def revoke_key(
    request: Request, code: str, form: Form = FORM, caller: Principal = STAFF, db: Session = TRANSACTION
) -> HTMLResponse | RedirectResponse:
    """署名鍵の失効 (the kid travels in the form: it holds a ``#``)."""
    return _attempt(
        request,
        lambda: keys.revoke_as(
            db, caller, _operator(request), code, form.get("kid", ""), reason=form.get("reason", "")
        ),
        f"/mesh/directory/organizations/{code}#keys",
        lambda errors, status: _organization_page(
            request, caller, db, code, errors=errors, status_code=status
        ),
    )


# --- services -----------------------------------------------------------------------------------


def _service_page(
    request: Request,
    caller: Principal,
    db: Session,
    found: schemas.Service | None,
    *,
    form: Form | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    if form is None:
        form = {"provider": "", "code": "", "version": "v1", "title_ja": "", "response_schema": ""}
        if found is not None:
            form = found.model_dump(include={"provider", "code", "version", "title_ja"}) | {
                "response_schema": json.dumps(found.response_schema, ensure_ascii=False, indent=2)
            }
            for row, item in enumerate(found.items):
                form |= {
                    f"item_name_{row}": item.name,
                    f"item_type_{row}": item.type,
                    f"item_title_{row}": item.title_ja,
                }
    rows = 1 + max([int(k.rsplit("_", 1)[1]) for k in form if k.startswith("item_name_")] or [-1])
    return render(
        request,
        "mesh/directory_service.html",
        {
            "service": found,
            "form": form,
            "rows": range(rows + ITEM_ROWS),
            "errors": errors or [],
            "types": schemas.STANDARD_TYPES,
            "organizations": service.members_as(db, caller, _operator(request)),
        },
        status_code=status_code,
    )


def _service_in(form: Form) -> schemas.Service:
    rows = sorted({int(k.rsplit("_", 1)[1]) for k in form if k.startswith("item_name_")})
    items = [
        {
            "name": form[f"item_name_{r}"],
            "type": form.get(f"item_type_{r}", ""),
            "title_ja": form.get(f"item_title_{r}", ""),
        }
        for r in rows
        if form[f"item_name_{r}"]
    ]
    try:
        response_schema: Any = json.loads(form.get("response_schema") or "{}")
    except ValueError as exc:
        raise service.invalid("response_schema", f"not JSON: {exc}", "json") from None
    return schemas.Service.model_validate(
        {
            "provider": form.get("provider", ""),
            "code": form.get("code", ""),
            "version": form.get("version", ""),
            "title_ja": form.get("title_ja", ""),
            "items": items,
            "response_schema": response_schema,
        }
    )


@router.get("/services/new", response_class=HTMLResponse)
def new_service(request: Request, caller: Principal = STAFF, db: Session = TRANSACTION) -> HTMLResponse:
    return _service_page(request, caller, db, None)


@router.get("/services/{provider}/{code}/{version}", response_class=HTMLResponse)
def edit_service(
    *,
    request: Request,
    provider: str,
    code: str,
    version: str,
    caller: Principal = STAFF,
    db: Session = TRANSACTION,
) -> HTMLResponse:
    found = service.service_as(db, caller, _operator(request), provider, code, version_=version)
    if found is None:
        raise NotFound(f"no service {provider}/{code}/{version}")
    return _service_page(request, caller, db, found)


@router.post("/services", response_class=HTMLResponse, response_model=None)
def save_service(
    request: Request, form: Form = FORM, caller: Principal = STAFF, db: Session = TRANSACTION
) -> HTMLResponse | RedirectResponse:
    """サービスの公開 (a new version: 409 if it exists) or its change (``existing`` set)."""
    write = service.put_service_as if form.get("existing") else service.create_service_as
    return _attempt(
        request,
        lambda: write(db, caller, _operator(request), _service_in(form)),
        "/mesh/directory#services",
        lambda errors, status: _service_page(
            request, caller, db, None, form=form, errors=errors, status_code=status
        ),
    )


# --- legal bases (事務) --------------------------------------------------------------------------


def _basis_page(
    request: Request,
    caller: Principal,
    db: Session,
    form: Form,
    *,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    operator = _operator(request)
    return render(
        request,
        "mesh/directory_basis.html",
        {
            "form": form,
            "errors": errors or [],
            "organizations": service.members_as(db, caller, operator),
            "services": service.services_as(db, caller, operator),
        },
        status_code=status_code,
    )


def _basis_in(form: Form) -> schemas.LegalBasis:
    return schemas.LegalBasis.model_validate(
        {
            "id": form.get("basis_id", ""),
            "kind": form.get("kind") or "law",
            "title_ja": form.get("title_ja", ""),
            "law_ja": form.get("law_ja", ""),
            "consumer": form.get("consumer", ""),
            "provider": form.get("provider", ""),
            "service_code": form.get("service_code", ""),
            "items": _split(form.get("items", "")),
            "withheld_category": form.get("withheld_category") or None,
            "withheld_days": form.get("withheld_days") or 0,
        }
    )


@router.get("/legal-bases/new", response_class=HTMLResponse)
def new_basis(request: Request, caller: Principal = STAFF, db: Session = TRANSACTION) -> HTMLResponse:
    return _basis_page(request, caller, db, {"kind": "law", "withheld_days": "0"})


@router.get("/legal-bases/{basis_id}", response_class=HTMLResponse)
def edit_basis(
    request: Request, basis_id: str, caller: Principal = STAFF, db: Session = TRANSACTION
) -> HTMLResponse:
    found = service.legal_basis_as(db, caller, _operator(request), basis_id)
    if found is None:
        raise NotFound(f"no 事務 {basis_id!r}")
    form = {key: str(value) for key, value in found.model_dump().items() if value is not None}
    return _basis_page(
        request,
        caller,
        db,
        form
        | {
            "basis_id": found.id,
            "items": ", ".join(found.items),
            "existing": "1",
            "revoked": "1" if found.revoked_at else "",
        },
    )


@router.post("/legal-bases", response_class=HTMLResponse, response_model=None)
def save_basis(
    request: Request, form: Form = FORM, caller: Principal = STAFF, db: Session = TRANSACTION
) -> HTMLResponse | RedirectResponse:
    """事務の登録 (409 if the id is taken) or its change (``existing`` set)."""
    write = service.put_legal_basis_as if form.get("existing") else service.create_legal_basis_as
    return _attempt(
        request,
        lambda: write(db, caller, _operator(request), _basis_in(form)),
        "/mesh/directory#bases",
        lambda errors, status: _basis_page(request, caller, db, form, errors=errors, status_code=status),
    )


@router.post("/legal-bases/{basis_id}/revoke", response_model=None)
def revoke_basis(
    basis_id: str, settings: AppSettings, caller: Principal = STAFF, db: Session = TRANSACTION
) -> RedirectResponse:
    """事務の廃止: no query or notification may use it from now on."""
    service.revoke_legal_basis_as(db, caller, settings.mesh.operator, basis_id)
    return RedirectResponse("/mesh/directory#bases", status_code=303)


# --- subscriptions and dead letters -------------------------------------------------------------


@router.post("/subscriptions", response_class=HTMLResponse, response_model=None)
def add_subscription(
    request: Request, form: Form = FORM, caller: Principal = STAFF, db: Session = TRANSACTION
) -> HTMLResponse | RedirectResponse:
    """購読の登録."""

    def add() -> object:
        data = schemas.SubscriptionIn.model_validate(
            {
                "subscriber": form.get("subscriber", ""),
                "provider": form.get("provider", ""),
                "event_kinds": [kind for kind in get_args(schemas.EventKind) if form.get(f"event_{kind}")],
                "legal_basis_id": form.get("legal_basis_id", ""),
                "endpoint": form.get("endpoint", ""),
            }
        )
        return service.add_subscription_as(db, caller, _operator(request), data)

    return _attempt(
        request,
        add,
        "/mesh/directory#subscriptions",
        lambda errors, status: _console(request, caller, db, errors=errors, form=form, status_code=status),
    )


@router.post("/subscriptions/{subscription_id}/active", response_model=None)
def set_subscription_active(
    subscription_id: int,
    settings: AppSettings,
    form: Form = FORM,
    caller: Principal = STAFF,
    db: Session = TRANSACTION,
) -> RedirectResponse:
    """購読の一時停止・再開."""
    active = form.get("active") == "1"
    service.set_subscription_active_as(db, caller, settings.mesh.operator, subscription_id, active)
    return RedirectResponse("/mesh/directory#subscriptions", status_code=303)


@router.post("/dead-letters/{delivery_id}/requeue", response_model=None)
def requeue(
    delivery_id: int, settings: AppSettings, caller: Principal = STAFF, db: Session = TRANSACTION
) -> RedirectResponse:
    """Give a dead letter another set of attempts."""
    push.requeue(db, caller, settings.mesh.operator, delivery_id)
    return RedirectResponse("/mesh/directory#dead-letters", status_code=303)
