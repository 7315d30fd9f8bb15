"""The rows of one file, checked a batch at a time and column by column (the checker's inner loop).

A batch of rows is turned into columns; each column's distinct values are checked once (codes,
dates and era dates repeat across a register), and only a column with a bad or missing value is
walked row by row to say where. Keys go to the on-disk index in bulk. This keeps the Python work per
cell small, which is what makes a million-row export quick to check.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Protocol

from tsunagu.conformance import cells
from tsunagu.conformance.findings import mask
from tsunagu.conformance.keys import SEPARATOR, KeyIndex
from tsunagu.conformance.requirements import CodeList, Column, Rule, TableRequirement, Text

BATCH = 5000
_COMPARE: dict[str, Callable[[str, str], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    ">=": operator.ge,
    ">": operator.gt,
}
Values = Sequence[str | None]
_Entry = tuple[int | None, cells.CellCheck, Callable[[set[str]], bool] | None, Column]


@dataclass(frozen=True)
class At:
    """Where a finding is: file, table, row, column."""

    file: str
    table: str
    row: int | None = None
    column: str | None = None


class Reporter(Protocol):
    index: KeyIndex

    def add(
        self,
        rule: str,
        level: str,
        at: At,
        ja: str,
        en: str,
        *,
        value: str | None = None,
        title: Text | None = None,
    ) -> None: ...


class TableReader:
    """One file of one table: its rows in batches, checked against the table's columns and rules."""

    def __init__(
        self,
        run: Reporter,
        name: str,
        header: list[str],
        table: TableRequirement,
        *,
        positions: list[int | None],
        checks: list[cells.CellCheck],
        code_lists: dict[str, CodeList],
        references: set[tuple[str, ...]],
        rules: Sequence[Rule],
    ) -> None:
        self.run, self.name, self.header, self.table = run, name, header, table
        self.file_id = run.index.file_id(name)
        self.missing = frozenset(table.missing_values)
        self.width = len(header)
        bulks = [cells.compile_bulk(c, code_lists) for c in table.columns]
        self.plan = list(zip(positions, checks, bulks, table.columns, strict=True))
        names = [c.name for c in table.columns]
        self.names = names
        keyed = (
            ([(f"pk:{table.name}", table.primary_key)] if table.primary_key else [])
            + [(f"unique:{table.name}:{c.name}", (c.name,)) for c in table.columns if c.unique]
            + [(f"fk:{table.name}:{i}", fk.fields) for i, fk in enumerate(table.foreign_keys)]
            + [(f"ref:{table.name}:{','.join(f)}", f) for f in references]
        )
        self.keys = [(run.index.buffer(n), [names.index(x) for x in f]) for n, f in keyed]
        self.rules = list(rules)
        self.equals_dates = [
            (i, names.index(c.equals_date)) for i, c in enumerate(table.columns) if c.equals_date
        ]

    def at(self, row: int | None, column: str | None = None) -> At:
        return At(self.name, self.table.name, row, column)

    def batch(self, rows: list[tuple[int, list[str]]]) -> None:
        numbers: list[int] = []
        good: list[list[str]] = []
        width = self.width
        for number, raw in rows:
            if len(raw) != width or not any(raw):
                if self._shape(number, raw):
                    continue
                good.append((raw + [""] * width)[:width])  # a short row's missing cells are empty
            else:
                good.append(raw)
            numbers.append(number)
        if not good:
            return
        raw_columns = list(zip(*good, strict=True))
        values = [self._column(numbers, raw_columns, entry) for entry in self.plan]
        for at, other in self.equals_dates:
            self._equal_dates(numbers, values[at], values[other], self.table.columns[at])
        file_id = self.file_id
        for pending, positions in self.keys:
            if len(positions) == 1:
                column_values = values[positions[0]]
                if isinstance(column_values, tuple):  # every value present and valid: in bulk
                    pending.extend(zip(column_values, repeat(file_id), numbers))
                else:
                    pending.extend(
                        (v, file_id, n) for v, n in zip(column_values, numbers, strict=True) if v is not None
                    )
            else:
                parts = zip(*(values[i] for i in positions), strict=True)
                pending.extend(
                    (SEPARATOR.join(str(x) for x in p), file_id, n)
                    for p, n in zip(parts, numbers, strict=True)
                    if None not in p
                )
        for rule in self.rules:
            self._rule(rule, numbers, values)

    def _column(self, numbers: list[int], raw_columns: list[tuple[str, ...]], entry: _Entry) -> Values:
        """The column's values (the file's own tuple when all are present and valid); None where one
        is missing or of the wrong type (then it takes no part in keys)."""
        position, check, bulk, column = entry
        if position is None:
            return [None] * len(numbers)  # the missing column is reported once, from the header
        texts = raw_columns[position]
        distinct = set(texts)
        has_missing = not distinct.isdisjoint(self.missing)
        present = distinct - self.missing if has_missing else distinct
        if bulk is not None and bulk(present):
            bad = {}
        else:
            bad = {text: problems for text in present if (problems := check(text))}
        if not bad and not has_missing:
            return texts
        result: list[str | None] = []
        for number, text in zip(numbers, texts, strict=True):
            if text in self.missing:
                result.append(None)
                if column.required:
                    self.run.add(
                        "constraint-error",
                        column.level,
                        self.at(number, column.name),
                        f"{column.title.ja}は必須です",
                        f"{column.name} is required",
                    )
                continue
            found = bad.get(text)
            if not found:
                result.append(text)
                continue
            # as in Table Schema: a value of the wrong type is no value; one breaking a constraint still
            # is one (its foreign key is still looked up)
            result.append(None if found[0][0] == "type-error" else text)
            for kind, ja, en in found:
                self.run.add(
                    kind,
                    column.level,
                    self.at(number, column.name),
                    f"{column.title.ja}: {ja}",
                    f"{column.name}: {en}",
                    value=mask(text) if column.personal else text[:80],
                )
        return result

    def _equal_dates(self, numbers: list[int], wareki: Values, iso: Values, column: Column) -> None:
        pairs = {(w, d) for w, d in zip(wareki, iso, strict=True) if w is not None and d is not None}
        wrong = {pair: problem for pair in pairs if (problem := cells.wareki_matches(*pair))}
        if not wrong:
            return
        for number, w, d in zip(numbers, wareki, iso, strict=True):
            if (problem := wrong.get((w, d))) is not None and w is not None:  # type: ignore[arg-type]
                self.run.add(
                    problem[0],
                    column.level,
                    self.at(number, column.name),
                    f"{column.title.ja}: {problem[1]}",
                    f"{column.name}: {problem[2]}",
                    value=mask(w) if column.personal else w,
                )

    def _rule(self, rule: Rule, numbers: list[int], values: list[Values]) -> None:
        column_of = {name: values[i] for i, name in enumerate(self.names)}
        if rule.kind == "compare":
            compare = _COMPARE[rule.operator]
            rows = [
                n
                for n, a, b in zip(numbers, column_of[rule.left], column_of[rule.right], strict=True)
                if a is not None and b is not None and not compare(a, b)
            ]
            column = rule.left
        elif rule.kind == "required-if":
            rows = [
                n
                for n, w, v in zip(numbers, column_of[rule.when_field], column_of[rule.field], strict=True)
                if w in rule.when_in and v is None
            ]
            column = rule.field
        else:  # count-per-key: only the matching rows count
            self.run.index.buffer(f"count:{rule.id}").extend(
                (k, self.file_id, n)
                for n, k, w in zip(numbers, column_of[rule.key], column_of[rule.when_field], strict=True)
                if w in rule.when_in and k is not None
            )
            return
        for number in rows:
            self.run.add(
                f"rule:{rule.id}",
                rule.level,
                self.at(number, column),
                rule.title.ja,
                rule.title.en,
                title=rule.title,
            )

    def _title(self, name: str) -> str:
        column = self.table.column(name)
        return column.title.ja if column else name

    def _shape(self, number: int, raw: list[str]) -> bool:
        """Report a row of the wrong width; True when nothing more is to be checked in it."""
        if not any(cell.strip() for cell in raw):
            self.run.add("blank-row", "MUST", self.at(number), "空の行です", "a blank row")
            return True
        for label in self.header[len(raw) :]:
            self.run.add(
                "missing-cell",
                "MUST",
                self.at(number, label.strip()),
                f"{self._title(label.strip())}の値がありません(区切りが足りません)",
                f"the row has no cell for {label!r}",
            )
        for position in range(self.width, len(raw)):
            self.run.add(
                "extra-cell",
                "MUST",
                self.at(number),
                f"{position + 1}列目は見出しにない余分な値です",
                f"cell {position + 1} has no column",
            )
        return False
