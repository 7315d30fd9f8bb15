"""The members of the applicant's 世帯 a form offers (異動する人) and the checks of the choice.

A ``household_members`` field lists who the 届出 is about (世帯の一部: exactly those move); a
``household_member`` field names one of them (the member who heads the 世帯 that stays). The
choices come from the register of the applicant's own municipality, which is the organization
that receives the 届出, and the answer is checked against it again at submission.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tsunagu.procedures.applications.validation import FieldError, InvalidApplication, applies
from tsunagu.procedures.definition import Procedure
from tsunagu.registry.residents import service as residents

HOUSEHOLD_TYPES = frozenset({"household_members", "household_member"})
NOT_A_MEMBER = "世帯の方から選んでください。"
HEAD_MOVES = "世帯主が転出し、残る方が複数いるときは、新しい世帯主を選んでください。"
STAYS_IN_MOVERS = "新しい世帯主には、転出しない方を選んでください。"


@dataclass(frozen=True)
class Member:
    """One member as the form shows them: name, 続柄 and date of birth (the value is the record)."""

    id: str
    name: str
    relationship: str
    birth_date: date


def names_of(db: Session, procedure: Procedure, data: Mapping[str, Any]) -> dict[str, str]:
    """How the members an application names are shown: name and 続柄, whatever their status now
    (a member who has since moved out is still named)."""
    ids: list[str] = []
    for form_field in procedure.fields:
        value = data.get(form_field.name)
        if form_field.type == "household_members" and isinstance(value, list):
            ids += [str(v) for v in value]
        elif form_field.type == "household_member" and isinstance(value, str):
            ids.append(value)
    found = {i: residents.get_resident(db, i) for i in dict.fromkeys(ids)}
    return {i: f"{r.name.full}（{r.relationship}）" for i, r in found.items() if r is not None}


def uses_household(procedure: Procedure) -> bool:
    return any(f.type in HOUSEHOLD_TYPES for f in procedure.fields)


def members_of(db: Session, person: residents.ResidentRecord) -> list[Member]:
    """The living members of the person's 世帯, the head first."""
    return [
        Member(m.id, m.name.full, m.relationship, m.birth_date)
        for m in residents.household_members(db, person.household_id)
    ]


def check(procedure: Procedure, members: list[Member], data: Mapping[str, Any]) -> None:
    """Every chosen member belongs to the 世帯; when its head leaves others behind, the one named
    to head it stays (required when more than one stays)."""
    known = {m.id: m for m in members}
    problems: list[FieldError] = []
    movers: set[str] = set()
    for form_field in procedure.fields:
        value = data.get(form_field.name)
        if form_field.type == "household_members" and isinstance(value, list):
            if any(v not in known for v in value):
                problems.append(FieldError(form_field.name, NOT_A_MEMBER))
            movers = set(value)
        if form_field.type == "household_members" and not applies(form_field.required_if, data):
            movers = set(known)  # e.g. 世帯全員: the choice of members does not apply
    for form_field in procedure.fields:
        if form_field.type != "household_member":
            continue
        value = data.get(form_field.name)
        stay = [m for m in members if m.id not in movers]
        head_moves = any(known[i].relationship == residents.HEAD for i in movers if i in known)
        if value is None and head_moves and len(stay) > 1:
            problems.append(FieldError(form_field.name, HEAD_MOVES))
        elif value is not None and value not in known:
            problems.append(FieldError(form_field.name, NOT_A_MEMBER))
        elif value is not None and value in movers:
            problems.append(FieldError(form_field.name, STAYS_IN_MOVERS))
    if problems:
        raise InvalidApplication(problems)
