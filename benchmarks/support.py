"""Helpers shared by the benchmarks: percentiles and the JSON result files."""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(samples: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (0–1) of ``samples`` by nearest rank."""
    ordered = sorted(samples)
    if not ordered:
        raise ValueError("no samples")
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def write(name: str, figures: dict[str, Any]) -> Path:
    """Write ``figures`` with the machine and time to benchmarks/results/<name>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        **figures,
    }
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"-> {path.relative_to(RESULTS.parent.parent)}")
    return path


def run_pytest(test: str) -> bool:
    """Run one test file (a browser test that records what a person did) in a child process;
    print the tail of its output when it fails, so a benchmark's figures are never silently stale."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", test],
        cwd=RESULTS.parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        print(run.stdout[-3000:], run.stderr[-2000:], sep="\n")
    return run.returncode == 0
