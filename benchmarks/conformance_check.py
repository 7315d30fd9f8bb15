"""Conformance check of a 住民記録 export (persons, households, addresses, changes) against
``frictionless validate`` on the same files in the same run: rows per second and peak memory of each,
each tool in its own process, and whether both report the same violations on the shared Table Schema
rules (a few are planted in the files).

``CONFORMANCE_BENCH_ROWS`` sets the total rows over the four files: 100,000 by default (a short run),
1000000 for the figure the issue asks for.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from benchmarks import support
from tsunagu.conformance import requirements
from tsunagu.core.types.wareki import format_wareki

ROWS = int(os.environ.get("CONFORMANCE_BENCH_ROWS", "100000"))
#: planted violations of shared rules: (table, data row, column, value)
PLANTED = [
    ("persons", 10, 6, "1990-02-30"),
    ("persons", 20, 4, "さとう"),
    ("changes", 30, 0, "x"),
    ("changes", 40, 1, f"{99_999_999:032x}"),
    ("households", 50, 1, "13101"),
]

_OURS = """
import json, resource, sys, time
from pathlib import Path
from tsunagu.conformance import checker, requirements
started, cpu = time.perf_counter(), time.process_time()
found = requirements.load_shipped("juminkiroku", "1.0")
report = checker.check(found, sorted(Path(sys.argv[1]).glob("*.csv")))
shared = sorted([f.file, f.row, f.rule] for f in report.findings.kept if f.rule in {SHARED})
print(json.dumps({{"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                  "rows": report.total_rows, "findings": shared,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
_THEIRS = """
import json, resource, sys, time
import frictionless, yaml
from tsunagu.conformance import requirements
found = requirements.load_shipped("juminkiroku", "1.0")
started, cpu = time.perf_counter(), time.process_time()
resources = [{{"name": t.name, "path": t.name + ".csv", "format": "csv", "encoding": "utf-8",
               "schema": yaml.safe_load(t.schema_path.read_text(encoding="utf-8"))}} for t in found.tables]
package = frictionless.Package({{"name": "export", "resources": resources}}, basepath=sys.argv[1])
report = package.validate()
shared = sorted([task.name + ".csv", e.row_number, e.type] for task in report.tasks for e in task.errors
                if e.type in {SHARED} and not (e.type == "primary-key" and 'are all "None"' in e.note))
rows = sum(task.stats.get("rows", 0) or 0 for task in report.tasks)
print(json.dumps({{"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu,
                  "rows": rows, "findings": shared,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
FIRST_BIRTH = date(1930, 1, 1)
FAMILY = [
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
]
GIVEN = [
    ("花子", "ハナコ"),
    ("太郎", "タロウ"),
    ("一郎", "イチロウ"),
    ("陽菜", "ヒナ"),
    ("蓮", "レン"),
    ("結衣", "ユイ"),
    ("大翔", "ヒロト"),
    ("さくら", "サクラ"),
    ("悠真", "ユウマ"),
    ("美咲", "ミサキ"),
]
SHARED = {
    "type-error",
    "constraint-error",
    "primary-key",
    "foreign-key",
    "missing-cell",
    "extra-cell",
    "blank-row",
}


def _export(directory: Path, total: int) -> dict[str, int]:
    """A consistent export of ``total`` rows: 40% persons, 15% households, 10% addresses, 35% changes."""
    persons = int(total * 0.40)
    households = max(1, int(total * 0.15))
    addresses = max(1, int(total * 0.10))
    changes = total - persons - households - addresses
    planted = {(t, r): (c, v) for t, r, c, v in PLANTED}
    set_ = requirements.load_shipped("juminkiroku", "1.0")
    counts = {}

    def rows(table: str, count: int, make: object) -> None:
        columns = [c.name for c in set_.table(table).columns]  # type: ignore[union-attr]
        with (directory / f"{table}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for i in range(count):
                row = make(i)  # type: ignore[operator]
                if (table, i) in planted:
                    column, value = planted[(table, i)]
                    row[column] = value
                writer.writerow(row)
        counts[table] = count

    def person(i: int) -> list[str]:
        household = i % households
        head = household  # the first person of each household (i < households) is its head
        born = FIRST_BIRTH + timedelta(days=i * 7919 % 32_000)  # spread over 88 years
        family, given = FAMILY[i % len(FAMILY)], GIVEN[i * 7 % len(GIVEN)]
        return [
            f"{i + 1:032x}",
            f"{household + 1:032x}",
            family[0],
            given[0],
            family[1],
            given[1],
            born.isoformat(),
            format_wareki(born),
            "12"[i % 2],
            "世帯主" if i == head else "子",
            f"a{household % addresses}",
            max(born, date(2000, 1, 1)).isoformat(),
            "1",
            "",
            "",
        ]

    rows("persons", persons, person)
    rows("households", households, lambda i: [f"{i + 1:032x}", "131016", f"{i + 1:032x}"])
    rows(
        "addresses",
        addresses,
        lambda i: [f"a{i}", "131016", "東京都", "千代田区", "一番町", str(i + 1), "1", "", "1002"],
    )
    rows(
        "changes",
        changes,
        lambda i: [
            str(i + 1),
            f"{i % persons + 1:032x}",
            "A1",
            "2000-01-01",
            "2000-01-02",
            "住民基本台帳法第22条",
        ],
    )
    return counts


def _measure(script: str, directory: Path) -> dict[str, object]:
    code = script.format(SHARED=repr(SHARED))
    done = subprocess.run(
        [sys.executable, "-c", code, str(directory)], capture_output=True, text=True, check=True, timeout=7200
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="tsunagu-bench-conformance-") as folder:
        directory = Path(folder)
        started = time.perf_counter()
        counts = _export(directory, ROWS)
        size = sum(p.stat().st_size for p in directory.glob("*.csv"))
        print(
            f"export: {sum(counts.values()):,} rows ({counts}), {size / (1 << 20):.1f} MiB, "
            f"written in {time.perf_counter() - started:.1f} s"
        )
        ours = _measure(_OURS, directory)
        theirs = _measure(_THEIRS, directory)
    rows = sum(counts.values())
    # rows per CPU second of each process: one core each, fair on a machine others are using too
    ours_rate, theirs_rate = rows / float(ours["cpu"]), rows / float(theirs["cpu"])  # type: ignore[arg-type]
    same = ours["findings"] == theirs["findings"]
    print(
        f"tsunagu conformance: {float(ours['seconds']):.1f} s, {ours_rate:,.0f} rows/CPU-s, "  # type: ignore[arg-type]
        f"peak {float(ours['peak_mib']):.0f} MiB, {len(ours['findings'])} shared-rule findings"
    )  # type: ignore[arg-type]
    print(
        f"frictionless validate: {float(theirs['seconds']):.1f} s, {theirs_rate:,.0f} rows/CPU-s, "  # type: ignore[arg-type]
        f"peak {float(theirs['peak_mib']):.0f} MiB, {len(theirs['findings'])} shared-rule findings"
    )  # type: ignore[arg-type]
    print(
        f"ratio: {ours_rate / theirs_rate:.1f}x faster (one core each); same findings on shared rules: {same}"
    )
    if not same:
        print("  only ours:", [f for f in ours["findings"] if f not in theirs["findings"]][:10])  # type: ignore[attr-defined,operator]
        print("  only frictionless:", [f for f in theirs["findings"] if f not in ours["findings"]][:10])  # type: ignore[attr-defined,operator]
    support.write(
        "conformance_check",
        {
            "rows": rows,
            "files": counts,
            "bytes": size,
            "ours": {
                "seconds": ours["seconds"],
                "cpu_seconds": ours["cpu"],
                "rows_per_cpu_second": ours_rate,
                "peak_mib": ours["peak_mib"],
            },
            "frictionless": {
                "seconds": theirs["seconds"],
                "cpu_seconds": theirs["cpu"],
                "rows_per_cpu_second": theirs_rate,
                "peak_mib": theirs["peak_mib"],
            },
            "speedup": ours_rate / theirs_rate,
            "same_findings": same,
            "planted": len(PLANTED),
        },
    )


if __name__ == "__main__":
    main()
