"""Who applies, where and whether they may: the applicant, their attributes, eligibility, the opened
form and the responsible organization.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import Forbidden
from tsunagu.core.sessions import Principal
from tsunagu.identity.proxies import service as proxies
from tsunagu.procedures import meshlink, rules
from tsunagu.procedures.applications.service.prefill import prefill, seal
from tsunagu.procedures.applications.service.records import (
    ADULT_AGE,
    Eligibility,
    NoResponsibleOrganization,
    NotEligible,
    Prefilled,
)
from tsunagu.procedures.definition import Localized, Procedure
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.residents import service as residents
from tsunagu.registry.taxation import service as taxation


def applicant_of(db: Session, principal: Principal) -> residents.ResidentRecord:
    if principal.kind != "resident":
        raise Forbidden("only a resident logged in with a My Number Card can apply here")
    record = residents.get_resident(db, principal.subject_id)
    if record is None:
        raise NotEligible(
            "you are not in the resident register of a municipality served here", reasons=["not-registered"]
        )
    return record


def attributes_of(db: Session, person: residents.ResidentRecord, today: date) -> dict[str, object]:
    """The applicant attributes eligibility rules compare (see ``rules.ATTRIBUTES``)."""
    birthday_passed = (today.month, today.day) >= (person.birth_date.month, person.birth_date.day)
    children = [
        m
        for m in residents.household_members(db, person.household_id)
        if m.id != person.id and _age(m.birth_date, today) < ADULT_AGE
    ]
    return {
        "kind": "resident",
        "age": today.year - person.birth_date.year - (0 if birthday_passed else 1),
        "status": person.status,
        "municipality_code": person.municipality_code,
        "prefecture_code": person.municipality_code[:2],
        "children_in_care": len(children),
        # a resident principal exists only after a login with the card's 利用者証明用 certificate
        "has_individual_number_card": True,
        "resident_tax_exempt": _tax_exempt(db, person.id),
    }


def _tax_exempt(db: Session, resident_id: str) -> bool:
    """Whether the latest 住民税 assessment found no tax due (非課税); no assessment is not 非課税."""
    latest = taxation.latest_of(db, resident_id)
    return latest is not None and not latest.taxable


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


_REASONS: dict[str, Localized] = {
    "status": Localized(
        ja="住民基本台帳にこの手続の対象となる状態で記録されていません。",
        en="The resident register does not show you in a state this procedure is for.",
    ),
    "municipality_code": Localized(
        ja="この市区町村の住民ではありません。", en="You are not a resident of this municipality."
    ),
    "age": Localized(ja="年齢の条件を満たしていません。", en="You do not meet the age condition."),
    "children_in_care": Localized(
        ja="監護している児童が登録されていません。", en="No child in your care is registered."
    ),
    "kind": Localized(
        ja="この手続は個人の方は申請できません。", en="Individuals cannot apply for this procedure."
    ),
    # a procedure a person files as their own business (開業届): they switch, not go elsewhere
    "kind_sole_proprietor": Localized(
        ja="この手続は個人事業主として申請します。マイページの「個人事業主」から、個人事業主として操作に切り替えてください。",
        en="This procedure is filed as a sole proprietor. Switch to acting as your sole proprietorship "
        "from 'Sole proprietor' on My page.",
    ),
}
_WHAT_TO_DO = Localized(
    ja="お住まいの市区町村の窓口にご相談いただくか、住民登録のある市区町村の手続をご利用ください。",
    en="Please ask at the counter of your municipality, or use the procedure of the municipality "
    "where you are registered.",
)


def check_eligibility(procedure: Procedure, attributes: Mapping[str, object]) -> Eligibility:
    """Whether the applicant may apply, why not, and what to do instead."""
    summary = procedure.eligibility.summary if procedure.eligibility else None
    failing: list[str] = []
    if attributes.get("kind") not in procedure.applicants:
        as_own_business = attributes.get("kind") == "resident" and "sole_proprietor" in procedure.applicants
        failing.append("kind_sole_proprietor" if as_own_business else "kind")
    elif procedure.eligibility is not None:
        failing += sorted(
            {
                c["attribute"]
                for c in _comparisons(procedure.eligibility.rule)
                if not rules.evaluate(c, attributes)
            }
        )
        if not failing and not rules.evaluate(procedure.eligibility.rule, attributes):
            failing.append("status")
    if not failing:
        return Eligibility(True, summary)
    reasons = tuple(_REASONS.get(name, _REASONS["status"]) for name in failing)
    return Eligibility(False, summary, reasons, _WHAT_TO_DO)


def require_eligible(verdict: Eligibility) -> None:
    """:class:`NotEligible` (403) with the reasons and what to do, unless ``verdict`` admits."""
    if not verdict.eligible:
        raise NotEligible(
            "you cannot apply for this procedure: " + " ".join(r.en for r in verdict.reasons),
            reasons=[r.en for r in verdict.reasons],
            what_to_do=_WHAT_TO_DO.en,
        )


@dataclass(frozen=True)
class FormStart:
    """Who opens a form, whether they may apply, and the organization to ask registries as."""

    person: residents.ResidentRecord
    eligibility: Eligibility
    organization: str | None  # None while it depends on an answer (the destination)


@dataclass(frozen=True)
class OpenedForm:
    """A new form: the checks, and for an eligible person the registry values and their seal."""

    start: FormStart
    prefilled: Prefilled
    seal: str


def subject_of(
    db: Session, procedure: Procedure, principal: Principal, on_behalf_of: str | None
) -> tuple[residents.ResidentRecord, str]:
    """The person an application is about, and whether the principal acts as their proxy.

    A proxy's grant (代理人の登録, covering this procedure today) is checked here, before any
    registry look-up about the person; the act is logged (``act_as_proxy``) only when an
    application is made, after the look-ups, so no write lock is held during them.
    """
    if not on_behalf_of or on_behalf_of == principal.subject_id:
        return applicant_of(db, principal), "resident"
    applicant_of(db, principal)
    today = clock.today_jst().date()
    if not any(
        g.proxy_id == principal.subject_id
        and g.principal_id == on_behalf_of
        and g.active_on(today)
        and g.covers(procedure.id)
        for g in proxies.proxies_of(db, on_behalf_of)
    ):
        raise proxies.ProxyNotAuthorized(f"you are not a registered proxy of this person for {procedure.id}")
    person = residents.get_resident(db, on_behalf_of)
    if person is None:
        raise NotEligible(
            "the person you act for is not in the resident register", reasons=["not-registered"]
        )
    return person, "proxy"


def open_form(
    database: Database,
    gateway: meshlink.MeshGateway,
    secret: str,
    procedure: Procedure,
    principal: Principal,
    *,
    on_behalf_of: str | None = None,
) -> OpenedForm:
    """What the page shows before a form is filled in and what the API hands out as its prefill:
    eligibility and organization first, then (once the organization is known) the registry values
    through the mesh, sealed so that the submission need not fetch them again. With
    ``on_behalf_of`` a registered proxy opens the form of the person they act for (代理申請): the
    values and the eligibility are that person's, and the seal is bound to them."""
    with database.session() as db:
        person, kind = subject_of(db, procedure, principal, on_behalf_of)
        attributes = attributes_of(db, person, clock.today_jst().date()) | {"kind": kind}
        verdict = check_eligibility(procedure, attributes)
        organization = (
            None
            if procedure.responsible.rule == "municipality_of_destination" or not verdict.eligible
            else responsible_organization(db, procedure, person, {})
        )
    start = FormStart(person, verdict, organization)
    if not verdict.eligible:
        return OpenedForm(start, Prefilled(), "")
    prefilled = Prefilled() if organization is None else prefill(gateway, procedure, person, organization)
    return OpenedForm(start, prefilled, seal(secret, person.id, procedure, prefilled))


def _comparisons(rule: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The comparisons under an all-combinator (the ones that each must hold)."""
    if "all" in rule:
        return [c for part in rule["all"] for c in _comparisons(part)]
    return [rule] if "attribute" in rule else []


def responsible_organization(
    db: Session, procedure: Procedure, person: residents.ResidentRecord, data: Mapping[str, Any]
) -> str:
    """The organization the application goes to, from the definition's rule."""
    rule = procedure.responsible.rule
    if rule == "fixed" and procedure.responsible.organization:
        return procedure.responsible.organization
    if rule == "municipality_of_current_address":
        return person.municipality_code
    if rule == "municipality_of_destination":
        destination = data.get("destination_address")
        text = destination.get("text", "") if isinstance(destination, dict) else ""
        found = addresses.normalize(db, text).address if text else None
        if found is not None and found.municipality_code is not None:
            return str(found.municipality_code)
        raise NoResponsibleOrganization(
            "the new address does not name a municipality we know",
            errors=[
                {
                    "location": ["body", "data", "destination_address"],
                    "message": "unknown municipality",
                    "message_id": "転入先の市区町村が見つかりません。",
                    "type": "application-field",
                }
            ],
        )
    raise NoResponsibleOrganization(f"procedure {procedure.id} is not for residents")
