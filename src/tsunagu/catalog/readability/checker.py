"""Checking a file's machine readability (機械可読性チェック): every sheet against every rule, each
violation with its sheet, cell, rule and fix, each rule's outcome, and the score per level.

A rule is not judged (left out of the score, as the published scoring does) when it is for the
other format (Excel-only rules on a CSV and the reverse), when this checker cannot decide it from
one file (L3-02 code tables, L3-07 year-to-year layout), or when no sheet holds a table. A file in
a format made for reading rather than machines (PDF, Word) fails L1-01 and is not read further."""

from __future__ import annotations

from dataclasses import dataclass, field

from tsunagu.catalog.readability import checks, layout
from tsunagu.catalog.readability.reading import Workbook, cell_name, cells, read
from tsunagu.catalog.readability.rules import Rule, level_score, rules

#: at most this many cells are listed per rule and sheet; the rest are counted
LISTED = 100


@dataclass(frozen=True)
class Violation:
    rule: Rule
    sheet: str
    cell: str  # "B12", or "" for the whole file
    found: str  # what was found there (Japanese)


@dataclass
class Report:
    file: str
    kind: str
    encoding: str
    rows: int  # rows read over every sheet
    violations: list[Violation] = field(default_factory=list)
    unlisted: dict[str, int] = field(default_factory=dict)  # rule id → violations not listed
    outcomes: dict[str, bool | None] = field(default_factory=dict)  # None: not judged
    scores: dict[int, int | None] = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        return all(passed is not False for passed in self.outcomes.values())

    def count(self, rule_id: str) -> int:
        return sum(1 for v in self.violations if v.rule.id == rule_id) + self.unlisted.get(rule_id, 0)


def check_file(name: str, data: bytes) -> Report:
    """Read ``data`` (named ``name``) and check it; unreadable input raises an UnreadableFile."""
    return check_workbook(read(name, data))


def check_workbook(workbook: Workbook) -> Report:
    report = Report(
        file=workbook.name,
        kind=workbook.kind,
        encoding=workbook.encoding,
        rows=sum(len(sheet.rows) for sheet in workbook.sheets),
    )
    every = rules()
    if workbook.kind not in {"xlsx", "csv"}:
        report.violations.append(Violation(every["L1-01"], "", "", f"{workbook.kind} 形式のファイルです"))
        report.outcomes = {rule_id: (False if rule_id == "L1-01" else None) for rule_id in every}
        report.scores = {level: level_score(level, report.outcomes) for level in (1, 2, 3)}
        return report
    tables = [(sheet, layout.locate(sheet)) for sheet in workbook.sheets]
    found = [(sheet, table) for sheet, table in tables if table is not None]
    notes = "\n".join(str(v) for sheet, table in tables if table is None for _, v in cells(sheet))
    failed: set[str] = set()
    for sheet, table in found:
        sheet.notes = notes
        for rule_id, rule_check in checks.CHECKS.items():
            rule = every[rule_id]
            if not rule.applies_to(workbook.kind):
                continue
            listed = 0
            for position, what in rule_check(sheet, table):
                failed.add(rule_id)
                if listed < LISTED:
                    report.violations.append(Violation(rule, sheet.name, cell_name(position), what))
                    listed += 1
                else:
                    report.unlisted[rule_id] = report.unlisted.get(rule_id, 0) + 1
    for rule_id, rule in every.items():
        judged = bool(found) and rule.judged and rule.applies_to(workbook.kind)
        report.outcomes[rule_id] = (rule_id not in failed) if judged else None
    if found:
        report.outcomes["L1-01"] = True
    report.scores = {level: level_score(level, report.outcomes) for level in (1, 2, 3)}
    return report
