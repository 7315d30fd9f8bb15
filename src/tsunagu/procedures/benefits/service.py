"""給付金の支給: compute who is eligible on the reference date, pay those with a 公金受取口座 through
a 全銀 総合振込 file, list (and tell) those without one, and reconcile returned transfers (不能・組戻し).

A run is idempotent: ``benefits_payments`` holds one row per (run, person), so executing the same
run again writes a file with only the people not yet transferred — those who registered an
account since, or became eligible — and nobody is ever in two files. Every execution is recorded
with the staff member, the dates, the totals and the file's SHA-256 (``benefits_executions``).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import BinaryIO

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from tsunagu.core import authz, clock, logging
from tsunagu.core.errors import Conflict, ValidationFailed
from tsunagu.core.progress import ProgressReporter
from tsunagu.core.sessions import Principal
from tsunagu.core.types.wareki import format_wareki
from tsunagu.notify import service as notify
from tsunagu.procedures import rules as eligibility_rules
from tsunagu.procedures.benefits import zengin
from tsunagu.procedures.benefits.definition import BenefitRun
from tsunagu.procedures.benefits.models import BenefitsExecution, BenefitsPayment
from tsunagu.procedures.models import ProceduresApplication
from tsunagu.registry.accounts import service as accounts
from tsunagu.registry.residents import service as residents

log = logging.get_logger("tsunagu.benefits")

TRANSFERRED, NO_ACCOUNT, RETURNED = "transferred", "no_account", "returned"
ACCOUNT_FAILED = "account_failed"  # the bank no longer confirmed the account (口座確認): not in a file
#: statuses a later execution may still pay (an account registered or confirmed since)
UNPAID = (NO_ACCOUNT, ACCOUNT_FAILED)
ACCOUNT_PAGE = "/accounts"
# 不能・組戻しの事由 in the return list (Tsunagu's codes; banks word them in their own reports)
RETURN_REASONS = {
    "no-account": "口座なし",
    "closed": "解約済",
    "holder-mismatch": "名義相違",
    "other": "その他",
}


class ReferenceDateChanged(Conflict):
    code = "benefits-reference-date-changed"
    title = "The run was executed for another reference date"


class ReturnListInvalid(ValidationFailed):
    code = "benefits-return-list-invalid"
    title = "The return list is not valid"


@dataclass
class RunReport:
    """One execution: the eligible, the transfers in this file, and the people without an account."""

    run_id: str
    batch: int = 0
    eligible: int = 0
    transferred: int = 0
    total_yen: int = 0
    already_transferred: int = 0
    without_account: int = 0
    newly_without_account: int = 0
    account_failed: int = 0  # refused at the 口座確認 and not registered anew since
    file_sha256: str = ""


@dataclass(frozen=True)
class Totals:
    """The run so far, over every execution: what went out, what came back."""

    transferred: int
    transferred_yen: int
    returned: int
    returned_yen: int
    without_account: int
    account_failed: int = 0

    @property
    def paid(self) -> int:
        return self.transferred - self.returned

    @property
    def paid_yen(self) -> int:
        return self.transferred_yen - self.returned_yen


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def attributes_on(person: residents.ResidentRecord, day: date) -> dict[str, object]:
    """The eligibility attributes of a person as the register stood on ``day``."""
    return {
        "age": _age(person.birth_date, day),
        "status": person.status,
        "municipality_code": person.municipality_code,
        "prefecture_code": person.municipality_code[:2],
    }


def eligible_of(
    db: Session, run: BenefitRun, page: list[residents.ResidentRecord], reference_date: date
) -> list[residents.ResidentRecord]:
    """The people of ``page`` the run pays: its rule on the reference date and, for an allowance
    paid on a decision, an application of ``run.decided`` the paying organization approved."""
    rule = run.eligibility
    eligible = [p for p in page if eligibility_rules.evaluate(rule, attributes_on(p, reference_date))]
    if run.decided is None or not eligible:
        return eligible
    approved = set(
        db.scalars(
            select(ProceduresApplication.subject_id).where(
                ProceduresApplication.procedure_id == run.decided,
                ProceduresApplication.organization_code == run.organization,
                ProceduresApplication.status == "approved",
                ProceduresApplication.subject_id.in_([p.id for p in eligible]),
            )
        )
    )
    return [p for p in eligible if p.id in approved]


class _HashingWriter(io.RawIOBase):
    """Passes bytes through to the real output while hashing them (the execution's audit)."""

    def __init__(self, out: BinaryIO) -> None:
        self._out, self.sha256 = out, hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.sha256.update(data)
        return self._out.write(data)


def _header(run: BenefitRun, transfer_date: date) -> dict[str, str | int]:
    payer = run.payer
    return {
        "consignor_code": payer.consignor_code,
        "consignor_name": payer.name_kana,
        "transfer_date": transfer_date.strftime("%m%d"),
        "bank_code": payer.bank_code,
        "bank_name": accounts.bank_kana(payer.bank_code),
        "branch_code": payer.branch_code,
        "branch_name": accounts.branch_kana(payer.bank_code, payer.branch_code),
        "account_type": accounts.ACCOUNT_TYPES[payer.account_type][0],
        "account_number": payer.account_number,
    }


def _no_account_notice(run: BenefitRun, resident_id: str) -> notify.Outgoing:
    return notify.Outgoing(
        resident_id,
        run.organization,
        "info",
        f"{run.name.ja}のお知らせ — 公金受取口座の登録をお願いします",
        (
            f"あなたは{run.name.ja}（{run.amount_yen:,}円）の支給対象です。"
            "公金受取口座が登録されていないため、まだお振込みできません。"
            "口座を登録していただくと、次回の支給処理でお振込みします。"
        ),
        ACCOUNT_PAGE,
        extra={"benefit_run": run.id},
    )


def _paid_notice(run: BenefitRun, resident_id: str, transfer_date: date) -> notify.Outgoing:
    return notify.Outgoing(
        resident_id,
        run.organization,
        "info",
        f"{run.name.ja}をお振込みします",
        (
            f"あなたは{run.name.ja}（{run.amount_yen:,}円）の支給対象です。"
            f"{format_wareki(transfer_date)}に、登録されている公金受取口座へお振込みします。"
            # an allowance paid on a decision was applied for; a 給付金 by rule needs no application
            + ("" if run.decided else "申請の必要はありません。")
        ),
        ACCOUNT_PAGE,
        extra={"benefit_run": run.id},
    )


def started(db: Session, run: BenefitRun, reference_date: date) -> int:
    """The next batch number; the reference date of a run never changes once it was executed."""
    first = db.scalar(
        select(BenefitsExecution.reference_date).where(BenefitsExecution.run_id == run.id).limit(1)
    )
    if first is not None and first != reference_date:
        raise ReferenceDateChanged(
            f"run {run.id} was executed for the reference date {first.isoformat()}; "
            "a run keeps its reference date (give the new one a new id)",
            reference_date=first.isoformat(),
        )
    last = db.scalar(select(func.max(BenefitsExecution.batch)).where(BenefitsExecution.run_id == run.id))
    return int(last or 0) + 1


def execute(
    db: Session,
    principal: Principal,
    run: BenefitRun,
    *,
    reference_date: date,
    transfer_date: date,
    out: BinaryIO,
    progress: ProgressReporter,
    newline: bool = True,
) -> RunReport:
    """Execute ``run`` (支給処理) and write this batch's 総合振込 file to ``out``, in one transaction."""
    authz.require(principal, authz.Operation.PAY_BENEFITS, organization=run.organization)
    batch = started(db, run, reference_date)
    report = RunReport(run.id, batch)
    record_number = int(
        db.scalar(select(func.max(BenefitsPayment.record_number)).where(BenefitsPayment.run_id == run.id))
        or 0
    )
    hashing = _HashingWriter(out)
    transfer_file = zengin.TransferFile(
        hashing,  # type: ignore[arg-type]  # writes bytes as BinaryIO does
        _header(run, transfer_date),
        newline=newline,
    )
    progress.start(f"{run.name.ja}: 支給対象の確認", residents.count_people(db, run.organization))
    now = clock.now()
    for page in residents.residents_on(db, run.organization, reference_date, progress=progress):
        eligible = eligible_of(db, run, page, reference_date)
        if not eligible:
            continue
        ids = [p.id for p in eligible]
        report.eligible += len(ids)
        known: dict[str, str] = dict(
            db.execute(  # a Result has keys(), so dict() needs its rows
                select(BenefitsPayment.resident_id, BenefitsPayment.status).where(
                    BenefitsPayment.run_id == run.id, BenefitsPayment.resident_id.in_(ids)
                )
            )
            .tuples()
            .all()
        )
        registered, failed_at = _payable_accounts(db, run.id, ids, known)
        new_rows: list[dict[str, object]] = []
        notices: list[notify.Outgoing] = []
        for person in eligible:
            status = known.get(person.id)
            if status in (TRANSFERRED, RETURNED):
                report.already_transferred += 1
                continue
            account = registered.get(person.id)
            if account is not None and person.id in failed_at and account.verified_at <= failed_at[person.id]:
                report.account_failed += 1  # the bank refused this account; a new one is paid next time
                continue
            if account is None:
                report.without_account += 1
                if status is None:
                    report.newly_without_account += 1
                    new_rows.append(
                        {
                            "run_id": run.id,
                            "resident_id": person.id,
                            "status": NO_ACCOUNT,
                            "amount_yen": run.amount_yen,
                            "updated_at": now,
                        }
                    )
                    notices.append(_no_account_notice(run, person.id))
                continue
            record_number += 1
            transfer_file.transfer(
                {
                    "bank_code": account.bank_code,
                    "bank_name": accounts.bank_kana(account.bank_code),
                    "branch_code": account.branch_code,
                    "branch_name": accounts.branch_kana(account.bank_code, account.branch_code),
                    "account_type": accounts.ACCOUNT_TYPES[account.account_type][0],
                    "account_number": account.account_number,
                    "payee_name": account.holder_kana[:30],
                    "amount": run.amount_yen,
                    "customer_code_1": record_number,
                    "customer_code_2": batch,
                }
            )
            notices.append(_paid_notice(run, person.id, transfer_date))
            values = {
                "status": TRANSFERRED,
                "batch": batch,
                "record_number": record_number,
                "bank_code": account.bank_code,
                "branch_code": account.branch_code,
                "updated_at": now,
            }
            if status is None:
                new_rows.append(
                    {"run_id": run.id, "resident_id": person.id, "amount_yen": run.amount_yen, **values}
                )
            else:
                db.execute(
                    update(BenefitsPayment)
                    .where(
                        BenefitsPayment.run_id == run.id,
                        BenefitsPayment.resident_id == person.id,
                        BenefitsPayment.status.in_(UNPAID),
                    )
                    .values(**values)
                )
        if new_rows:
            db.execute(insert(BenefitsPayment), new_rows)
        notify.deliver_all(db.connection(), notices)  # one statement per page, not one per person
    transfer_file.close()
    report.transferred, report.total_yen = transfer_file.count, transfer_file.total
    report.file_sha256 = hashing.sha256.hexdigest()
    db.add(
        BenefitsExecution(
            run_id=run.id,
            batch=batch,
            organization_code=run.organization,
            reference_date=reference_date,
            transfer_date=transfer_date,
            amount_yen=run.amount_yen,
            executed_by=principal.subject_id,
            executed_at=now,
            eligible=report.eligible,
            transfers=report.transferred,
            total_yen=report.total_yen,
            without_account=report.without_account,
            file_sha256=report.file_sha256,
        )
    )
    db.flush()
    log.info(
        "benefit_run_executed",
        run=run.id,
        batch=batch,
        staff=principal.subject_id,
        transfers=report.transferred,
        total_yen=report.total_yen,
        without_account=report.without_account,
    )
    return report


def _payable_accounts(
    db: Session, run_id: str, ids: list[str], known: dict[str, str]
) -> tuple[dict[str, accounts.Account], dict[str, datetime]]:
    """The accounts of the people not paid yet, and when the bank refused the refused ones."""
    registered = accounts.accounts_of(db, [i for i in ids if known.get(i) in (None, *UNPAID)])
    refused = [i for i in ids if known.get(i) == ACCOUNT_FAILED]
    if not refused:
        return registered, {}
    return registered, dict(
        db.execute(
            select(BenefitsPayment.resident_id, BenefitsPayment.updated_at).where(
                BenefitsPayment.run_id == run_id, BenefitsPayment.resident_id.in_(refused)
            )
        )
        .tuples()
        .all()
    )


def without_account(db: Session, principal: Principal, run: BenefitRun) -> Iterator[residents.ResidentRecord]:
    """The eligible people the run could not pay for want of a 公金受取口座 (for the counter's follow-up)."""
    authz.require(principal, authz.Operation.PAY_BENEFITS, organization=run.organization)
    for resident_id in db.scalars(
        select(BenefitsPayment.resident_id)
        .where(BenefitsPayment.run_id == run.id, BenefitsPayment.status == NO_ACCOUNT)
        .order_by(BenefitsPayment.resident_id)
    ):
        person = residents.get_resident(db, resident_id)
        if person is not None:
            yield person


def totals(db: Session, run_id: str) -> Totals:
    """The run's totals over every execution and every return imported."""
    counts = {
        status: (int(n), int(yen or 0))
        for status, n, yen in db.execute(
            select(BenefitsPayment.status, func.count(), func.sum(BenefitsPayment.amount_yen))
            .where(BenefitsPayment.run_id == run_id)
            .group_by(BenefitsPayment.status)
        ).tuples()
    }
    returned = counts.get(RETURNED, (0, 0))
    transferred = counts.get(TRANSFERRED, (0, 0))
    return Totals(
        transferred[0] + returned[0],
        transferred[1] + returned[1],
        returned[0],
        returned[1],
        counts.get(NO_ACCOUNT, (0, 0))[0],
        counts.get(ACCOUNT_FAILED, (0, 0))[0],
    )


@dataclass(frozen=True)
class ReturnLine:
    record_number: int
    reason: str


def parse_returns(text: str) -> list[ReturnLine]:
    """A return list (不能・組戻し): CSV ``record_number,reason`` with a header row; each bad line named."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip() for c in rows[0]] != ["record_number", "reason"]:
        raise ReturnListInvalid("the first line must be the header: record_number,reason")
    lines, errors = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != 2 or not row[0].strip().isdigit():
            errors.append(
                {
                    "location": ["line", number],
                    "type": "benefits-return-line",
                    "message": f"line {number}: expected a record number and a reason, got {row!r}",
                }
            )
        elif row[1].strip() not in RETURN_REASONS:
            errors.append(
                {
                    "location": ["line", number],
                    "type": "benefits-return-reason",
                    "message": f"line {number}: unknown reason {row[1].strip()!r}; known: "
                    + ", ".join(RETURN_REASONS),
                }
            )
        else:
            lines.append(ReturnLine(int(row[0]), row[1].strip()))
    if errors:
        raise ReturnListInvalid(f"{len(errors)} line(s) of the return list are not valid", errors=errors)
    return lines


def import_returns(db: Session, principal: Principal, run: BenefitRun, lines: Iterable[ReturnLine]) -> int:
    """Mark the returned transfers failed and ask each person to check their account; all or nothing.
    A line naming a record not transferred in this run is an error; a record already returned is
    left as it is (importing the same list twice changes nothing)."""
    authz.require(principal, authz.Operation.PAY_BENEFITS, organization=run.organization)
    wanted = list(lines)
    by_record = {
        row.record_number: row
        for row in db.scalars(
            select(BenefitsPayment).where(
                BenefitsPayment.run_id == run.id,
                BenefitsPayment.record_number.in_([line.record_number for line in wanted]),
            )
        )
    }
    missing = [line.record_number for line in wanted if line.record_number not in by_record]
    if missing:
        raise ReturnListInvalid(
            f"run {run.id} has no transfer with record number(s) " + ", ".join(map(str, missing[:20])),
            errors=[
                {
                    "location": ["record_number", n],
                    "type": "benefits-return-unknown",
                    "message": f"no transfer {n} in this run",
                }
                for n in missing[:20]
            ],
        )
    marked = 0
    for line in wanted:
        payment = by_record[line.record_number]
        if payment.status == RETURNED:
            continue
        payment.status, payment.return_reason, payment.updated_at = RETURNED, line.reason, clock.now()
        notify.deliver(
            db,
            payment.resident_id,
            sender=run.organization,
            kind="info",
            title=f"{run.name.ja}をお振込みできませんでした",
            body=(
                f"{run.name.ja}（{payment.amount_yen:,}円）を公金受取口座にお振込みしましたが、"
                f"金融機関から返却されました（{RETURN_REASONS[line.reason]}）。"
                "公金受取口座の登録内容をご確認のうえ、市区町村の窓口にご連絡ください。"
            ),
            link=ACCOUNT_PAGE,
            extra={"benefit_run": run.id},
        )
        marked += 1
    db.flush()
    log.info("benefit_returns_imported", run=run.id, staff=principal.subject_id, returned=marked)
    return marked
