"""The publisher console (/staff/catalog, 公開担当): a publisher's datasets with their state, a form
to write one (saved as a draft), publish and withdraw buttons and the audit trail. A refused form
comes back with every value kept and each problem next to its field, in Japanese; nothing is saved.
The same use cases as the publisher API (``catalog.service``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.catalog import service
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_staff
from tsunagu.core.http.i18n import N_
from tsunagu.core.http.templating import render
from tsunagu.core.sessions import Principal

router = APIRouter(prefix="/staff/catalog", include_in_schema=False, dependencies=[Depends(csrf.protect)])
STAFF = Depends(require_staff())
DISTRIBUTION_ROWS = 3
FORMATS = ("CSV", "JSON", "JSON-LD", "API")
FIELD_LABELS = {
    "id": N_("識別子"),
    "title": N_("名称"),
    "description": N_("説明"),
    "publisher": N_("公開する機関"),
    "legal_basis": N_("根拠法令"),
    "license": N_("利用条件"),
    "frequency": N_("更新の頻度"),
    "spatial": N_("対象地域"),
    "temporal": N_("対象期間"),
    "themes": N_("分野"),
    "keywords": N_("キーワード"),
    "contact": N_("問い合わせ先"),
    "access": N_("公開の範囲"),
    "distributions": N_("配布するファイル・API"),
}
# where a problem with a field is shown on the form (the first input of the field)
FORM_FIELDS = {
    "title": "title_ja",
    "description": "description_ja",
    "legal_basis": "legal_basis_ja",
    "spatial": "spatial_ja",
    "temporal": "temporal_start",
    "keywords": "keywords_ja",
    "contact": "contact_email",
    "distributions": "dist_0_url",
}
MESSAGES = {
    "catalog-dataset-incomplete": N_("入力してください（DCAT の必須項目です）。"),
    "catalog-unknown-term": N_("一覧にない値です。一覧から選んでください。"),
    "catalog-distribution-url-invalid": N_(
        "https:// で始まるアドレスか、このサイトの / で始まるパスを、空白を入れずに書いてください。"
    ),
    "catalog-dataset-invalid": N_("内容を確認してください。"),
    "catalog-dataset-exists": N_("この識別子のデータセットはすでにあります。別の識別子にしてください。"),
}
ACTIONS = {
    "registered": N_("レジストリが登録"),
    "created": N_("作成"),
    "updated": N_("修正"),
    "published": N_("公開"),
    "withdrawn": N_("公開を取りやめ"),
}
Form = dict[str, str]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("、", ",").split(",") if part.strip()]


def _text(form: Form, name: str) -> dict[str, str] | None:
    ja, en = form.get(f"{name}_ja", ""), form.get(f"{name}_en", "")
    return {"ja": ja, "en": en} if ja or en else None


def payload_of(form: Form, themes: list[str]) -> dict[str, Any]:
    """The form as the publisher API's body (empty fields left out, so they count as missing)."""
    found: dict[str, Any] = {
        "id": form.get("id", ""),
        "publisher": form.get("publisher", ""),
        "license": form.get("license", ""),
        "frequency": form.get("frequency", ""),
        "access": form.get("access", ""),
        "themes": themes,
        "keywords": {"ja": _split(form.get("keywords_ja", "")), "en": _split(form.get("keywords_en", ""))},
        "readings": _split(form.get("readings", "")),
    }
    for name in ("title", "description", "spatial"):
        if text := _text(form, name):
            found[name] = text
    if basis := _text(form, "legal_basis"):
        found["legal_basis"] = [basis]
    if form.get("contact_email") or form.get("contact_name_ja"):
        found["contact"] = {
            "name": {"ja": form.get("contact_name_ja", ""), "en": form.get("contact_name_en", "")},
            "email": form.get("contact_email", ""),
        }
    if form.get("temporal_start"):
        found["temporal"] = {"start": form["temporal_start"], "end": form.get("temporal_end") or None}
    distributions = []
    for n in range(DISTRIBUTION_ROWS):
        url = form.get(f"dist_{n}_url", "")
        if url or form.get(f"dist_{n}_title_ja"):
            distributions.append(
                {
                    "id": f"file-{n + 1}",
                    "title": {
                        "ja": form.get(f"dist_{n}_title_ja", ""),
                        "en": form.get(f"dist_{n}_title_en", ""),
                    },
                    "format": form.get(f"dist_{n}_format", "CSV"),
                    "url": url,
                }
            )
    found["distributions"] = distributions
    return {k: v for k, v in found.items() if v not in ("", None)}


def form_of(row: service.DraftRow) -> Form:
    """A stored dataset as the form's values."""
    d = row.dataset
    form: Form = {
        "id": d.id,
        "title_ja": d.title.ja,
        "title_en": d.title.en,
        "description_ja": d.description.ja,
        "description_en": d.description.en,
        "publisher": d.publisher,
        "license": d.license,
        "frequency": d.frequency,
        "access": d.access,
        "keywords_ja": "、".join(d.keywords.ja),
        "keywords_en": ", ".join(d.keywords.en),
        "readings": "、".join(d.readings),
        "spatial_ja": d.spatial.ja,
        "spatial_en": d.spatial.en,
        "legal_basis_ja": d.legal_basis[0].ja,
        "legal_basis_en": d.legal_basis[0].en,
        "contact_name_ja": d.contact.name.ja,
        "contact_name_en": d.contact.name.en,
        "contact_email": d.contact.email,
        "temporal_start": d.temporal.start.isoformat() if d.temporal else "",
        "temporal_end": d.temporal.end.isoformat() if d.temporal and d.temporal.end else "",
    }
    for n, distribution in enumerate(d.distributions[:DISTRIBUTION_ROWS]):
        form |= {
            f"dist_{n}_title_ja": distribution.title.ja,
            f"dist_{n}_title_en": distribution.title.en,
            f"dist_{n}_format": distribution.format,
            f"dist_{n}_url": distribution.url or "",
        }
    return form


def field_errors(exc: ValidationFailed) -> dict[str, str]:
    """Each problem under the form field it is shown beside (the first problem of a field wins)."""
    found: dict[str, str] = {}
    message = MESSAGES.get(exc.code, MESSAGES["catalog-dataset-invalid"])
    for error in exc.errors or [{"field": "id"}]:
        where = str(error.get("field", "id"))
        head, _, rest = where.partition(".")
        if head == "distributions" and rest:
            index = rest.split(".")[0]
            name = f"dist_{index}_url"
        else:
            name = FORM_FIELDS.get(head, head)
        found.setdefault(name, message)
    return found


def _form_page(
    request: Request,
    principal: Principal,
    form: Form,
    themes: list[str],
    *,
    row: service.DraftRow | None = None,
    errors: dict[str, str] | None = None,
    history: list[Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    vocabularies = service.catalog().vocabularies
    return render(
        request,
        "catalog/console_form.html",
        {
            "form": form,
            "themes": themes,
            "row": row,
            "errors": errors or {},
            "labels": FIELD_LABELS,
            "history": history or [],
            "actions": ACTIONS,
            "vocabularies": vocabularies,
            "publishers": service.writable_publishers(principal),
            "formats": FORMATS,
            "rows": range(DISTRIBUTION_ROWS),
        },
        status_code=status_code,
    )


async def _posted(request: Request) -> tuple[Form, list[str]]:
    data = await request.form()
    form = {k: v.strip() for k, v in data.items() if isinstance(v, str) and k != "themes"}
    return form, [v for v in data.getlist("themes") if isinstance(v, str)]


@router.get("", response_class=HTMLResponse)
def console(request: Request, principal: Principal = STAFF, db: Session = TRANSACTION) -> HTMLResponse:
    """データセットの管理: the publisher's datasets, drafts and withdrawn ones too."""
    return render(
        request,
        "catalog/console.html",
        {
            "rows": service.console_datasets(db, principal),
            "vocabularies": service.catalog().vocabularies,
            "publishers": service.writable_publishers(principal),
        },
    )


@router.get("/new", response_class=HTMLResponse)
def new_dataset(request: Request, principal: Principal = STAFF) -> HTMLResponse:
    publishers = service.writable_publishers(principal)
    form = {"publisher": publishers[0] if publishers else "", "access": "open", "license": "cc-by-4.0"}
    return _form_page(request, principal, form, [])


@router.post("/new", response_class=HTMLResponse)
async def create_dataset(
    request: Request, principal: Principal = STAFF, db: Session = TRANSACTION
) -> Response:
    form, themes = await _posted(request)
    try:  # every check comes before the first write: a refusal leaves nothing to roll back
        service.create_dataset(db, principal, payload_of(form, themes))
    except ValidationFailed as exc:
        return _form_page(request, principal, form, themes, errors=field_errors(exc), status_code=exc.status)
    except service.DatasetExists:
        errors = {"id": MESSAGES["catalog-dataset-exists"]}
        return _form_page(request, principal, form, themes, errors=errors, status_code=409)
    return RedirectResponse(f"/staff/catalog/{form.get('id', '')}", status_code=303)


@router.get("/{dataset_id}", response_class=HTMLResponse)
def edit_dataset(
    request: Request, dataset_id: str, principal: Principal = STAFF, db: Session = TRANSACTION
) -> HTMLResponse:
    row = service.draft_of(db, principal, dataset_id)
    history = service.dataset_events(db, principal, dataset_id)
    return _form_page(request, principal, form_of(row), list(row.dataset.themes), row=row, history=history)


@router.post("/{dataset_id}", response_class=HTMLResponse)
async def update_dataset(
    request: Request, dataset_id: str, principal: Principal = STAFF, db: Session = TRANSACTION
) -> Response:
    form, themes = await _posted(request)
    try:
        service.update_dataset(db, principal, dataset_id, payload_of({**form, "id": dataset_id}, themes))
    except ValidationFailed as exc:
        row = service.draft_of(db, principal, dataset_id)
        history = service.dataset_events(db, principal, dataset_id)
        return _form_page(
            request, principal, {**form, "id": dataset_id}, themes,
            row=row, history=history, errors=field_errors(exc), status_code=exc.status,
        )  # fmt: skip
    return RedirectResponse(f"/staff/catalog/{dataset_id}", status_code=303)


@router.post("/{dataset_id}/publish")
def publish_dataset(dataset_id: str, principal: Principal = STAFF, db: Session = TRANSACTION) -> Response:
    service.publish_dataset(db, principal, dataset_id)
    return RedirectResponse(f"/staff/catalog/{dataset_id}", status_code=303)


@router.post("/{dataset_id}/withdraw")
def withdraw_dataset(dataset_id: str, principal: Principal = STAFF, db: Session = TRANSACTION) -> Response:
    service.withdraw_dataset(db, principal, dataset_id)
    return RedirectResponse(f"/staff/catalog/{dataset_id}", status_code=303)
