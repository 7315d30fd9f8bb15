"""The rows of one file, checked a batch at a time and column by column (the checker's inner loop).

A batch of rows is turned into columns; each column's distinct values are checked once (codes,
dates and era dates repeat across a register), and only a column with a bad or missing value is
walked row by row to say where. Keys go to the on-disk index in bulk. This keeps the Python work per
cell small, which is what makes a million-row export quick to check.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from typing import Protocol, cast

from tsunagu.conformance import cells
from tsunagu.conformance.findings import mask
from tsunagu.conformance.keys import SEPARATOR, KeyIndex, position
from tsunagu.conformance.requirements import CodeList, Column, Rule, TableRequirement, Text

#: distinct valid values remembered per column across batches (codes, dates repeat): bounded
_KNOWN = 1 << 16
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
        self.as_none = dict.fromkeys(self.missing)  # missing text → None, in C through dict.get
        self.width = len(header)
        bulks = [cells.compile_bulk(c, code_lists) for c in table.columns]
        self.plan = list(zip(positions, checks, bulks, table.columns, strict=True))
        self.known: list[set[str]] = [set() for _ in table.columns]
        self.known_pairs: set[tuple[str, str]] = set()
        names = [c.name for c in table.columns]
        self.names = names
        keyed = (
            ([(f"pk:{table.name}", table.primary_key)] if table.primary_key else [])
            + [(f"unique:{table.name}:{c.name}", (c.name,)) for c in table.columns if c.unique]
            + [(f"fk:{table.name}:{i}", fk.fields) for i, fk in enumerate(table.foreign_keys)]
            + [(f"ref:{table.name}:{','.join(f)}", f) for f in references]
        )
        self.keys = [(n, run.index.buffer(n), [names.index(x) for x in f]) for n, f in keyed]
        self.rules = list(rules)
        self.equals_dates = [
            (i, names.index(c.equals_date)) for i, c in enumerate(table.columns) if c.equals_date
        ]

    def at(self, row: int | None, column: str | None = None) -> At:
        return At(self.name, self.table.name, row, column)

    def batch(self, first: int, rows: list[list[str]]) -> None:
        """Check ``rows``, numbered from ``first``. The usual batch (every row of the header's width,
        none blank) goes column-wise without a Python step per row."""
        width = self.width
        raw_columns = list(zip(*rows, strict=False)) if rows and width else []
        regular = (
            bool(raw_columns)
            and len(raw_columns) == width
            and min(map(len, rows)) == width == max(map(len, rows))
            and "" not in raw_columns[0]  # a blank row has an empty first cell
        )
        base = position(self.file_id, 0)
        if regular:
            numbers: Sequence[int] = range(first, first + len(rows))
            places: Sequence[int] = range(base + first, base + first + len(rows))
        else:
            numbers, raw_columns = self._irregular(first, rows)
            places = [base + n for n in numbers]
        if not numbers:
            return
        values = [self._column(i, numbers, raw_columns, entry) for i, entry in enumerate(self.plan)]
        for at, other in self.equals_dates:
            self._equal_dates(numbers, values[at], values[other], self.table.columns[at])
        for name, pending, columns in self.keys:
            key_values = [values[i] for i in columns]
            if isinstance(places, range) and all(isinstance(v, tuple) for v in key_values):
                keys = (
                    key_values[0]
                    if len(columns) == 1
                    else list(map(SEPARATOR.join, zip(*key_values, strict=True)))
                )
                self.run.index.run(name, cast(Sequence[str], keys), places.start)
            else:
                pending.extend(_keyed(key_values, places))
        for rule in self.rules:
            self._rule(rule, numbers, places, values)

    def _irregular(self, first: int, rows: list[list[str]]) -> tuple[list[int], list[tuple[str, ...]]]:
        """The rows of a batch with a blank or short or long row: each reported, the usable kept."""
        numbers: list[int] = []
        good: list[list[str]] = []
        width = self.width
        for number, raw in enumerate(rows, start=first):
            if len(raw) != width or not any(raw):
                if self._shape(number, raw):
                    continue
                good.append((raw + [""] * width)[:width])  # a short row's missing cells are empty
            else:
                good.append(raw)
            numbers.append(number)
        return numbers, list(zip(*good, strict=True)) if good else []

    def _column(
        self, index: int, numbers: Sequence[int], raw_columns: list[tuple[str, ...]], entry: _Entry
    ) -> Values:
        """The column's values (the file's own tuple when all are present and valid); None where one
        is missing or of the wrong type (then it takes no part in keys)."""
        position_, check, bulk, column = entry
        if position_ is None:
            return [None] * len(numbers)  # the missing column is reported once, from the header
        texts = raw_columns[position_]
        distinct = set(texts)
        has_missing = not distinct.isdisjoint(self.missing)
        present = distinct - self.missing if has_missing else distinct
        known = self.known[index]
        if known:
            present -= known
        if bulk is not None and bulk(present):
            bad = {}
        else:
            bad = {text: problems for text in present if (problems := check(text))}
            if bulk is None and len(known) < _KNOWN:  # codes, dates: worth remembering
                known.update(present.difference(bad) if bad else present)
        if not bad and not has_missing:
            return texts
        if not bad and not column.required:  # only optional cells left empty
            return list(map(self.as_none.get, texts, texts))
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

    def _equal_dates(self, numbers: Sequence[int], wareki: Values, iso: Values, column: Column) -> None:
        pairs = set(zip(*_both(wareki, iso), strict=True))
        pairs -= self.known_pairs
        wrong = {pair: problem for pair in pairs if (problem := cells.wareki_matches(*pair))}
        if not wrong:
            if len(self.known_pairs) < _KNOWN:
                self.known_pairs |= pairs
            return
        for number, w, d in zip(numbers, wareki, iso, strict=True):
            if w is not None and d is not None and (problem := wrong.get((w, d))) is not None:
                self.run.add(
                    problem[0],
                    column.level,
                    self.at(number, column.name),
                    f"{column.title.ja}: {problem[1]}",
                    f"{column.name}: {problem[2]}",
                    value=mask(w) if column.personal else w,
                )

    def _rule(self, rule: Rule, numbers: Sequence[int], places: Sequence[int], values: list[Values]) -> None:
        column_of = {name: values[i] for i, name in enumerate(self.names)}
        if rule.kind == "compare":
            compare = _COMPARE[rule.operator]
            left, right = column_of[rule.left], column_of[rule.right]
            if all(map(compare, *_both(left, right))):  # the usual batch
                return
            rows = [
                n
                for n, a, b in zip(numbers, left, right, strict=True)
                if a is not None and b is not None and not compare(a, b)
            ]
            column = rule.left
        elif rule.kind == "required-if":
            when, field = column_of[rule.when_field], column_of[rule.field]
            if isinstance(field, tuple) or not any(
                map(
                    operator.and_,
                    map(rule.when_in.__contains__, when),
                    map(operator.is_, field, repeat(None)),
                )
            ):
                return
            rows = [
                n for n, w, v in zip(numbers, when, field, strict=True) if w in rule.when_in and v is None
            ]
            column = rule.field
        else:  # count-per-key: only the matching rows count
            matching = list(map(rule.when_in.__contains__, column_of[rule.when_field]))
            keys = list(compress(column_of[rule.key], matching))
            self.run.index.buffer(f"count:{rule.id}").extend(_keyed([keys], list(compress(places, matching))))
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
        for cell in range(self.width, len(raw)):
            self.run.add(
                "extra-cell",
                "MUST",
                self.at(number),
                f"{cell + 1}列目は見出しにない余分な値です",
                f"cell {cell + 1} has no column",
            )
        return False


def _both(a: Values, b: Values) -> tuple[Iterable[str], Iterable[str]]:
    """The values of the rows that have both (selected in C)."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return cast(tuple[str, ...], a), cast(tuple[str, ...], b)
    both = list(
        map(operator.and_, map(operator.is_not, a, repeat(None)), map(operator.is_not, b, repeat(None)))
    )
    return cast(Iterable[str], compress(a, both)), cast(Iterable[str], compress(b, both))


def _keyed(columns: list[Values], places: Sequence[int]) -> Iterable[tuple[str, int]]:
    """(key, position) of every row whose key columns are all present; a composite key's parts are
    joined with :data:`SEPARATOR`. All present (the usual batch): built in C, without a Python step."""
    if len(columns) == 1:
        (only,) = columns
        if isinstance(only, tuple):
            return zip(only, places, strict=True)
        present = map(operator.is_not, only, repeat(None))
        return cast(Iterable[tuple[str, int]], compress(zip(only, places, strict=True), present))
    if all(isinstance(c, tuple) for c in columns):
        return zip(map(SEPARATOR.join, zip(*columns, strict=True)), places, strict=True)
    return (
        (SEPARATOR.join(cast(tuple[str, ...], parts)), place)
        for parts, place in zip(zip(*columns, strict=True), places, strict=True)
        if None not in parts
    )
