"""Staff pages of the 届出: form → confirmation → result (the new history entry).

``/staff/registry/residents/new/{birth|move-in}`` registers a person (``?member=`` joins that
member's household); ``/staff/registry/residents/{id}/{address-change|death|name-change|move-out}`` changes a
record. Each step is a plain form POST: no JavaScript is needed. The form carries an
Idempotency-Key from its first display, so a repeated submit registers once.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from tsunagu.core import sessions
from tsunagu.core.errors import NotFound, ValidationFailed
from tsunagu.core.http import csrf
from tsunagu.core.http.auth import TRANSACTION, require_staff
from tsunagu.core.http.deps import CurrentStaff
from tsunagu.core.http.templating import render
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.residents import forms, service
from tsunagu.registry.residents.errors import AlreadyRegistered, ResidentDeceased, ResidentMovedOut
from tsunagu.registry.residents.pages import SEX_LABELS, labels, own_record, read_record
from tsunagu.registry.residents.schemas import RegistrationIn

router = APIRouter(
    prefix="/staff/registry/residents", include_in_schema=False, dependencies=[Depends(csrf.protect)]
)
STEPS = ("confirm", "register", "edit")


class UnknownForm(NotFound):
    code = "registration-form-not-found"
    title = "No such registration form"


def _registration(slug: str, *, about_resident: bool) -> forms.Registration:
    registration = forms.REGISTRATIONS.get(slug)
    if registration is None or registration.about_resident != about_resident:
        raise UnknownForm(f"no registration form {slug!r}")
    return registration


async def form_values(request: Request) -> dict[str, str]:
    """The submitted form as text (the CSRF dependency has already read and cached it)."""
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


class Context:
    """What a 届出 page is about: the form, the person or household, and the choices it offers."""

    def __init__(
        self,
        db: Session,
        registration: forms.Registration,
        municipality_code: str,
        subject: service.ResidentRecord | None,
    ) -> None:
        self.registration, self.municipality_code, self.subject = registration, municipality_code, subject
        members = service.household_members(db, subject.household_id) if subject else []
        others = [m for m in members if subject is None or m.id != subject.id]
        # A 届出 about a person concerns them; a new person joins the household of ``subject``.
        self.joining = subject is not None and not registration.about_resident
        head = registration.about_resident and subject is not None and subject.relationship == service.HEAD
        self.fields = forms.visible(registration, joining=self.joining, head=head and bool(others))
        self.choices: dict[str, list[tuple[str, str]]] = {
            "sex": [(code, label) for code, label in SEX_LABELS.items()],
            "town_id": [(str(t.id), t.town + t.koaza) for t in addresses.towns_in(db, municipality_code)],
            "new_head_id": [(m.id, f"{m.name.full} ({m.relationship})") for m in others],
            "informant_qualification": list(service.INFORMANT_QUALIFICATIONS.items()),
            "informant_id": [(m.id, f"{m.name.full} ({m.relationship})") for m in others],
        }

    @property
    def extra(self) -> dict[str, str]:
        return {"household_id": self.subject.household_id} if self.joining and self.subject else {}

    @property
    def action(self) -> str:
        if self.registration.about_resident and self.subject:
            return f"{router.prefix}/{self.subject.id}/{self.registration.slug}"
        member = f"?member={self.subject.id}" if self.subject else ""
        return f"{router.prefix}/new/{self.registration.slug}{member}"

    def shown(self, field: forms.Field, value: str, model: RegistrationIn) -> str:
        """A value as the confirmation page shows it: choices by label, dates in 和暦 too."""
        if field.input == "select":
            return dict(self.choices[field.name]).get(value, value)
        if field.input == "date":
            return forms.display_date(getattr(model, field.name))
        return value


def _page(
    request: Request,
    context: Context,
    template: str,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    model: RegistrationIn | None = None,
) -> HTMLResponse:
    rows = [(f.label, context.shown(f, values[f.name], model)) for f in context.fields] if model else []
    return render(
        request,
        template,
        {
            "form": context.registration,
            "fields": context.fields,
            "choices": context.choices,
            "subject": context.subject,
            "joining": context.joining,
            "action": context.action,
            "values": values,
            "errors": errors or {},
            "rows": rows,
            "credit": addresses.ATTRIBUTION,
        },
        status_code=422 if errors else 200,
    )


def _show(request: Request, db: Session, context: Context) -> HTMLResponse:
    values = {f.name: "" for f in context.fields} | {"key": uuid.uuid4().hex}
    if context.joining:
        values["relationship"] = "子" if context.registration.slug == "birth" else ""
    elif context.subject and context.registration.slug == "name-change":
        name = context.subject.name
        values |= {
            "family_name": name.family,
            "given_name": name.given,
            "family_kana": name.family_kana,
            "given_kana": name.given_kana,
        }
    return _page(request, context, "registry_residents/registration.html", values=values)


def _submit(
    request: Request, db: Session, context: Context, submitted: dict[str, str], principal: sessions.Principal
) -> Response:
    """One step of the 届出: back to the form, the confirmation, or the registration itself."""
    values = {f.name: submitted.get(f.name, "") for f in context.fields} | {"key": submitted.get("key", "")}
    form_page = "registry_residents/registration.html"
    model, errors = forms.checked(context.registration, context.fields, values, context.extra)
    step = submitted.get("step", "confirm")
    if step not in STEPS or step == "edit" or model is None:
        return _page(request, context, form_page, values=values, errors=errors)
    about = context.subject if context.registration.about_resident else None
    where = about.id if about else context.municipality_code
    try:
        if step == "confirm":  # every rule of the service, tried and rolled back
            model.rehearse(db, where, principal)
            return _page(request, context, "registry_residents/confirm.html", values=values, model=model)
        change, _ = model.register_once(db, where, principal, values["key"] or None)
    except AlreadyRegistered:
        errors = {"individual_number": forms.MESSAGES[AlreadyRegistered.code]}
        return _page(request, context, form_page, values=values, errors=errors)
    except ValidationFailed as exc:
        return _page(request, context, form_page, values=values, errors=forms.field_errors(exc))
    return RedirectResponse(f"{router.prefix}/{change.resident_id}/changes/{change.id}", status_code=303)


def _new_person(db: Session, slug: str, member: str, principal: sessions.Principal) -> Context:
    registration = _registration(slug, about_resident=False)
    municipality_code = principal.organization_code or ""
    service.require_registrar(principal, municipality_code)  # before any record is read
    subject = own_record(db, principal, member) if member else None
    return Context(db, registration, municipality_code, subject)


def _about(db: Session, slug: str, resident_id: str, principal: sessions.Principal) -> Context:
    registration = _registration(slug, about_resident=True)
    subject = service.require_resident(db, resident_id)
    service.require_registrar(principal, subject.municipality_code)
    # a closed record takes no 届出: said at once, not after the form is filled in (a second 死亡届)
    if subject.status == "deceased":
        raise ResidentDeceased(f"resident {resident_id} is deceased; the record is closed")
    if subject.status == "moved_out":
        raise ResidentMovedOut(f"resident {resident_id} has moved out")
    return Context(db, registration, subject.municipality_code, subject)


@router.get("/new/{slug}", response_class=HTMLResponse)
def new_person_form(
    request: Request,
    slug: str,
    principal: CurrentStaff,
    member: str = Query("", max_length=32),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """出生届・転入届の入力 (``member``: join that person's household)."""
    return _show(request, db, _new_person(db, slug, member, principal))


@router.post("/new/{slug}", response_class=HTMLResponse)
def new_person_submit(
    request: Request,
    slug: str,
    *,
    member: str = Query("", max_length=32),
    submitted: dict[str, str] = Depends(form_values),
    principal: CurrentStaff,
    db: Session = TRANSACTION,
) -> Response:
    return _submit(request, db, _new_person(db, slug, member, principal), submitted, principal)


@router.get("/{resident_id}/changes/{change_id}", response_class=HTMLResponse)
def change_page(
    request: Request,
    resident_id: str,
    change_id: int,
    principal: sessions.Principal = Depends(require_staff()),
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """The result of a 届出: the history entry it appended."""
    record = read_record(db, principal, resident_id)
    change = service.get_change(db, change_id)
    if change is None or change.resident_id != record.id:
        raise NotFound(f"no change {change_id} of resident {resident_id}")
    return render(
        request,
        "registry_residents/change.html",
        {"resident": record, "change": change, "display_date": forms.display_date, **labels()},
    )


@router.get("/{resident_id}/{slug}", response_class=HTMLResponse)
def change_form(
    request: Request,
    resident_id: str,
    slug: str,
    principal: CurrentStaff,
    db: Session = TRANSACTION,
) -> HTMLResponse:
    """転居届・死亡届・氏名変更・転出届の入力."""
    return _show(request, db, _about(db, slug, resident_id, principal))


@router.post("/{resident_id}/{slug}", response_class=HTMLResponse)
def change_submit(
    request: Request,
    resident_id: str,
    slug: str,
    *,
    submitted: dict[str, str] = Depends(form_values),
    principal: CurrentStaff,
    db: Session = TRANSACTION,
) -> Response:
    return _submit(request, db, _about(db, slug, resident_id, principal), submitted, principal)
