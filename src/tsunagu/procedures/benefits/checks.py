"""Before a benefit run pays: who the rule makes eligible on the reference date (対象者の確認, nothing
written), and the 口座確認 — each eligible person's registered 公金受取口座 asked of the bank again,
so that an account closed or changed hands since its registration goes into no transfer file.

Both call the same page walk as :func:`service.execute`, so the counts are those the execution
will find.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tsunagu.core import authz, clock, logging
from tsunagu.core.progress import ProgressReporter
from tsunagu.core.sessions import Principal
from tsunagu.notify import service as notify
from tsunagu.procedures.benefits import service
from tsunagu.procedures.benefits.definition import BenefitRun
from tsunagu.procedures.benefits.models import BenefitsPayment
from tsunagu.registry.accounts import bankcheck
from tsunagu.registry.accounts import service as accounts
from tsunagu.registry.residents import service as residents

log = logging.get_logger("tsunagu.benefits")


@dataclass
class Population:
    """対象者の確認: the eligible on the reference date and where each stands in the run."""

    eligible: int = 0
    with_account: int = 0
    without_account: int = 0
    already_transferred: int = 0
    account_failed: int = 0


@dataclass
class AccountCheck:
    """口座確認: accounts the bank confirmed, and those it did not (with the bank's answers)."""

    checked: int = 0
    confirmed: int = 0
    refused: int = 0
    newly_refused: int = 0


def _eligible_pages(
    db: Session, run: BenefitRun, reference_date: date, progress: ProgressReporter | None
) -> Iterator[tuple[list[residents.ResidentRecord], dict[str, str]]]:
    """The eligible people a page at a time, with their status in the run so far."""
    for page in residents.residents_on(db, run.organization, reference_date, progress=progress):
        eligible = service.eligible_of(db, run, page, reference_date)
        if not eligible:
            continue
        known = dict(
            db.execute(
                select(BenefitsPayment.resident_id, BenefitsPayment.status).where(
                    BenefitsPayment.run_id == run.id,
                    BenefitsPayment.resident_id.in_([p.id for p in eligible]),
                )
            )
            .tuples()
            .all()
        )
        yield eligible, known


def population(db: Session, principal: Principal, run: BenefitRun, reference_date: date) -> Population:
    """How many the rule makes eligible on ``reference_date``, and how many can be paid now."""
    authz.require(principal, authz.Operation.PAY_BENEFITS, organization=run.organization)
    found = Population()
    for eligible, known in _eligible_pages(db, run, reference_date, None):
        found.eligible += len(eligible)
        registered = accounts.accounts_of(db, [p.id for p in eligible])
        for person in eligible:
            status = known.get(person.id)
            if status in (service.TRANSFERRED, service.RETURNED):
                found.already_transferred += 1
            elif status == service.ACCOUNT_FAILED:
                found.account_failed += 1
            elif person.id in registered:
                found.with_account += 1
            else:
                found.without_account += 1
    return found


def _refused_notice(run: BenefitRun, resident_id: str) -> notify.Outgoing:
    return notify.Outgoing(
        resident_id,
        run.organization,
        "info",
        f"{run.name.ja}のお知らせ — 公金受取口座をご確認ください",
        (
            f"あなたは{run.name.ja}（{run.amount_yen:,}円）の支給対象です。"
            "登録されている公金受取口座を金融機関に確認したところ、確認できませんでした"
            "（解約・名義の変更など）。口座を登録し直していただくと、次回の支給処理でお振込みします。"
        ),
        service.ACCOUNT_PAGE,
        extra={"benefit_run": run.id},
    )


def confirm_accounts(
    db: Session,
    principal: Principal,
    run: BenefitRun,
    bank: bankcheck.BankVerifier,
    *,
    reference_date: date,
    progress: ProgressReporter,
) -> AccountCheck:
    """口座確認: ask the bank about each eligible, unpaid person's account. A refused account is
    recorded (``account_failed``: left out of every file until the person registers one the bank
    confirms) and the person told once; confirmed ones are paid by the next execution."""
    authz.require(principal, authz.Operation.PAY_BENEFITS, organization=run.organization)
    report, now = AccountCheck(), clock.now()
    progress.start(f"{run.name.ja}: 口座確認", residents.count_people(db, run.organization))
    for eligible, known in _eligible_pages(db, run, reference_date, progress):
        unpaid = [p.id for p in eligible if known.get(p.id) not in (service.TRANSFERRED, service.RETURNED)]
        notices = []
        for resident_id, account in accounts.accounts_of(db, unpaid).items():
            status = known.get(resident_id)
            if status == service.ACCOUNT_FAILED:
                continue  # refused before and not registered anew: nothing new to ask the bank
            report.checked += 1
            answer = bank.verify(
                bankcheck.AccountQuery(
                    account.bank_code,
                    account.branch_code,
                    account.account_type,
                    account.account_number,
                    account.holder_kana,
                )
            )
            if answer.outcome == "match":
                report.confirmed += 1
                continue
            report.refused += 1
            report.newly_refused += 1
            values = {"status": service.ACCOUNT_FAILED, "return_reason": answer.outcome, "updated_at": now}
            if status is None:
                db.execute(
                    insert(BenefitsPayment),
                    [{"run_id": run.id, "resident_id": resident_id, "amount_yen": run.amount_yen, **values}],
                )
            else:
                db.execute(
                    update(BenefitsPayment)
                    .where(BenefitsPayment.run_id == run.id, BenefitsPayment.resident_id == resident_id)
                    .values(**values)
                )
            notices.append(_refused_notice(run, resident_id))
        notify.deliver_all(db.connection(), notices)
    db.flush()
    log.info(
        "benefit_accounts_confirmed",
        run=run.id,
        staff=principal.subject_id,
        checked=report.checked,
        refused=report.refused,
    )
    return report
