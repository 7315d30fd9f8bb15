"""The conformance checker (適合性確認): an export's files against a requirement set.

Rows stream through once: each cell is checked against its column, each row against the row rules,
and the keys go to an on-disk index (:mod:`keys`) that answers primary-key, foreign-key and
count-per-key questions when all files have been read. Memory stays bounded whatever the size.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from tsunagu.conformance import cells
from tsunagu.conformance.columns import At, TableReader
from tsunagu.conformance.findings import SHOULD_RULES, Finding, Findings, Report, mask
from tsunagu.conformance.keys import SEPARATOR, KeyIndex
from tsunagu.conformance.requirements import (
    CodeList,
    FileLayout,
    RequirementSet,
    Rule,
    TableRequirement,
    Text,
)
from tsunagu.conformance.sources import Limits, Source, SourceProblem, open_inputs
from tsunagu.core.progress import ProgressReporter, SilentProgress


@dataclass
class _Plan:
    """What the checker needs of the requirement set, prepared once."""

    tables: dict[str, TableRequirement]
    rules: tuple[Rule, ...]
    code_lists: dict[str, CodeList]
    required_encoding: str | None = None
    checks: dict[str, list[cells.CellCheck]] = field(default_factory=dict)
    references: dict[str, set[tuple[str, ...]]] = field(
        default_factory=dict
    )  # table → referenced field tuples

    def __post_init__(self) -> None:
        for table in self.tables.values():
            self.checks[table.name] = [cells.compile_column(c, self.code_lists) for c in table.columns]
            for fk in table.foreign_keys:
                if fk.reference != self.tables[fk.table].primary_key:  # else the primary key's table serves
                    self.references.setdefault(fk.table, set()).add(fk.reference)


def _ref_name(table: str, fields: tuple[str, ...]) -> str:
    return f"ref:{table}:{','.join(fields)}"


def _key_table(plan: _Plan, table: str, fields: tuple[str, ...]) -> str:
    """The key table holding ``table``'s values of ``fields``: its primary key's when they are the same."""
    return f"pk:{table}" if plan.tables[table].primary_key == fields else _ref_name(table, fields)


_At = At


class _Run:
    def __init__(self, plan: _Plan, findings: Findings, index: KeyIndex, progress: ProgressReporter) -> None:
        self.plan, self.findings, self.index, self.progress = plan, findings, index, progress
        self.rows: dict[str, int] = {}
        self.seen_tables: set[str] = set()
        for name, table in plan.tables.items():
            names = (
                ([f"pk:{name}"] if table.primary_key else [])
                + [f"unique:{name}:{c.name}" for c in table.columns if c.unique]
                + [f"fk:{name}:{i}" for i in range(len(table.foreign_keys))]
                + [_ref_name(name, fields) for fields in plan.references.get(name, ())]
            )
            for key_table in names:
                index.declare(key_table)
        for rule in plan.rules:
            if rule.kind == "count-per-key":
                index.declare(f"count:{rule.id}")

    def add(
        self,
        rule: str,
        level: str,
        at: _At,
        ja: str,
        en: str,
        *,
        value: str | None = None,
        title: Text | None = None,
    ) -> None:
        self.findings.add(Finding(rule, level, at.file, at.table, at.row, at.column, value, ja, en), title)

    def problem(self, problem: SourceProblem, name: str = "", table: str = "") -> None:
        level = "SHOULD" if problem.rule in SHOULD_RULES else "MUST"
        self.add(problem.rule, level, _At(name, table, problem.row), problem.message_ja, problem.message_en)

    def table_of(self, source: Source) -> TableRequirement | None:
        table = self.plan.tables.get(source.table)
        if table is None:
            self.add(
                "unknown-file",
                "SHOULD",
                _At(source.name, source.table),
                f"{source.name} は要件にないファイルのため確認していません",
                f"{source.name} names no table of the requirements; not checked",
            )
        return table

    def source(self, source: Source, table: TableRequirement) -> None:
        if self.plan.required_encoding == "cp932" and source.encoding not in ("cp932", ""):
            self.add(
                "encoding-error",
                "MUST",
                _At(source.name, table.name),
                "Shift_JIS(CP932)で作成してください(UTF-8 です)",
                "must be Shift_JIS (CP932), is UTF-8",
            )
        positions = _header(self, source, table)
        if positions is None:
            return
        self.seen_tables.add(table.name)
        reader = TableReader(
            self,
            source.name,
            source.header,
            table,
            positions=positions,
            checks=self.plan.checks[table.name],
            code_lists=self.plan.code_lists,
            references=self.plan.references.get(table.name, set()),
            rules=[r for r in self.plan.rules if r.table == table.name],
        )
        count = 0
        try:
            for first, rows in source.rows:
                reader.batch(first, rows)
                count += len(rows)
                self.progress.advance(len(rows))
                self.index.flush_full()
        except SourceProblem as problem:
            self.problem(problem, source.name, table.name)
        self.rows[source.name] = count

    def finish(self) -> None:
        for name, table in self.plan.tables.items():
            if name not in self.seen_tables:
                self.add(
                    "missing-table",
                    "MUST",
                    _At("", name),
                    f"{table.title.ja}({name})のファイルがありません",
                    f"no file for table {name!r}",
                )
        for table in self.plan.tables.values():
            self._keys_of(table)
        for rule in self.plan.rules:
            if rule.kind == "count-per-key" and rule.for_each in self.seen_tables:
                target = self.plan.tables[rule.for_each]
                for key, file_id, row, count in self.index.counted(
                    f"count:{rule.id}", _key_table(self.plan, rule.for_each, target.primary_key), rule.equals
                ):
                    at = _At(self.index.file_name(file_id), rule.for_each, row, ",".join(target.primary_key))
                    self.add(
                        f"rule:{rule.id}",
                        rule.level,
                        at,
                        f"{rule.title.ja}({count}件)",
                        f"{rule.title.en} ({count} found)",
                        value=key,
                        title=rule.title,
                    )

    def _keys_of(self, table: TableRequirement) -> None:
        name = table.name
        if table.primary_key:
            for key, file_id, row in self.index.repeated(f"pk:{name}"):
                at = _At(self.index.file_name(file_id), name, row, ",".join(table.primary_key))
                self.add(
                    "primary-key",
                    "MUST",
                    at,
                    "主キーが重複しています",
                    "the primary key repeats an earlier row",
                    value=key.replace(SEPARATOR, ","),
                )
        for column in (c for c in table.columns if c.unique):
            for key, file_id, row in self.index.repeated(f"unique:{name}:{column.name}"):
                self.add(
                    "unique-error",
                    column.level,
                    _At(self.index.file_name(file_id), name, row, column.name),
                    f"{column.title.ja}が重複しています",
                    f"{column.name} repeats an earlier row",
                    value=mask(key) if column.personal else key,
                )
        for i, fk in enumerate(table.foreign_keys):
            if fk.table not in self.seen_tables:
                continue  # reported once as a missing table
            for key, file_id, row in self.index.dangling(
                f"fk:{name}:{i}", _key_table(self.plan, fk.table, fk.reference)
            ):
                at = _At(self.index.file_name(file_id), name, row, ",".join(fk.fields))
                self.add(
                    "foreign-key",
                    "MUST",
                    at,
                    f"{self.plan.tables[fk.table].title.ja}に対応する行がありません",
                    f"no row of {fk.table} has {','.join(fk.reference)} = this value",
                    value=key.replace(SEPARATOR, ","),
                )


def _header(run: _Run, source: Source, table: TableRequirement) -> list[int | None] | None:
    """The position of each column of ``table`` in the file (None when absent); None if unusable."""
    header = [h.strip() for h in source.header]
    for position, name in enumerate(header):
        if name in header[:position]:
            run.add(
                "duplicate-label",
                "MUST",
                _At(source.name, table.name, 1, name),
                f"列 {name} が2回あります",
                f"column {name!r} appears twice",
            )
    expected = [c.name for c in table.columns]
    if table.strict_order and header != expected:
        run.add(
            "incorrect-label",
            "MUST",
            _At(source.name, table.name, 1),
            "列の並びが定められた順序と違います: " + ",".join(expected),
            "the columns must be exactly, in order: " + ",".join(expected),
        )
        return None
    for column in table.columns:
        if column.name not in header:
            run.add(
                "missing-label",
                "MUST" if column.required else "SHOULD",
                _At(source.name, table.name, 1, column.name),
                f"列 {column.name}({column.title.ja})がありません",
                f"column {column.name!r} is missing",
            )
    for name in header:
        if name not in expected:
            run.add(
                "extra-label",
                "SHOULD",
                _At(source.name, table.name, 1, name),
                f"列 {name} は要件にありません",
                f"column {name!r} is not in the requirements",
            )
    return [header.index(name) if name in header else None for name in expected]


def _run(
    plan: _Plan,
    paths: list[Path],
    *,
    name: str,
    title: Text,
    limits: Limits,
    progress: ProgressReporter,
    keep: int,
) -> Report:
    started = time.perf_counter()
    findings = Findings(keep=keep)
    progress.start(f"checking {name}", None)
    with KeyIndex() as index:
        run = _Run(plan, findings, index, progress)
        for item in open_inputs(paths, limits):
            if isinstance(item, SourceProblem):
                run.problem(item)
            elif (table := run.table_of(item)) is not None:
                run.source(item, table)
        run.finish()
    return Report(name, title, [p.name for p in paths], run.rows, findings, time.perf_counter() - started)


def check(
    requirements: RequirementSet,
    paths: list[Path],
    *,
    limits: Limits | None = None,
    progress: ProgressReporter | None = None,
    keep: int = 1000,
) -> Report:
    """Check the files of an export (CSV/TSV/JSONL/xlsx or a ZIP of them) against the data requirements."""
    plan = _Plan({t.name: t for t in requirements.tables}, requirements.rules, requirements.code_lists)
    return _run(
        plan,
        paths,
        name=requirements.key,
        title=requirements.title,
        limits=limits or Limits(),
        progress=progress or SilentProgress(),
        keep=keep,
    )


def check_layout(
    requirements: RequirementSet,
    layout: FileLayout,
    path: Path,
    *,
    limits: Limits | None = None,
    progress: ProgressReporter | None = None,
    keep: int = 1000,
) -> Report:
    """Check a file of a file-based interface (連携ファイル) against its layout: column order, encoding."""
    table = TableRequirement(
        path.name.split(".")[0],
        layout.title,
        layout.table.schema_path,
        layout.table.columns,
        layout.table.primary_key,
        (),
        layout.table.missing_values,
        True,
    )
    plan = _Plan({table.name: table}, (), requirements.code_lists, required_encoding=layout.encoding)
    return _run(
        plan,
        [path],
        name=f"{requirements.key}#{layout.id}",
        title=layout.title,
        limits=limits or Limits(),
        progress=progress or SilentProgress(),
        keep=keep,
    )
