"""A benefit run's transfer files (振込データ) by batch, and the audit of their executions — what the
CLI and the staff page both call (one use case, two doors)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import authz
from tsunagu.core.errors import Conflict, NotFound
from tsunagu.core.progress import ProgressReporter
from tsunagu.core.sessions import Principal
from tsunagu.procedures.benefits import definition, service
from tsunagu.procedures.benefits.definition import BenefitRun
from tsunagu.procedures.benefits.models import BenefitsExecution


class BenefitRunNotFound(NotFound):
    code = "benefits-run-not-found"
    title = "No such benefit run of this organization"


def runs(db: Session, principal: Principal) -> list[tuple[BenefitRun, service.Totals]]:
    """The runs the staff member's organization pays, with what each has paid so far (管理 only)."""
    authz.require(principal, authz.Operation.PAY_BENEFITS)
    return [
        (run, service.totals(db, run.id)) for run in definition.runs_of(_organization(principal)).values()
    ]


def run_of(principal: Principal, run_id: str) -> BenefitRun:
    """One run paid by the staff member's organization (管理 only; asked before the run is looked up)."""
    authz.require(principal, authz.Operation.PAY_BENEFITS)
    run = definition.runs_of(_organization(principal)).get(run_id)
    if run is None:
        raise BenefitRunNotFound(f"no benefit run {run_id!r} paid by this organization")
    return run


def _organization(principal: Principal) -> str:
    return principal.organization_code or ""


def file_name(run_id: str, batch: int) -> str:
    return f"{run_id}-{batch:03d}.txt"


def execute_to_file(
    db: Session,
    principal: Principal,
    run: BenefitRun,
    *,
    reference_date: date,
    transfer_date: date,
    path: Path,
    progress: ProgressReporter,
    newline: bool = True,
) -> service.RunReport:
    """:func:`service.execute` into the file at ``path`` (the CLI's ``--out``, the staff page's
    batch file): written beside it and moved into place only once the execution is written (the
    caller's commit records it); a failed execution leaves no file."""
    partial = path.with_name(path.name + ".partial")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with partial.open("wb") as file:
            report = service.execute(
                db,
                principal,
                run,
                reference_date=reference_date,
                transfer_date=transfer_date,
                out=file,
                progress=progress,
                newline=newline,
            )
    except BaseException:
        partial.unlink(missing_ok=True)  # nothing was recorded, so no file may be sent either
        raise
    os.replace(partial, path)
    return report


def next_batch(db: Session, run: BenefitRun, reference_date: date) -> int:
    """The batch number the next execution of ``run`` gets (its file is named after it)."""
    return service.started(db, run, reference_date)


@dataclass(frozen=True)
class Execution:
    batch: int
    reference_date: date
    transfer_date: date
    executed_by: str
    executed_at: datetime
    eligible: int
    transfers: int
    total_yen: int
    without_account: int
    file_sha256: str


def executions_of(db: Session, principal: Principal, run: BenefitRun) -> list[Execution]:
    """Every execution of the run (the audit: who produced which file, when, with what totals)."""
    authz.require(principal, authz.Operation.PAY_BENEFITS, organization=run.organization)
    return [
        Execution(
            e.batch,
            e.reference_date,
            e.transfer_date,
            e.executed_by,
            e.executed_at,
            e.eligible,
            e.transfers,
            e.total_yen,
            e.without_account,
            e.file_sha256,
        )
        for e in db.scalars(
            select(BenefitsExecution)
            .where(BenefitsExecution.run_id == run.id)
            .order_by(BenefitsExecution.batch)
        )
    ]


class BatchFileNotFound(NotFound):
    code = "benefits-batch-file-not-found"
    title = "No transfer file of this batch"


class BatchFileAltered(Conflict):
    code = "benefits-batch-file-altered"
    title = "The stored transfer file is not the one the execution recorded"


def recorded_file(
    db: Session, principal: Principal, run: BenefitRun, batch: int, directory: Path
) -> tuple[Path, Execution]:
    """The stored file of ``batch``, checked against the SHA-256 its execution recorded (a file
    changed or replaced on disk is refused, never handed to the bank)."""
    execution = next((e for e in executions_of(db, principal, run) if e.batch == batch), None)
    path = directory / file_name(run.id, batch)
    if execution is None or not path.is_file():
        raise BatchFileNotFound(f"run {run.id} has no stored transfer file of batch {batch}")
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != execution.file_sha256:
        raise BatchFileAltered(f"{path.name} does not match the SHA-256 recorded for batch {batch}")
    return path, execution
