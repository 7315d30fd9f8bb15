"""What a person does on a phone, counted the way a keystroke-level model (KLM) needs it.

A ``Recorder`` wraps a Playwright ``Page``: every tap, every typed character, every field typed
into and every choice made goes through it and is counted, per phase (e.g. ``login`` and
``procedure``), so ``benchmarks/procedures_keystrokes.py`` can turn the counts into seconds.

Counting rules (documented in docs/performance.md):
- ``tap``: one tap (a link, a button, a summary, presenting the card, going back).
- ``type``: a tap to focus the field, one decision about what to enter, and one keystroke per
  character; the field counts as a *typed field*.
- ``choose`` (radio, checkbox, select option): a tap and a decision.
- ``pick_date``: a phone's date picker — a decision and three taps (open, day, done); no
  characters are typed (Playwright fills the ISO value the picker would produce).
- ``accept``: a prefilled or default value the person reads and keeps: a decision, no tap.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from playwright.sync_api import Locator, Page

RESULTS = Path(__file__).resolve().parent / "results"
DATE_PICKER_TAPS = 3


@dataclass
class Counts:
    taps: int = 0
    typed_characters: int = 0
    typed_fields: list[str] = field(default_factory=list)
    decisions: int = 0


@dataclass
class Recorder:
    page: Page
    phase: str = "procedure"
    phases: dict[str, Counts] = field(default_factory=dict)

    def in_phase(self, phase: str, page: Page | None = None) -> Recorder:
        """Count what follows under ``phase`` (and on ``page``, e.g. the card app's tab)."""
        self.phase = phase
        if page is not None:
            self.page = page
        return self

    @property
    def counts(self) -> Counts:
        return self.phases.setdefault(self.phase, Counts())

    def tap(self, target: Locator) -> None:
        target.click()
        self.counts.taps += 1

    def back(self) -> None:
        """Back to the previous screen (the phone's back gesture)."""
        self.page.go_back()
        self.counts.taps += 1

    def type(self, target: Locator, text: str, *, name: str) -> None:
        target.click()
        target.fill(text)
        counts = self.counts
        counts.taps += 1
        counts.decisions += 1
        counts.typed_characters += len(text)
        counts.typed_fields.append(name)

    def upload(self, target: Locator, path: Path) -> None:
        """Present the card: one tap (the chip is read, nothing is typed)."""
        target.set_input_files(str(path))
        self.counts.taps += 1

    def choose(self, target: Locator) -> None:
        target.check()
        self.counts.taps += 1
        self.counts.decisions += 1

    def pick_date(self, target: Locator, iso_date: str) -> None:
        target.fill(iso_date)
        self.counts.taps += DATE_PICKER_TAPS
        self.counts.decisions += 1

    def accept(self, target: Locator) -> None:
        """A value already there (prefilled from a registry, or a sensible default) is kept."""
        assert target.is_visible()
        self.counts.decisions += 1

    def save(self, name: str) -> Path:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{name}_actions.json"
        path.write_text(
            json.dumps({phase: asdict(c) for phase, c in self.phases.items()}, ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
        return path
