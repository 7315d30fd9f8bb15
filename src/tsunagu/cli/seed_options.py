"""What a seed step is given: how much synthetic data to make, from which random seed.

A leaf module, so that the commands that define seed steps (identity, mesh, oidc, …) and
``cli.seeding``, which runs them in order, do not import each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tsunagu.core.database import Database
from tsunagu.core.progress import ProgressReporter


@dataclass(frozen=True)
class SeedOptions:
    residents: int = 2000
    corporations: int = 300
    seed: int = 1


SeedStep = Callable[[Database, SeedOptions, bool, ProgressReporter], None]
