"""The anonymous step funnel and the one-question satisfaction survey of this platform's procedures
(GOV.UK's completion rate and user satisfaction).

Both are counters, bumped in place when something happens (one row per procedure × day × step, or
procedure × month × answer), so reading them sums a few small rows — never a scan of applications
or events. Nothing personal is recorded: no person, session, application, address or time of day;
a survey comment is kept with its procedure, month and answer only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.messages import N_
from tsunagu.oversight import places
from tsunagu.oversight.models import (
    OversightFeedbackComment,
    OversightFunnelCount,
    OversightFunnelPlaceCount,
    OversightSatisfactionCount,
    OversightSatisfactionPlaceCount,
)

#: the steps of applying on the web, in order (procedures.applications.pages reports them)
STEPS = ("started", "review", "submitted")
STEP_NAMES = {"started": N_("入力を始めた"), "review": N_("確認画面に進んだ"), "submitted": N_("申請した")}
#: GOV.UK's five answers, most satisfied first as the form lists them
LEVELS = {
    5: N_("とても満足"),
    4: N_("満足"),
    3: N_("どちらでもない"),
    2: N_("不満"),
    1: N_("とても不満"),
}
COMMENT_MAX = 1200


Counted = (
    OversightFunnelCount
    | OversightSatisfactionCount
    | OversightFunnelPlaceCount
    | OversightSatisfactionPlaceCount
)


def _bump(db: Session, model: type[Counted], extra: dict[str, object] | None = None, **key: object) -> None:
    """count + 1 for the row of ``key``, created at 1 (with ``extra``) when missing (a racing
    creator is retried)."""
    columns = [getattr(model, k) == v for k, v in key.items()]
    for _ in range(2):
        if db.execute(update(model).where(*columns).values(count=model.count + 1)).rowcount:  # type: ignore[attr-defined]
            return
        try:
            with db.begin_nested():
                db.add(model(**key, **(extra or {}), count=1))
            return
        except IntegrityError:
            continue  # another request created it first: add to theirs


def _place_key(organization: str) -> dict[str, object]:
    return {"prefecture_code": places.prefecture_of(organization)}


def known_organization(organization: str) -> str:
    """An organization code as a form may send it (a local government's 6 digits or an office's
    short name); anything else counts as not known ("")."""
    return organization if re.fullmatch(r"[0-9]{6}|[a-z][a-z0-9-]{1,31}", organization) else ""


def record_step(
    db: Session, procedure_id: str, step: str, at: datetime | None = None, *, organization: str = ""
) -> None:
    """One person reached ``step`` of applying for ``procedure_id`` (today, JST), also counted for
    the responsible organization when the page knows it."""
    if step not in STEPS:
        raise ValueError(f"unknown funnel step {step!r}")
    day = (at or clock.now()).astimezone(clock.JST).date()
    _bump(db, OversightFunnelCount, procedure_id=procedure_id, day=day, step=step)
    if organization := known_organization(organization):
        _bump(
            db,
            OversightFunnelPlaceCount,
            _place_key(organization),
            procedure_id=procedure_id,
            organization=organization,
            day=day,
            step=step,
        )


def answer(
    db: Session,
    procedure_id: str,
    level: str,
    comment: str,
    at: datetime | None = None,
    *,
    organization: str = "",
) -> None:
    """満足度: one answer (1–5) and an optional comment, kept without who, which application or when
    in the month; counted for the organization the application went to when the form says it."""
    if level not in {str(n) for n in LEVELS}:
        raise ValidationFailed(
            N_("満足度を5つの中から選んでください。"),
            errors=[{"location": ["level"], "type": "choice", "message": "choose one of the five answers"}],
        )
    text = comment.strip()
    if len(text) > COMMENT_MAX:
        raise ValidationFailed(
            N_("ご意見は1200字以内で書いてください。"),  # COMMENT_MAX
            errors=[
                {"location": ["comment"], "type": "too_long", "message": f"at most {COMMENT_MAX} characters"}
            ],
        )
    month = (at or clock.now()).astimezone(clock.JST).strftime("%Y-%m")
    _bump(db, OversightSatisfactionCount, procedure_id=procedure_id, month=month, level=int(level))
    if organization := known_organization(organization):
        _bump(
            db,
            OversightSatisfactionPlaceCount,
            _place_key(organization),
            procedure_id=procedure_id,
            organization=organization,
            month=month,
            level=int(level),
        )
    if text:
        db.add(OversightFeedbackComment(procedure_id=procedure_id, month=month, level=int(level), text=text))


@dataclass(frozen=True)
class Funnel:
    """One procedure's funnel: how many reached each step (in STEPS order)."""

    procedure_id: str
    reached: tuple[int, ...]

    @property
    def completion_rate(self) -> float | None:
        """submitted ÷ started (GOV.UK's completion rate)."""
        return self.reached[-1] / self.reached[0] if self.reached[0] else None

    def drop_off(self) -> list[tuple[str, int, float | None]]:
        """Per step after the first: (step, people lost since the step before, share lost)."""
        return [
            (
                STEPS[i],
                max(0, self.reached[i - 1] - self.reached[i]),
                max(0, self.reached[i - 1] - self.reached[i]) / self.reached[i - 1]
                if self.reached[i - 1]
                else None,
            )
            for i in range(1, len(STEPS))
        ]


def funnels(db: Session, since: date | None = None, place: places.Place = places.EVERYWHERE) -> list[Funnel]:
    """Every procedure's funnel, summed over the days from ``since`` (all by default), of the
    organizations of ``place`` (everywhere by default)."""
    counts: type[OversightFunnelCount | OversightFunnelPlaceCount] = (
        OversightFunnelPlaceCount if place else OversightFunnelCount
    )
    query = select(counts.procedure_id, counts.step, func.sum(counts.count)).where(
        *places.conditions(counts, place)
    )
    if since is not None:
        query = query.where(counts.day >= since)
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for procedure_id, step, count in db.execute(query.group_by(counts.procedure_id, counts.step)):
        found[procedure_id][step] = int(count or 0)
    return [Funnel(p, tuple(steps.get(s, 0) for s in STEPS)) for p, steps in sorted(found.items())]


@dataclass(frozen=True)
class Satisfaction:
    procedure_id: str
    answers: dict[int, int]  # level → answers

    @property
    def total(self) -> int:
        return sum(self.answers.values())

    @property
    def satisfied_share(self) -> float | None:
        """とても満足 + 満足, as GOV.UK reports user satisfaction."""
        return (self.answers.get(5, 0) + self.answers.get(4, 0)) / self.total if self.total else None

    @property
    def average(self) -> float | None:
        return sum(level * n for level, n in self.answers.items()) / self.total if self.total else None


def satisfaction(db: Session, place: places.Place = places.EVERYWHERE) -> list[Satisfaction]:
    """Every procedure's answers, per level, over all months (of the organizations of ``place``)."""
    counts: type[OversightSatisfactionCount | OversightSatisfactionPlaceCount] = (
        OversightSatisfactionPlaceCount if place else OversightSatisfactionCount
    )
    found: dict[str, dict[int, int]] = defaultdict(dict)
    for procedure_id, level, count in db.execute(
        select(counts.procedure_id, counts.level, func.sum(counts.count))
        .where(*places.conditions(counts, place))
        .group_by(counts.procedure_id, counts.level)
    ):
        found[procedure_id][int(level)] = int(count or 0)
    return [Satisfaction(p, answers) for p, answers in sorted(found.items())]


def comments(db: Session, procedure_id: str, limit: int = 50) -> list[OversightFeedbackComment]:
    """The latest comments on one procedure (for staff; no identity is stored with them)."""
    return list(
        db.scalars(
            select(OversightFeedbackComment)
            .where(OversightFeedbackComment.procedure_id == procedure_id)
            .order_by(OversightFeedbackComment.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Usability:
    """One procedure's funnel, survey answers and estimated keystroke-level time to complete."""

    procedure_id: str
    funnel: Funnel
    satisfaction: Satisfaction
    seconds: float | None  # KLM estimate from the definition (procedures.keystrokes)


#: this platform's procedures → their estimated seconds to complete; handed in by the web layer
KeystrokeSource = Callable[[], Mapping[str, float]]


def usability(
    db: Session, seconds: Mapping[str, float], place: places.Place = places.EVERYWHERE
) -> list[Usability]:
    """Every procedure with a funnel, an answer or an estimate, by id (of ``place``'s organizations)."""
    found_funnels = {f.procedure_id: f for f in funnels(db, place=place)}
    found_answers = {s.procedure_id: s for s in satisfaction(db, place)}
    ids = sorted(set(found_funnels) | set(found_answers) | set(seconds))
    return [
        Usability(
            i,
            found_funnels.get(i, Funnel(i, (0,) * len(STEPS))),
            found_answers.get(i, Satisfaction(i, {})),
            seconds.get(i),
        )
        for i in ids
    ]
