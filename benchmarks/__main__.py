"""Run every benchmark module (``python -m benchmarks [NAME ...]``).

A benchmark is a module ``benchmarks/<part>_<name>.py`` with a ``main() -> None`` that prints its
figures and writes ``benchmarks/results/<name>.json`` (see ``benchmarks.results.write``).
Names on the command line select modules whose name contains one of them.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover(filters: list[str]) -> list[str]:
    names = sorted(
        module.name
        for module in pkgutil.iter_modules([str(HERE)])
        if not module.name.startswith("_") and module.name != "support"
    )
    return [name for name in names if not filters or any(f in name for f in filters)]


def main(argv: list[str]) -> int:
    selected = discover([arg for arg in argv if not arg.startswith("-")])
    if not selected:
        print("no benchmark matches", " ".join(argv), file=sys.stderr)
        return 2
    for name in selected:
        module = importlib.import_module(f"benchmarks.{name}")
        if not hasattr(module, "main"):
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        module.main()
        print(f"== {name} done in {time.perf_counter() - started:.1f} s\n", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
