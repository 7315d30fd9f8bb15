"""The 子育て and おくやみ bundles on a phone as keystroke-level model (KLM) estimates.

The same method as ``procedures_keystrokes`` (the moving one-stop): the end-to-end tests run a
real server and Chromium in a 390×844 touch viewport and record every tap, typed character,
typed field and decision of the resident (tests/e2e/recorder.py); the counts become seconds with
the KLM operators of tsunagu.procedures.keystrokes (1.35 s per decision/field, 0.28 s per
character, 1.1 s per tap).

- 子育て (tests/e2e/test_life_events.py): from the push-type お知らせ of a birth registered at the
  counter, one tap to the 子育てワンストップ — 児童手当 認定請求 (child, account and income from the
  registers; 同居 asked), 子ども医療費助成 (the insurance and its number; the newborn is given) and
  保育所等の利用申込 (事由, 希望日, 第1希望) — confirmed once and submitted once.
- おくやみ (tests/e2e/test_bereavement.py): from the お知らせ of a death, the family member's list
  and one form filing the 葬祭費 and the 介護保険資格喪失届 (the funeral date asked).

Target: each ≤ 60 s. ``--reuse`` estimates from the last recordings without running the browser.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import support
from tsunagu.procedures.keystrokes import (
    SECONDS_PER_CHARACTER,
    SECONDS_PER_DECISION,
    SECONDS_PER_TAP,
    estimate,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "tests" / "e2e" / "results"
TARGET_SECONDS = 60.0
BUNDLES = {
    "kosodate": (
        "子育てワンストップ (児童手当 + 子ども医療費助成 + 保育所等の利用申込) from the birth notice",
        "tests/e2e/test_life_events.py",
    ),
    "bereavement": (
        "おくやみ (葬祭費 + 介護保険資格喪失届 in one flow) from the death notice",
        "tests/e2e/test_bereavement.py",
    ),
}


def _recorded(name: str, since: float | None) -> dict[str, dict[str, Any]]:
    path = RESULTS / f"{name}_actions.json"
    if not path.exists() or (since is not None and path.stat().st_mtime < since):
        raise SystemExit(f"no recording of {name}; run without --reuse (it runs {BUNDLES[name][1]})")
    phases: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return phases


def main() -> None:
    reuse = "--reuse" in sys.argv[1:]
    figures: dict[str, Any] = {}
    for name, (scenario, test) in BUNDLES.items():
        started = time.time()
        passed = None if reuse else support.run_pytest(test)
        counts = _recorded(name, None if reuse else started)["procedure"]
        seconds = round(estimate(counts), 2)
        print(
            f"{name:>11}: {counts['taps']:2d} taps, {counts['typed_characters']:3d} characters in "
            f"{len(counts['typed_fields'])} fields, {counts['decisions']:2d} decisions = {seconds:5.1f} s "
            f"(target ≤ {TARGET_SECONDS:.0f} s; end-to-end test "
            f"{'not run (--reuse)' if passed is None else 'passed' if passed else 'FAILED'})"
        )
        figures[name] = {
            "scenario": scenario,
            **counts,
            "seconds": seconds,
            "pass": seconds <= TARGET_SECONDS,
            "e2e_passed": passed,
        }
    support.write(
        "procedures_lifeevent_keystrokes",
        {
            "device": "phone, 390x844 touch viewport, Chromium",
            "operators_s": {
                "decision": SECONDS_PER_DECISION,
                "character": SECONDS_PER_CHARACTER,
                "tap": SECONDS_PER_TAP,
            },
            "bundles": figures,
            "target_seconds": TARGET_SECONDS,
            "recording": "reused" if reuse else "fresh",
        },
    )


if __name__ == "__main__":
    main()
