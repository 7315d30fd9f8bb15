"""The life of an application (申請の状態遷移); any move not listed here is refused.

submitted → under_review → approved | rejected | returned; returned → submitted (corrected by the
applicant); submitted | returned → withdrawn (by the applicant). Decisions are final.
"""

from __future__ import annotations

from typing import Literal

from tsunagu.core.errors import Conflict

Status = Literal["submitted", "under_review", "approved", "rejected", "returned", "withdrawn"]
Action = Literal["start_review", "approve", "reject", "return", "resubmit", "withdraw"]

STATUSES: tuple[Status, ...] = ("submitted", "under_review", "approved", "rejected", "returned", "withdrawn")
FINAL: frozenset[str] = frozenset({"approved", "rejected", "withdrawn"})
OPEN: frozenset[str] = frozenset(STATUSES) - FINAL

# (from, action) → to
TRANSITIONS: dict[tuple[str, str], Status] = {
    ("submitted", "start_review"): "under_review",
    ("under_review", "approve"): "approved",
    ("under_review", "reject"): "rejected",
    ("under_review", "return"): "returned",
    ("returned", "resubmit"): "submitted",
    ("submitted", "withdraw"): "withdrawn",
    ("returned", "withdraw"): "withdrawn",
}
STAFF_ACTIONS: frozenset[str] = frozenset({"start_review", "approve", "reject", "return"})
APPLICANT_ACTIONS: frozenset[str] = frozenset({"resubmit", "withdraw"})
NEEDS_REASON: frozenset[str] = frozenset({"reject", "return"})


class IllegalTransition(Conflict):
    code = "application-illegal-transition"
    title = "This step is not allowed in the application's current state"


def next_status(current: str, action: str) -> Status:
    """The state after ``action``, or :class:`IllegalTransition` naming what is allowed."""
    target = TRANSITIONS.get((current, action))
    if target is None:
        allowed = sorted(a for (state, a) in TRANSITIONS if state == current)
        raise IllegalTransition(
            f"cannot {action} an application that is {current}; allowed: {', '.join(allowed) or 'none'}",
            current=current,
            action=action,
            allowed=allowed,
        )
    return target


def actions_from(current: str, actions: frozenset[str] = STAFF_ACTIONS) -> list[str]:
    return [a for (state, a) in TRANSITIONS if state == current and a in actions]
