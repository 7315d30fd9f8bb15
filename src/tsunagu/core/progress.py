"""How long-running service functions report progress without knowing who shows it."""

from __future__ import annotations

from typing import Protocol


class ProgressReporter(Protocol):
    def start(self, description: str, total: int | None) -> None:
        """Begin a task of ``total`` units (None when the total is unknown)."""

    def advance(self, units: int = 1) -> None:
        """Record ``units`` more done of the current task."""


class SilentProgress:
    """For callers (tests, the web) that do not show progress."""

    def start(self, description: str, total: int | None) -> None:
        return None

    def advance(self, units: int = 1) -> None:
        return None
