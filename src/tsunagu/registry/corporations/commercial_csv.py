"""The CSV layout of 登記事項 extracts (商業・法人登記), and its all-or-nothing import.

One UTF-8 file (a BOM is allowed), comma separated, with this header; every row has a ``record``
of 登記, 役員 or 支店 and fills the columns of its kind (the others stay empty)::

    corporate_number,record,registry_office,purpose,capital_yen,established_on,title,name,address,representative,from,until

- 登記: registry_office (管轄登記所), purpose (目的; several separated by ``|``), capital_yen
  (資本金の額 in yen, empty for corporations without capital), established_on (会社成立の年月日).
- 役員: title (役職), name (氏名), address (住所; required when representative is 1), representative
  (1 for 代表取締役・代表社員・代表理事, else 0), from (就任日), until (退任日, empty while in office).
- 支店: address (支店の所在場所), from (設置日), until (廃止日).

Dates are ISO (2024-04-01). A corporation's 登記 row must come first; a file is a full extract: the
officers and branches of every corporation in it replace those recorded before. Every row is
checked first (法人番号 check digit, known corporation, dates, kinds); one bad row rejects the file
and each bad line is reported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.orm import Session

from tsunagu.core.errors import ValidationFailed
from tsunagu.core.types.corporate_number import CorporateNumber, InvalidCorporateNumber
from tsunagu.registry.corporations import commercial
from tsunagu.registry.corporations.models import Corporation, CorporationBranch, CorporationOfficer
from tsunagu.registry.residents.bulk import savepoint

HEADER = (
    "corporate_number",
    "record",
    "registry_office",
    "purpose",
    "capital_yen",
    "established_on",
    "title",
    "name",
    "address",
    "representative",
    "from",
    "until",
)
RECORDS = ("登記", "役員", "支店")


class CommercialImportRejected(ValidationFailed):
    code = "corporations-commercial-import-rejected"
    title = "Commercial registry file rejected"


@dataclass
class CommercialImportReport:
    rows: int = 0
    registrations: int = 0
    officers: int = 0
    branches: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _date(text: str, column: str, required: bool) -> date | None:
    if not text.strip():
        if required:
            raise ValueError(f"{column} is required")
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{column} is not a date (YYYY-MM-DD): {text!r}") from None


@dataclass(frozen=True)
class _Row:
    line: int
    number: str
    record: str
    values: dict[str, str]
    start: date | None
    end: date | None
    capital: int | None


def _parse(line: int, values: dict[str, str], known: set[str], registered: set[str]) -> _Row:
    number = str(CorporateNumber(values["corporate_number"]))
    if number not in known:
        raise ValueError(f"no corporation has the corporate number {number}")
    record = values["record"].strip()
    if record not in RECORDS:
        raise ValueError(f"record is one of {', '.join(RECORDS)}, got {record!r}")
    capital = None
    if record == "登記":
        registered.add(number)
        if values["capital_yen"].strip():
            if not values["capital_yen"].strip().isdigit():
                raise ValueError(f"capital_yen is a whole number of yen, got {values['capital_yen']!r}")
            capital = int(values["capital_yen"])
        start = _date(values["established_on"], "established_on", True)
        return _Row(line, number, record, values, start, None, capital)
    if number not in registered:
        raise ValueError(f"the 登記 row of {number} must come before its {record} rows")
    start = _date(values["from"], "from", True)
    end = _date(values["until"], "until", False)
    if start and end and end < start:
        raise ValueError("until is before from")
    if record == "役員":
        if values["representative"].strip() not in ("0", "1"):
            raise ValueError("representative is 1 or 0")
        if not values["title"].strip() or not values["name"].strip():
            raise ValueError("an officer has a title and a name")
        if values["representative"].strip() == "1" and not values["address"].strip():
            raise ValueError("a representative's address is required")
    elif not values["address"].strip():
        raise ValueError("a branch has an address")
    return _Row(line, number, record, values, start, end, capital)


def read(db: Session, text: str) -> tuple[list[_Row], list[tuple[int, str]]]:
    """The file's rows, checked, and every bad line with its reason."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    if tuple(reader.fieldnames or ()) != HEADER:
        raise CommercialImportRejected(
            f"the header must be: {','.join(HEADER)}",
            errors=[{"location": ["line", 1], "message": "unexpected header", "type": "bad-header"}],
        )
    known = set(db.scalars(Corporation.__table__.select().with_only_columns(Corporation.number)))
    rows, errors, registered = [], [], set[str]()
    for line, values in enumerate(reader, start=2):
        try:
            rows.append(_parse(line, {k: (v or "") for k, v in values.items() if k}, known, registered))
        except (ValueError, InvalidCorporateNumber) as exc:
            errors.append((line, getattr(exc, "detail", None) or str(exc)))
    return rows, errors


def import_file(db: Session, path: Path) -> CommercialImportReport:
    """Import a 登記事項 extract; any bad row rejects the whole file (nothing is written)."""
    rows, errors = read(db, path.read_text(encoding="utf-8"))
    report = CommercialImportReport(rows=len(rows) + len(errors), errors=errors)
    if errors:
        raise CommercialImportRejected(
            f"{path.name}: {len(errors)} rows are invalid, nothing was imported "
            f"(first: line {errors[0][0]}: {errors[0][1]})",
            errors=[
                {"location": ["line", line], "message": reason, "type": "bad-row"}
                for line, reason in errors[:100]
            ],
        )
    with savepoint(db):
        for number in {row.number for row in rows}:
            db.execute(delete(CorporationOfficer).where(CorporationOfficer.number == number))
            db.execute(delete(CorporationBranch).where(CorporationBranch.number == number))
        for row in rows:
            if row.record == "登記":
                assert row.start is not None
                commercial.register(
                    db,
                    row.number,
                    registry_office=row.values["registry_office"],
                    purposes=row.values["purpose"].split("|"),
                    capital_yen=row.capital,
                    established_on=row.start,
                )
                report.registrations += 1
            elif row.record == "役員":
                db.add(
                    CorporationOfficer(
                        number=row.number,
                        title=row.values["title"].strip(),
                        name=row.values["name"].strip(),
                        address=row.values["address"].strip(),
                        representative=row.values["representative"].strip() == "1",
                        appointed_on=row.start,
                        resigned_on=row.end,
                    )
                )
                report.officers += 1
            else:
                db.add(
                    CorporationBranch(
                        number=row.number,
                        address=row.values["address"].strip(),
                        opened_on=row.start,
                        closed_on=row.end,
                    )
                )
                report.branches += 1
        db.flush()
    return report
