"""補助金 and 調達 records of corporations, imported from the granting and buying bodies' files.

The layouts follow the items Gビズインフォ publishes (補助金情報: date_of_approval, title, target,
amount, government_departments; 調達情報: date_of_order, title, amount, government_departments),
with Japanese headers, UTF-8 (a BOM is allowed), one record per line:

subsidies (補助金):
    法人番号, 交付決定日 (YYYY-MM-DD), 補助金等の名称, 補助対象事業, 交付決定額（円）, 交付元,
    出典, 出典での番号

procurements (調達):
    法人番号, 契約日 (YYYY-MM-DD), 調達件名, 契約金額（円）, 調達機関, 出典, 出典での番号

An amount may be empty (not published). 出典 + 出典での番号 identify a record: importing a file again
replaces its records instead of adding them twice. A file is imported all or nothing: every line's
problem is reported with its line number, and nothing is written if there is one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.types.corporate_number import CorporateNumber, InvalidCorporateNumber
from tsunagu.procedures.corpinfo.models import CorpinfoProcurement, CorpinfoSubsidy
from tsunagu.registry.corporations import service as corporations

__all__ = [
    "PROCUREMENT_HEADER",
    "SUBSIDY_HEADER",
    "AwardImportRejected",
    "AwardReport",
    "Kind",
    "import_awards",
    "import_file",
]

Kind = Literal["subsidies", "procurements"]
SUBSIDY_HEADER = (
    "法人番号",
    "交付決定日",
    "補助金等の名称",
    "補助対象事業",
    "交付決定額（円）",
    "交付元",
    "出典",
    "出典での番号",
)
PROCUREMENT_HEADER = ("法人番号", "契約日", "調達件名", "契約金額（円）", "調達機関", "出典", "出典での番号")
HEADERS: dict[str, tuple[str, ...]] = {"subsidies": SUBSIDY_HEADER, "procurements": PROCUREMENT_HEADER}


class AwardImportRejected(ValidationFailed):
    code = "corpinfo-import-rejected"
    title = "The file was not imported"


@dataclass(frozen=True)
class AwardReport:
    kind: Kind
    created: int
    replaced: int


def _problem(line: int, column: str, message: str) -> dict[str, object]:
    return {"location": ["line", line, column], "message": message}


def _parse(
    db: Session, kind: Kind, line: int, cells: Sequence[str]
) -> tuple[dict[str, object], list[dict[str, object]]]:
    header = HEADERS[kind]
    problems: list[dict[str, object]] = []
    if len(cells) != len(header):
        return {}, [_problem(line, "", f"{len(header)} columns expected, {len(cells)} found")]
    row = dict(zip(header, (c.strip() for c in cells), strict=True))
    values: dict[str, object] = {}
    try:
        number = str(CorporateNumber(row["法人番号"]))
        if corporations.get_corporation(db, number) is None:
            problems.append(_problem(line, "法人番号", f"no corporation has the number {number}"))
        values["corporate_number"] = number
    except InvalidCorporateNumber as exc:
        problems.append(_problem(line, "法人番号", exc.detail))
    day_column = header[1]
    try:
        values["approved_on" if kind == "subsidies" else "ordered_on"] = date.fromisoformat(row[day_column])
    except ValueError:
        problems.append(_problem(line, day_column, "a date is written YYYY-MM-DD"))
    amount_column = "交付決定額（円）" if kind == "subsidies" else "契約金額（円）"
    amount = row[amount_column].replace(",", "")
    if amount and not (amount.isascii() and amount.isdigit()):
        problems.append(_problem(line, amount_column, "an amount is a whole number of yen, or empty"))
    values["amount_yen"] = int(amount) if amount and amount.isascii() and amount.isdigit() else None
    title_column = header[2]
    department_column = "交付元" if kind == "subsidies" else "調達機関"
    for column, limit in (
        (title_column, 300),
        (department_column, 100),
        ("出典", 100),
        ("出典での番号", 100),
    ):
        if not row[column]:
            problems.append(_problem(line, column, "required"))
        elif len(row[column]) > limit:
            problems.append(_problem(line, column, f"at most {limit} characters"))
    values.update(
        title=row[title_column],
        government_department=row[department_column],
        source=row["出典"],
        source_id=row["出典での番号"],
    )
    if kind == "subsidies":
        values["target"] = row["補助対象事業"][:300]
    return values, problems


def import_awards(db: Session, kind: Kind, text: str) -> AwardReport:
    """Import one file's records (see the module's layouts); all or nothing."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    header = tuple(cell.strip() for cell in next(reader, []))
    if header != HEADERS[kind]:
        raise AwardImportRejected(
            "the header is not the documented layout",
            errors=[_problem(1, "", "expected: " + ",".join(HEADERS[kind]))],
        )
    parsed: list[dict[str, object]] = []
    problems: list[dict[str, object]] = []
    seen: set[tuple[object, object]] = set()
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values, found = _parse(db, kind, line, cells)
        key = (values.get("source"), values.get("source_id"))
        if not found and key in seen:
            found = [_problem(line, "出典での番号", "the same record appears twice in the file")]
        seen.add(key)
        problems += found
        parsed.append(values)
    if problems:
        raise AwardImportRejected(f"{len(problems)} problem(s): nothing was imported", errors=problems)
    model: type[CorpinfoSubsidy] | type[CorpinfoProcurement] = (
        CorpinfoSubsidy if kind == "subsidies" else CorpinfoProcurement
    )
    created = replaced = 0
    for values in parsed:
        existing = db.scalars(
            select(model).where(model.source == values["source"], model.source_id == values["source_id"])
        ).first()
        if existing is None:
            db.add(model(**values, imported_at=clock.now()))
            created += 1
        else:
            for name, value in {**values, "imported_at": clock.now()}.items():
                setattr(existing, name, value)
            replaced += 1
    db.flush()
    return AwardReport(kind, created, replaced)


def import_file(db: Session, kind: Kind, path: Path) -> AwardReport:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise AwardImportRejected(
            "the file is not UTF-8", errors=[_problem(1, "", "save the file as UTF-8")]
        ) from None
    return import_awards(db, kind, text)
