"""Differential test against frictionless (the reference implementation of Table Schema): on the rules
both implement — types, constraints, primary and foreign keys, row shape — both report the same
violations at the same rows and columns of the same broken files."""

from __future__ import annotations

import csv
from pathlib import Path

import frictionless
import pytest
import yaml

from tsunagu.conformance import checker, requirements

SHARED = {
    "type-error",
    "constraint-error",
    "primary-key",
    "foreign-key",
    "missing-cell",
    "extra-cell",
    "blank-row",
    "unique-error",
}


def _valid(directory: Path) -> dict[str, list[list[str]]]:
    """A small valid export: 20 households of 3, their addresses, a change per person."""
    persons, households, addresses, changes = [], [], [], []
    for h in range(20):
        household, address = f"{h + 1:032x}", f"addr-{h}"
        addresses.append([address, "131016", "東京都", "千代田区", "一番町", str(h + 1), "1", "", "1002"])
        for m, relation in enumerate(("世帯主", "妻", "子")):
            person = f"{h * 10 + m + 1:032x}"
            persons.append(
                [
                    person,
                    household,
                    "佐藤",
                    "花子",
                    "サトウ",
                    "ハナコ",
                    "1990-04-01",
                    "平成2年4月1日",
                    "2",
                    relation,
                    address,
                    "2000-01-01",
                    "1",
                    "",
                    "",
                ]
            )
            changes.append([str(len(changes) + 1), person, "A1", "2000-01-01", "2000-01-02", ""])
        households.append([household, "131016", f"{h * 10 + 1:032x}"])
    return {"persons": persons, "households": households, "addresses": addresses, "changes": changes}


BREAKAGES: list[tuple[str, int, int | None, str | list[str]]] = [
    # (table, data row index, column index or None for the whole row, new value or row)
    ("persons", 1, 6, "1990-02-30"),  # type-error: no such day
    ("persons", 2, 6, "1990/04/01"),  # type-error: not ISO
    ("persons", 3, 2, ""),  # constraint-error: required
    ("persons", 4, 4, "さとう"),  # constraint-error: pattern (katakana)
    ("persons", 5, 3, "あ" * 101),  # constraint-error: maxLength
    ("persons", 6, 0, f"{2:032x}"),  # primary-key: the same as row 1's
    ("persons", 7, 1, f"{999:032x}"),  # foreign-key: no such household
    ("persons", 8, None, ["a", "b"]),  # missing-cell
    ("changes", 3, 0, "3.5"),  # type-error: integer
    ("changes", 4, 0, "0"),  # constraint-error: minimum
    ("changes", 5, 1, f"{777:032x}"),  # foreign-key: no such person
    ("changes", 6, None, [""] * 6),  # blank-row
    ("addresses", 2, 8, "-4"),  # constraint-error: minimum of town_id
    (
        "addresses",
        3,
        None,
        ["addr-x", "131016", "東京都", "千代田区", "", "", "", "", "", "extra"],
    ),  # extra-cell
    ("households", 4, 2, f"{12:032x}"),  # foreign-key (composite): the head lives in another household
]


def _write(directory: Path, set_: requirements.RequirementSet) -> None:
    tables = _valid(directory)
    for table, index, column, value in BREAKAGES:
        if column is None:
            tables[table][index] = list(value)
        else:
            tables[table][index][column] = str(value)
    for table in set_.tables:
        with (directory / f"{table.name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([c.name for c in table.columns])
            writer.writerows(tables[table.name])


def _frictionless(
    directory: Path, set_: requirements.RequirementSet
) -> set[tuple[str, int | None, str | None, str]]:
    resources = [
        {
            "name": t.name,
            "path": f"{t.name}.csv",
            "format": "csv",
            "encoding": "utf-8",
            "schema": yaml.safe_load(t.schema_path.read_text(encoding="utf-8")),
        }
        for t in set_.tables
    ]
    package = frictionless.Package({"name": "export", "resources": resources}, basepath=str(directory))
    found = set()
    for task in package.validate().tasks:
        for error in task.errors:
            if error.type == "primary-key" and 'are all "None"' in error.note:
                # frictionless also reports a key made empty (by a type error or a blank row) as a
                # duplicate; we report the type error or the blank row once and leave the key out
                continue
            column = getattr(error, "field_name", None) or None
            found.add((f"{task.name}.csv", getattr(error, "row_number", None), column, error.type))
    return found


def test_both_tools_report_the_same_violations_on_the_shared_rules(tmp_path: Path) -> None:
    set_ = requirements.load_shipped("juminkiroku", "1.0")
    _write(tmp_path, set_)
    theirs = _frictionless(tmp_path, set_)
    report = checker.check(set_, sorted(tmp_path.glob("*.csv")))
    # frictionless names no column for key errors; compare those by row
    ours = {
        (f.file, f.row, None if f.rule in ("primary-key", "foreign-key") else f.column, f.rule)
        for f in report.findings.kept
        if f.rule in SHARED
    }
    assert ours == theirs, {"only ours": ours - theirs, "only frictionless": theirs - ours}
    assert len(ours) >= len(BREAKAGES)


@pytest.mark.parametrize("table", ["persons", "changes"])
def test_a_valid_export_is_valid_for_both(tmp_path: Path, table: str) -> None:
    set_ = requirements.load_shipped("juminkiroku", "1.0")
    tables = _valid(tmp_path)
    for t in set_.tables:
        with (tmp_path / f"{t.name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([c.name for c in t.columns])
            writer.writerows(tables[t.name])
    assert _frictionless(tmp_path, set_) == set()
    assert checker.check(set_, sorted(tmp_path.glob("*.csv"))).passed, table
