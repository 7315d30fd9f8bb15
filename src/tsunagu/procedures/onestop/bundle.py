"""ワンストップの一括申請: several procedures filed as one, each keeping its own status.

A one-stop (引越し, 子育て) asks the person once, then checks every part as it would be filed —
eligibility, the responsible organization, the registry values through the mesh, validation —
before any is filed, so that a problem in one files none and every problem is shown at its field
on the one form. Filing stores each part as an ordinary application sharing the bundle id; a part
the same key already filed answers its application, so the whole can be sent again safely.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.procedures import meshlink
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.applications.validation import FieldError, InvalidApplication
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.models import ProceduresApplication

#: a check of one part before it is prepared (e.g. the destination is served here)
PartCheck = Callable[[Session, Procedure, Principal, dict[str, Any]], None]
Ready = applications.Submission | applications.Application
#: applications that no longer stand: the same procedure may be filed again in their bundle
ENDED = ("withdrawn", "rejected")


@dataclass(frozen=True)
class Filing:
    """One submission of a one-stop: its bundle, its key and what each procedure is asked."""

    bundle: str
    key: str
    parts: Mapping[str, dict[str, Any]]  # procedure id → the values the person gave


def part_key(key: str, procedure_id: str) -> str:
    """The idempotency key of one part (the bundle's key and the procedure)."""
    return f"{key}:{procedure_id}"


def prepare(
    database: Database,
    gateway: meshlink.MeshGateway,
    procedures: Mapping[str, Procedure],
    person: Principal,
    filing: Filing,
    *,
    check: PartCheck | None = None,
    unknown_organization: FieldError | None = None,
) -> dict[str, Ready]:
    """Each part checked and prefilled before any is filed; every problem in one list.

    ``unknown_organization`` is the problem shown when a part names no responsible organization
    (the field that decides it); without it that refusal is raised as it is.
    """
    applications.require_key(filing.key)
    ready: dict[str, Ready] = {}
    problems: list[FieldError] = []
    for procedure_id, data in filing.parts.items():
        procedure, key = procedures[procedure_id], part_key(filing.key, procedure_id)
        with database.session() as db:
            earlier = applications.replay(db, person, procedure_id, key, data)
            if earlier is not None:
                ready[procedure_id] = earlier
                continue
            try:
                if check is not None:
                    check(db, procedure, person, data)
                prefilled, clean, organization, subject = applications.prepare(
                    db, gateway, procedure, person, data
                )
            except InvalidApplication as exc:  # one list of problems for the one form
                problems += [p for p in exc.problems if p.field not in {q.field for q in problems}]
                continue
            except applications.NoResponsibleOrganization:
                if unknown_organization is None:
                    raise
                # an empty field is said as empty (入力してください), not as a place not found
                if unknown_organization.field not in {q.field for q in problems}:
                    problems.append(unknown_organization)
                continue
        ready[procedure_id] = applications.Submission(
            procedure, person, subject, organization, clean, prefilled, key, data, filing.bundle
        )
    if problems:
        raise InvalidApplication(problems)
    return ready


def file(
    database: Database,
    gateway: meshlink.MeshGateway,
    procedures: Mapping[str, Procedure],
    ready: Mapping[str, Ready],
    order: Iterable[str],
) -> list[applications.Application]:
    """File the prepared parts in ``order`` (those already filed stand as they are); each part's
    evidence is fetched through the mesh once it is stored."""
    filed = []
    for procedure_id in order:
        part = ready.get(procedure_id)
        if part is None:
            continue
        app = applications.submit(database, part)[0] if isinstance(part, applications.Submission) else part
        if app.evidence_pending:
            app = applications.collect_evidence(database, gateway, procedures[procedure_id], app.id)
        filed.append(app)
    return filed


def standing(db: Session, bundle: str) -> list[applications.Application]:
    """The applications of ``bundle`` that still stand (not withdrawn or refused), oldest first."""
    ids = db.scalars(
        select(ProceduresApplication.id)
        .where(ProceduresApplication.bundle_id == bundle, ProceduresApplication.status.not_in(ENDED))
        .order_by(ProceduresApplication.submitted_at)
    )
    return [applications.load(db, i) for i in ids]


def parts_of(
    database: Database, person: Principal, bundle: str, order: Iterable[str]
) -> list[applications.Application]:
    """The person's applications of ``bundle``, in the one-stop's own ``order`` (not submission
    time: one flow submits them all at once)."""
    rank = {procedure_id: n for n, procedure_id in enumerate(order)}
    with database.session() as db:
        ids = db.scalars(
            select(ProceduresApplication.id).where(
                ProceduresApplication.bundle_id == bundle,
                ProceduresApplication.subject_id == person.subject_id,
            )
        )
        apps = [applications.load(db, i) for i in ids]
    return sorted(apps, key=lambda a: (rank.get(a.procedure_id, len(rank)), a.submitted_at))
