"""住民税の課税台帳: record or correct each resident's yearly assessment, and tell of it.

The municipality's tax section assesses 住民税 every year from the 給与支払報告書 and 申告 (賦課
期日 1 January, notices from June). The result — the 総所得金額等 and whether any 住民税 is levied
(課税) or none (非課税) — is recorded here, one row per resident and fiscal year; a different
result for the same year is a correction (更正) and raises the revision. Recording a new result,
or a changed one, puts an ``income_assessed`` event into the municipality's outbox (never the
amount: the year and the effective date), in the same transaction: the push-type notices (e.g.
住民税非課税世帯等への給付金) and the mesh's subscribers read it like a change of the register. The
same result recorded again changes nothing and tells nobody.

Import file (UTF-8, a BOM allowed): the header ``resident_id,fiscal_year,total_income,taxable``,
then one line per resident — the register's id of the person (宛名番号), the fiscal year (賦課年度,
2026 for 令和8年度), the 総所得金額等 in whole yen and ``課税`` or ``非課税``. Every line is checked
first: a bad line is named by its number and nothing is recorded.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import authz, clock, logging
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.sessions import Principal
from tsunagu.registry.residents import service as residents
from tsunagu.registry.taxation.models import TaxationAssessment

log = logging.get_logger("tsunagu.taxation")

EVENT_KIND: residents.EventKind = "income_assessed"
HEADER = ["resident_id", "fiscal_year", "total_income", "taxable"]
TAXABLE = {"課税": True, "非課税": False}
FIRST_YEAR = 2000


class AssessmentsInvalid(ValidationFailed):
    code = "taxation-assessments-invalid"
    title = "The assessment file is not valid"


@dataclass(frozen=True)
class Assessment:
    resident_id: str
    fiscal_year: int
    total_income: int
    taxable: bool
    revision: int
    recorded_at: datetime


@dataclass(frozen=True)
class Line:
    resident_id: str
    fiscal_year: int
    total_income: int
    taxable: bool


@dataclass
class ImportReport:
    recorded: int = 0
    corrected: int = 0
    unchanged: int = 0


def latest_of(db: Session, resident_id: str) -> Assessment | None:
    """The person's assessment of the latest fiscal year recorded, if any."""
    row = db.scalar(
        select(TaxationAssessment)
        .where(TaxationAssessment.resident_id == resident_id)
        .order_by(TaxationAssessment.fiscal_year.desc())
        .limit(1)
    )
    if row is None:
        return None
    return Assessment(
        row.resident_id, row.fiscal_year, row.total_income, row.taxable, row.revision, row.recorded_at
    )


def _problem(number: int, message: str) -> dict[str, Any]:
    return {"location": ["line", number], "type": "taxation-line", "message": f"line {number}: {message}"}


def parse(text: str) -> list[Line]:
    """The lines of an import file, or :class:`AssessmentsInvalid` naming every bad one."""
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    if not rows or [c.strip() for c in rows[0]] != HEADER:
        raise AssessmentsInvalid(f"the first line must be the header: {','.join(HEADER)}")
    lines, errors, seen = [], [], set()
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        cells = [c.strip() for c in row]
        if len(cells) != len(HEADER):
            errors.append(_problem(number, f"expected {len(HEADER)} values, got {len(cells)}"))
            continue
        resident_id, year, income, taxable = cells
        if not (year.isascii() and year.isdigit() and FIRST_YEAR <= int(year) <= clock.today_jst().year + 1):
            errors.append(_problem(number, f"fiscal_year {year!r} is not a year (e.g. 2026 for 令和8年度)"))
        elif not (income.isascii() and income.isdigit()):
            errors.append(_problem(number, f"total_income {income!r} is not a whole number of yen"))
        elif taxable not in TAXABLE:
            errors.append(_problem(number, f"taxable {taxable!r} is neither 課税 nor 非課税"))
        elif (resident_id, int(year)) in seen:
            errors.append(_problem(number, f"a second line for {resident_id} in {year}"))
        else:
            seen.add((resident_id, int(year)))
            lines.append(Line(resident_id, int(year), int(income), TAXABLE[taxable]))
    if errors:
        raise AssessmentsInvalid(f"{len(errors)} line(s) of the assessment file are not valid", errors=errors)
    return lines


def record(db: Session, principal: Principal, lines: list[Line]) -> ImportReport:
    """Record (or correct) every line, all or nothing; each new or changed result announced once."""
    organization = principal.organization_code or ""
    authz.require(principal, authz.Operation.ASSESS_TAX, organization=organization)
    people = {line.resident_id: residents.get_resident(db, line.resident_id) for line in lines}
    foreign = [
        _problem(n, f"{line.resident_id} is not a resident of {organization}")
        for n, line in enumerate(lines, start=2)
        if (found := people[line.resident_id]) is None or found.municipality_code != organization
    ]
    if foreign:
        raise AssessmentsInvalid("the file names people this municipality does not register", errors=foreign)
    report, now = ImportReport(), clock.now()
    for line in lines:
        row = db.scalar(
            select(TaxationAssessment).where(
                TaxationAssessment.resident_id == line.resident_id,
                TaxationAssessment.fiscal_year == line.fiscal_year,
            )
        )
        if row is not None and (row.total_income, row.taxable) == (line.total_income, line.taxable):
            report.unchanged += 1
            continue
        if row is None:
            row = TaxationAssessment(
                resident_id=line.resident_id,
                municipality_code=organization,
                fiscal_year=line.fiscal_year,
                revision=0,
            )
            db.add(row)
            report.recorded += 1
        else:
            report.corrected += 1
        row.total_income, row.taxable, row.revision = line.total_income, line.taxable, row.revision + 1
        row.recorded_by, row.recorded_at = principal.subject_id, now
        residents.announce(
            db,
            line.resident_id,
            organization,
            EVENT_KIND,
            {
                "fiscal_year": line.fiscal_year,
                "revision": row.revision,
                "effective_date": clock.today_jst().date().isoformat(),
                # one occurrence per person and fiscal year: a correction is the same occurrence,
                # so a push-type notice is sent once and withdrawn if the correction ends eligibility
                "occurrence": f"income-{line.resident_id}-{line.fiscal_year}",
            },
        )
    db.flush()
    log.info("assessments_recorded", staff=principal.subject_id, **report.__dict__)
    return report
