"""The Digital Agency's rules for machine-readable data (機械可読性に関するルール) as data, and the
per-level score as its published scoring defines it (docs/guides/scoring.md of the rules'
repository): rules not judged are left out; a level with none judged has no score; a failed FATAL
rule makes the level 0; otherwise 100 minus a fixed deduction per failed rule by severity and
level, never below 0."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tsunagu.catalog.definitions import Text

RULES_FILE = Path(__file__).with_name("rules.yaml")
SEVERITIES = ("FATAL", "CRITICAL", "MAJOR", "MINOR", "INFO")
#: points taken from a level's 100 per failed rule: (severity, level) → deduction (FATAL: the level is 0)
DEDUCTIONS = {
    ("CRITICAL", 1): 10,
    ("CRITICAL", 2): 40,
    ("CRITICAL", 3): 15,
    ("MAJOR", 1): 5,
    ("MAJOR", 2): 30,
    ("MAJOR", 3): 10,
    ("MINOR", 1): 2,
    ("MINOR", 2): 10,
    ("MINOR", 3): 5,
}


@dataclass(frozen=True)
class Rule:
    id: str
    level: int
    severity: str
    applies: str  # both | xlsx | csv
    judged: bool
    title: Text
    fix: Text

    def applies_to(self, kind: str) -> bool:
        return self.applies in {"both", kind}


@cache
def rules() -> dict[str, Rule]:
    """The 30 rules by id, in the published order."""
    raw: list[dict[str, Any]] = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))["rules"]
    found: dict[str, Rule] = {}
    for item in raw:
        rule = Rule(
            id=item["id"],
            level=int(item["level"]),
            severity=item["severity"],
            applies=item["applies"],
            judged=bool(item.get("judged", True)),
            title=Text(**item["title"]),
            fix=Text(**item["fix"]),
        )
        if (
            rule.severity not in SEVERITIES
            or rule.level not in {1, 2, 3}
            or not rule.id.startswith(f"L{rule.level}-")
        ):
            raise ValueError(f"{RULES_FILE.name}: {rule.id} has a wrong level or severity")
        found[rule.id] = rule
    return found


def level_score(level: int, outcomes: dict[str, bool | None]) -> int | None:
    """A level's score from each rule's outcome (True passed, False failed, None not judged)."""
    judged = [(rules()[rule_id], passed) for rule_id, passed in outcomes.items() if passed is not None]
    judged = [(rule, passed) for rule, passed in judged if rule.level == level]
    if not judged:
        return None
    failed = [rule for rule, passed in judged if not passed]
    if any(rule.severity == "FATAL" for rule in failed):
        return 0
    return max(0, 100 - sum(DEDUCTIONS.get((rule.severity, level), 0) for rule in failed))
