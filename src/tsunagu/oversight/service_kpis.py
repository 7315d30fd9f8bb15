"""Service KPIs of the procedures this platform serves (GOV.UK's measures where they fit): the
applications per month, the share sent online rather than recorded at a counter (digital
take-up), prefilled from a registry, made by a proxy, and the decisions made within the
標準処理期間 with the average days to a decision.

Incremental: :func:`catch_up` reads only the feed's events after the stored position and adds
them to per-(procedure, month) counters — and per (procedure, responsible organization, month),
for the dashboard's prefecture and municipality filters — in the same transaction as the new
position, so an event counts exactly once and a page view costs the few events since the last
one. Nothing personal is read or kept: the feed carries no applicant, the counters only numbers;
the organization is where an application went (a municipality, a prefecture, a national office).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.oversight import places
from tsunagu.oversight.models import (
    OversightFeedPosition,
    OversightServiceCounter,
    OversightServicePlaceCounter,
)

SOURCE = "procedures.applications"
DECISIONS = frozenset({"approved", "rejected"})
METRICS = (
    "submitted",
    "by_staff",
    "prefilled",
    "proxy",
    "decided",
    "decided_in_time",
    "decision_days",
    "withdrawn",
)


class Event(Protocol):
    """What the feed tells about one step of an application (procedures.feed.ApplicationEvent)."""

    @property
    def id(self) -> int: ...
    @property
    def procedure_id(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def from_status(self) -> str: ...
    @property
    def to_status(self) -> str: ...
    @property
    def by_staff(self) -> bool: ...
    @property
    def proxy(self) -> bool: ...
    @property
    def prefilled(self) -> bool: ...
    @property
    def submitted_at(self) -> datetime: ...
    @property
    def due_on(self) -> date: ...
    @property
    def organization(self) -> str: ...


Feed = Callable[[Session, int, int], "Sequence[Event]"]


def _month(at: datetime) -> str:
    return at.astimezone(clock.JST).strftime("%Y-%m")


def _count(delta: dict[str, int], event: Event) -> None:
    """One event's contribution: a first submission, a decision, a withdrawal (others count nothing)."""
    if event.to_status == "submitted" and event.from_status in ("", "new"):
        delta["submitted"] += 1
        delta["by_staff"] += event.by_staff
        delta["prefilled"] += event.prefilled
        delta["proxy"] += event.proxy
    elif event.to_status in DECISIONS:
        decided_on = event.at.astimezone(clock.JST).date()
        delta["decided"] += 1
        delta["decided_in_time"] += decided_on <= event.due_on
        delta["decision_days"] += (decided_on - event.submitted_at.astimezone(clock.JST).date()).days
    elif event.to_status == "withdrawn":
        delta["withdrawn"] += 1


Deltas = dict[tuple[str, ...], dict[str, int]]


def _zero() -> dict[str, int]:
    return dict.fromkeys(METRICS, 0)


def deltas_of(events: Sequence[Event]) -> Deltas:
    """Each event's contribution, per (procedure, organization, month)."""
    deltas: Deltas = defaultdict(_zero)
    for event in events:
        _count(deltas[(event.procedure_id, event.organization, _month(event.at))], event)
    return deltas


def add(db: Session, deltas: Deltas) -> None:
    """Add per-(procedure, organization, month) deltas to both counter tables."""
    overall: Deltas = defaultdict(_zero)
    for (procedure_id, _organization, month), delta in deltas.items():
        for metric, value in delta.items():
            overall[(procedure_id, month)][metric] += value
    _accumulate(db, OversightServiceCounter, ("procedure_id", "month"), overall)
    _accumulate(db, OversightServicePlaceCounter, ("procedure_id", "organization", "month"), deltas)


def _accumulate(
    db: Session,
    model: type[OversightServiceCounter | OversightServicePlaceCounter],
    keys: tuple[str, ...],
    deltas: Deltas,
) -> None:
    """Add to the rows of these keys (read in one query), creating the missing ones."""
    columns = [getattr(model, k) for k in keys]
    where = [column.in_(sorted({key[i] for key in deltas})) for i, column in enumerate(columns)]
    stored = {tuple(getattr(r, k) for k in keys): r for r in db.scalars(select(model).where(*where))}
    for key, delta in deltas.items():
        row = stored.get(key)
        if row is None:
            named = dict(zip(keys, key, strict=True))
            if "organization" in named:
                named["prefecture_code"] = places.prefecture_of(named["organization"])
            db.add(model(**named, **delta))
        else:
            for metric, value in delta.items():
                setattr(row, metric, getattr(row, metric) + value)


def catch_up(db: Session, feed: Feed, batch: int = 5000) -> int:
    """Take every event after the stored position into the counters; the number taken."""
    position = db.get(OversightFeedPosition, SOURCE, with_for_update=True)
    last = position.last_id if position else 0
    taken = 0
    while True:
        events = feed(db, last, batch)
        if not events:
            break
        add(db, deltas_of(events))
        db.flush()
        last = events[-1].id
        taken += len(events)
    if taken:
        if position is None:
            db.add(OversightFeedPosition(source=SOURCE, last_id=last))
        else:
            position.last_id = last
        db.flush()
    return taken


@dataclass(frozen=True)
class ServiceFigures:
    procedure_id: str
    submitted: int
    by_staff: int
    prefilled: int
    proxy: int
    decided: int
    decided_in_time: int
    decision_days: int
    withdrawn: int

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def digital_take_up(self) -> float | None:
        return self._share(self.submitted - self.by_staff, self.submitted)

    @property
    def prefilled_share(self) -> float | None:
        return self._share(self.prefilled, self.submitted)

    @property
    def proxy_share(self) -> float | None:
        return self._share(self.proxy, self.submitted)

    @property
    def in_time_share(self) -> float | None:
        return self._share(self.decided_in_time, self.decided)

    @property
    def average_days(self) -> float | None:
        return self.decision_days / self.decided if self.decided else None


def figures(
    db: Session, since_month: str = "", place: places.Place = places.EVERYWHERE
) -> list[ServiceFigures]:
    """Per procedure, the counters summed over the months from ``since_month`` (all by default),
    of the organizations of ``place`` (everywhere by default)."""
    counter: type[OversightServiceCounter | OversightServicePlaceCounter] = OversightServiceCounter
    if place:
        counter = OversightServicePlaceCounter
    query = (
        select(counter.procedure_id, *(func.sum(getattr(counter, m)) for m in METRICS))
        .where(*places.conditions(counter, place))
        .group_by(counter.procedure_id)
        .order_by(counter.procedure_id)
    )
    if since_month:
        query = query.where(counter.month >= since_month)
    return [ServiceFigures(row[0], *(int(v or 0) for v in row[1:])) for row in db.execute(query)]


def monthly(db: Session) -> list[tuple[str, int]]:
    """Applications per month over every procedure (the trend line)."""
    counter = OversightServiceCounter
    return [
        (m, int(n or 0))
        for m, n in db.execute(
            select(counter.month, func.sum(counter.submitted)).group_by(counter.month).order_by(counter.month)
        )
    ]
