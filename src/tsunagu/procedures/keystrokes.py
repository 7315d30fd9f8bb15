"""The keystroke-level model (KLM) of issue #6 for filling in a procedure on a phone: 1.35 s per
decision or field (M), 0.28 s per typed character (K), 1.1 s per tap.

:func:`estimate` turns counted actions into seconds (the moving one-stop benchmark counts them in a
real browser, benchmarks/procedures_keystrokes.py); :func:`of_procedure` counts them from a
procedure's definition alone, for every procedure the platform serves: each field asked (not
prefilled from a registry, not conditional) costs a decision and a tap, plus the characters a
person typically types for its kind (:data:`TYPED_CHARACTERS`); a prefilled field costs a glance
(a decision); opening the form, going to the review and submitting cost a tap each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tsunagu.procedures.definition import Procedure

SECONDS_PER_DECISION, SECONDS_PER_CHARACTER, SECONDS_PER_TAP = 1.35, 0.28, 1.1
#: characters typed for a field of each kind (typical Japanese entries: 090-xxxx-xxxx is 11 digits,
#: a date 8, a 法人番号 13, a postcode 7, an address line after the postcode about 12, a name 5)
TYPED_CHARACTERS: dict[str, int] = {
    "person_name": 5,
    "date": 8,
    "wareki_date": 8,
    "address": 12,
    "postcode": 7,
    "phone": 11,
    "corporate_number": 13,
    "individual_number": 12,
    "text": 15,
    "integer": 3,
}
#: taps beyond focusing the field: choosing an option, ticking, picking a file
EXTRA_TAPS: dict[str, int] = {
    "choice": 1,
    "household_members": 1,
    "household_member": 1,
    "file": 2,
    "document": 2,
}
PAGE_TAPS = 3  # open the form, go to the review, submit


@dataclass(frozen=True)
class Counts:
    taps: int = 0
    typed_characters: int = 0
    decisions: int = 0
    typed_fields: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "taps": self.taps,
            "typed_characters": self.typed_characters,
            "decisions": self.decisions,
            "typed_fields": list(self.typed_fields),
        }


def estimate(counts: Mapping[str, Any]) -> float:
    """KLM seconds for counted actions (``decisions``, ``typed_characters``, ``taps``)."""
    return float(
        counts["decisions"] * SECONDS_PER_DECISION
        + counts["typed_characters"] * SECONDS_PER_CHARACTER
        + counts["taps"] * SECONDS_PER_TAP
    )


def of_procedure(procedure: Procedure) -> Counts:
    """The actions a person needs to fill in ``procedure`` (required fields, the shortest path)."""
    prefilled = procedure.prefilled_fields
    taps, characters, decisions = PAGE_TAPS, 0, 1  # the review: one look before submitting
    typed: list[str] = []
    for item in procedure.fields:
        if not item.required or item.required_if is not None:
            continue
        if item.name in prefilled:
            decisions += 1
            continue
        decisions += 1
        taps += 1 + EXTRA_TAPS.get(item.type, 0)
        if item.type in TYPED_CHARACTERS:
            characters += TYPED_CHARACTERS[item.type]
            typed.append(item.name)
    return Counts(taps, characters, decisions, tuple(typed))


def seconds_of(procedure: Procedure) -> float:
    """The estimated time to fill in ``procedure`` on a phone, in seconds."""
    return estimate(of_procedure(procedure).as_dict())
