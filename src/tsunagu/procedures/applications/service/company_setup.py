"""法人設立ワンストップ: after the registration of a new corporation, one submission files the
post-registration notifications to every organization at once, each with its own status.

Each part is an ordinary business application (``business.apply``) of its own procedure, to its
own organization, prefilled from the commercial registry through the mesh; the parts share a
bundle id. A part that cannot be filed (not granted to the account, a field missing) is reported
with its reason while the others are filed — as the moving one-stop reports each organization.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tsunagu.core.database import Database
from tsunagu.core.errors import NotFound, TsunaguError
from tsunagu.core.sessions import Principal
from tsunagu.mesh import corporate
from tsunagu.procedures import meshlink
from tsunagu.procedures.applications.service import business
from tsunagu.procedures.applications.service.reading import list_mine
from tsunagu.procedures.applications.service.records import Application
from tsunagu.procedures.applications.validation import FieldError, InvalidApplication, clean
from tsunagu.procedures.definition import FormField, Procedure

#: the filings after a company's registration: 税務署, 都道府県, 市町村, 年金事務所, 労働基準監督署
PROCEDURES = (
    "hojin-setsuritsu-todokede",
    "hojin-setsuritsu-to",
    "hojin-setsuritsu-shi",
    "shinki-tekiyo",
    "hoken-kankei-seiritsu",
)


class BundleNotFound(NotFound):
    code = "company-setup-not-found"
    title = "No such company set-up filing"


@dataclass(frozen=True)
class Part:
    """One organization's part: its application, or why it was not filed."""

    procedure_id: str
    application: Application | None
    problem: str = ""  # the error code when not filed
    detail: str = ""


@dataclass(frozen=True)
class Question:
    """A field the person answers once for every filing that asks it (the registry gives the rest)."""

    field: FormField
    used_by: tuple[Procedure, ...]


def questions(procedures: list[Procedure]) -> list[Question]:
    """The fields of every set-up form not filled from the registry, each once, in form order."""
    found: dict[str, tuple[FormField, list[Procedure]]] = {}
    for procedure in procedures:
        for form_field in procedure.fields:
            if form_field.name in procedure.prefilled_fields or form_field.type == "file":
                continue
            found.setdefault(form_field.name, (form_field, []))[1].append(procedure)
    return [Question(form_field, tuple(used)) for form_field, used in found.values()]


def check_answers(procedures: list[Procedure], answers: Mapping[str, Any]) -> dict[str, FieldError]:
    """Every problem of the answers, by field, before anything is filed (the registry's fields are
    not the person's to answer, so only the others are checked here; each part checks all again)."""
    problems: dict[str, FieldError] = {}
    for procedure in procedures:
        values = {f.name: answers[f.name] for f in procedure.fields if f.name in answers}
        try:
            clean(procedure, values)
        except InvalidApplication as invalid:
            for problem in invalid.problems:
                if problem.field not in procedure.prefilled_fields:
                    problems.setdefault(problem.field, problem)
    return problems


def bundle_of(principal: Principal, key: str) -> str:
    """The bundle id of a submission: the same key of the same account gives the same bundle."""
    return hashlib.sha256(f"{principal.subject_id}\n{key}".encode()).hexdigest()[:32]


def file_all(
    database: Database,
    gateway: meshlink.MeshGateway,
    secret: str,
    procedures: list[Procedure],
    *,
    principal: Principal,
    answers: Mapping[str, Any],
    key: str,
) -> tuple[str, list[Part]]:
    """File every set-up procedure with the answers its form asks; (bundle id, each part)."""
    bundle = bundle_of(principal, key)
    parts = []
    for procedure in procedures:
        values = {f.name: answers[f.name] for f in procedure.fields if f.name in answers}
        draft = business.BusinessDraft(
            procedure,
            principal,
            values,
            f"{key}-{procedure.id}"[:128],
            {"company_setup": dict(answers)},
            bundle_id=bundle,
        )
        try:
            application, _created = business.apply(database, gateway, secret, draft)
        except TsunaguError as problem:
            if problem.status >= 500:
                raise
            parts.append(Part(procedure.id, None, problem.code, problem.detail))
            continue
        parts.append(Part(procedure.id, application))
    return bundle, parts


def status(db: Session, principal: Principal, bundle_id: str) -> list[Application]:
    """The applications of one set-up filing of the principal's corporation, each with its state."""
    subject = corporate.subject_of(principal.organization_code or "")
    found, _total = list_mine(db, subject, limit=100, offset=0)
    parts = [a for a in found if a.bundle_id == bundle_id]
    if principal.kind != "business" or not parts:
        raise BundleNotFound(f"no company set-up filing {bundle_id} of this corporation")
    return parts
