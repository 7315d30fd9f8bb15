"""プッシュ型のお知らせ: registry events + eligibility → a personal お知らせ, once per person and event.

Rules are data (:mod:`tsunagu.procedures.push.definition`). A reader keeps its place in the
registry's change events and, once a day, reads the birthdays of the ``age_reached`` rules. Every
firing — notified, not eligible, or declined because the person chose not to receive that kind —
is recorded once (unique per rule, person and event: a repeated pass or a replayed event sends
nothing twice) and, since it read the person's record, shown to them in 閲覧の記録 (linked from
やりとり履歴). After every event the notices already sent that it may touch are looked at again:
one whose recipient is no longer eligible, or whose subject left the household, is withdrawn.
"""

from __future__ import annotations

from calendar import isleap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.types.wareki import format_wareki
from tsunagu.notify import service as notify
from tsunagu.procedures import rules as eligibility_rules
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.lifeevents import LIFE_EVENTS
from tsunagu.procedures.push.definition import (
    AGE_REACHED,
    RULES_DIR,
    PushRule,
    PushRuleInvalid,
    load_rules,
    parse_rule,
)
from tsunagu.procedures.push.models import PushCursor, PushDeclined, PushFiring
from tsunagu.registry.residents import service as residents
from tsunagu.registry.residents.service.population import born_on

__all__ = ["RULES_DIR", "PushCursor", "PushRule", "PushRuleInvalid", "load_rules", "parse_rule"]

ADULT_AGE = 18
NOTIFIED, NOT_ELIGIBLE, DECLINED, TOO_LATE = "notified", "not_eligible", "declined", "too_late"
ACCESS_ROLE = "push"  # 閲覧の記録: read by the push-type notice rules, not by a person
MAX_CATCH_UP_DAYS = 31  # birthdays of days the reader missed (a stopped server), at most a month
WITHDRAWN_REASONS = {
    "status": "住民登録の状態が変わったため、このご案内を取り下げました。",
    "eligibility": "ご案内した手続の条件に当てはまらなくなったため、このご案内を取り下げました。",
    "subject": "このご案内のきっかけとなったご家族の状況が変わったため、このご案内を取り下げました。",
}


@dataclass(frozen=True)
class Occurrence:
    """What happened, to whom, where and when: a registry change event or an age reached."""

    event_id: str
    subject_id: str
    municipality_code: str
    happened: date


@dataclass
class PassReport:
    events: int = 0
    notified: int = 0
    not_eligible: int = 0
    declined: int = 0
    too_late: int = 0
    withdrawn: int = 0


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _event_date(event: residents.EventRecord) -> date:
    found = event.payload.get("effective_date") if isinstance(event.payload, dict) else None
    return date.fromisoformat(str(found)[:10]) if found else event.created_at.date()


def _recipients(db: Session, rule: PushRule, subject_id: str, today: date) -> list[residents.ResidentRecord]:
    """``household_adults``: the other adults living in the subject's household; ``subject``: the
    subject, while they live here; ``household_adults_and_informant``: the household's adults and
    the relative who reported the registration (死亡届の届出人) when they live here in another 世帯."""
    subject = residents.get_resident(db, subject_id)
    if subject is None:
        return []
    if rule.recipients == "subject":
        return [subject] if subject.status == "resident" else []
    found = [
        m
        for m in residents.household_members(db, subject.household_id)
        if m.id != subject.id and m.status == "resident" and _age(m.birth_date, today) >= ADULT_AGE
    ]
    if rule.recipients == "household_adults_and_informant":
        reported = residents.informant_of(db, subject.id)
        relative = reported is not None and reported.qualification in residents.RELATIVES
        informant = (
            residents.get_resident(db, reported.informant_id)
            if reported is not None and reported.informant_id and relative
            else None
        )
        if (
            informant is not None
            and informant.status == "resident"
            and all(m.id != informant.id for m in found)
        ):
            found.append(informant)  # the relative who reported the death, living in another 世帯
    return found


@cache
def shipped_rules() -> list[PushRule]:
    """The rules of ``push/rules``, read once per process (a bad file stops the start, at its line)."""
    return load_rules()


def declined_of(db: Session, resident_id: str) -> set[str]:
    """The life events whose push-type notices the person chose not to receive."""
    return set(db.scalars(select(PushDeclined.life_event).where(PushDeclined.resident_id == resident_id)))


def _message_values(rule: PushRule, happened: date) -> tuple[dict[str, str], date | None]:
    deadline = None if rule.deadline_days is None else happened + timedelta(days=rule.deadline_days)
    values = {"event_date": format_wareki(happened), "deadline": format_wareki(deadline) if deadline else ""}
    return values, deadline


@dataclass
class _PassCache:
    """What one pass reads about a person once, whatever the number of events and rules that ask:
    the applicant attributes and the declined life events. Both are read from the current state,
    which nothing in a pass changes (it writes firings, お知らせ and access records only), so a
    person's answer is the same the first and the hundredth time in the pass."""

    attributes: dict[str, dict[str, object]] = field(default_factory=dict)
    declined: dict[str, set[str]] = field(default_factory=dict)

    def attributes_of(self, db: Session, person: residents.ResidentRecord, today: date) -> dict[str, object]:
        if person.id not in self.attributes:
            self.attributes[person.id] = applications.attributes_of(db, person, today)
        return self.attributes[person.id]

    def declined_of(self, db: Session, resident_id: str) -> set[str]:
        if resident_id not in self.declined:
            self.declined[resident_id] = declined_of(db, resident_id)
        return self.declined[resident_id]


@dataclass
class _Shared:
    """What the rules of one occurrence share, read once: who was already told of it (a replay, a
    second pass), the recipients by kind; the pass's cache of each person's attributes."""

    occurrence: Occurrence
    fired: set[tuple[str, str]]
    cache: _PassCache
    recipients: dict[str, list[residents.ResidentRecord]] = field(default_factory=dict)


def _fire_all(
    db: Session,
    rules: list[PushRule],
    occurrence: Occurrence,
    today: date,
    report: PassReport,
    *,
    cache: _PassCache,
) -> None:
    if not rules:
        return
    fired = db.execute(
        select(PushFiring.rule_id, PushFiring.resident_id).where(PushFiring.event_id == occurrence.event_id)
    ).tuples()
    shared = _Shared(occurrence, set(fired), cache)
    for rule in rules:
        _fire(db, rule, shared, today, report)
    db.flush()


def _fire(db: Session, rule: PushRule, shared: _Shared, today: date, report: PassReport) -> None:
    occurrence = shared.occurrence
    if rule.recipients not in shared.recipients:
        shared.recipients[rule.recipients] = _recipients(db, rule, occurrence.subject_id, today)
    for person in shared.recipients[rule.recipients]:
        if (rule.id, person.id) in shared.fired:
            continue  # the same event again (a replay, a second pass): nothing twice
        eligible = eligibility_rules.evaluate(rule.eligibility, shared.cache.attributes_of(db, person, today))
        message_id, outcome = None, NOT_ELIGIBLE
        values, deadline = _message_values(rule, occurrence.happened)
        if eligible and deadline is not None and deadline < today:
            outcome = TOO_LATE  # an old event read late (a registry filled in afterwards): no use now
        elif eligible and rule.life_event in shared.cache.declined_of(db, person.id):
            outcome = DECLINED
        elif eligible:
            message_id = notify.deliver(
                db,
                person.id,
                sender=occurrence.municipality_code,
                kind="info",
                title=rule.title.ja,
                body=rule.body.ja.format(**values),
                link=rule.link or f"/lifeevents/{rule.life_event}",
                extra={"push_rule": rule.id, **({"deadline": deadline.isoformat()} if deadline else {})},
            ).id
            outcome = NOTIFIED
        setattr(report, outcome, getattr(report, outcome) + 1)
        db.add(
            PushFiring(
                rule_id=rule.id,
                resident_id=person.id,
                subject_id=occurrence.subject_id,
                event_id=occurrence.event_id,
                eligible=eligible,
                outcome=outcome,
                message_id=message_id,
                fired_at=clock.now(),
            )
        )
        # the rule read the person's record (household, age, status): the person can see that
        residents.record_access(
            db,
            person.id,
            f"push:{rule.id}",
            occurrence.municipality_code,
            f"プッシュ型のお知らせの判定（{rule.title.ja}）",
            role=ACCESS_ROLE,
        )


def _withdrawal_reason(
    db: Session, rule: PushRule, firing: PushFiring, today: date, cache: _PassCache
) -> str | None:
    person = residents.get_resident(db, firing.resident_id)
    if person is None or person.status != "resident":
        return "status"
    if rule.while_subject_in_household:  # the more telling reason first
        subject = residents.get_resident(db, firing.subject_id)
        if subject is None or subject.status != "resident" or subject.household_id != person.household_id:
            return "subject"
    if not eligibility_rules.evaluate(rule.eligibility, cache.attributes_of(db, person, today)):
        return "eligibility"
    return None


def review(
    db: Session,
    subject_id: str,
    rules: dict[str, PushRule],
    today: date,
    report: PassReport,
    *,
    cache: _PassCache | None = None,
) -> None:
    """Look again at the standing notices an event about ``subject_id`` may touch: those about that
    person, and those sent to the people of their household (and to them); withdraw the ones whose
    situation no longer holds."""
    subject = residents.get_resident(db, subject_id)
    people = {subject_id}
    if subject is not None:
        people |= {m.id for m in residents.household_members(db, subject.household_id)}
    standing = db.scalars(
        select(PushFiring).where(
            PushFiring.outcome == NOTIFIED,
            PushFiring.withdrawn_at.is_(None),
            or_(PushFiring.subject_id == subject_id, PushFiring.resident_id.in_(people)),
        )
    )
    for firing in list(standing):
        rule = rules.get(firing.rule_id)
        if rule is None or firing.message_id is None:
            continue  # a rule no longer shipped: its notices stand as they were sent
        reason = _withdrawal_reason(db, rule, firing, today, cache or _PassCache())
        if reason is None:
            continue
        firing.withdrawn_at = clock.now()
        notify.withdraw(db, firing.resident_id, firing.message_id, WITHDRAWN_REASONS[reason])
        report.withdrawn += 1
    db.flush()


def _born_to_reach(age: int, day: date) -> Iterator[date]:
    """Birth dates whose ``age``-th birthday falls on ``day`` (29 February counts on 1 March)."""
    year = day.year - age
    if (day.month, day.day) != (2, 29) or isleap(year):
        yield day.replace(year=year)
    if (day.month, day.day) == (3, 1) and isleap(year) and not isleap(day.year):
        yield date(year, 2, 29)


def _birthdays(
    db: Session,
    cursor: PushCursor,
    rules: list[PushRule],
    today: date,
    report: PassReport,
    *,
    cache: _PassCache,
) -> None:
    first = (
        today
        if cursor.birthdays_through is None
        else max(cursor.birthdays_through + timedelta(days=1), today - timedelta(days=MAX_CATCH_UP_DAYS))
    )
    day = first
    while day <= today:
        for rule in rules:
            for born in _born_to_reach(rule.age or 0, day):
                for person in born_on(db, born):
                    occurrence = Occurrence(
                        f"age{rule.age}-{person.id}-{day.isoformat()}",
                        person.id,
                        person.municipality_code,
                        day,
                    )
                    report.events += 1
                    _fire_all(db, [rule], occurrence, today, report, cache=cache)
        cursor.birthdays_through = day
        day += timedelta(days=1)


def run_pass(database: Database, rules: list[PushRule], *, limit: int = 500) -> PassReport:
    """Read the registry's next change events (and today's birthdays), fire the rules on them and
    withdraw what the events made void (one transaction)."""
    report = PassReport()
    today = clock.today_jst().date()
    by_id = {rule.id: rule for rule in rules}
    by_event: dict[str, list[PushRule]] = {}
    for rule in rules:
        by_event.setdefault(rule.event, []).append(rule)
    cache = _PassCache()
    with database.session() as db:
        cursor = db.get(PushCursor, 1, with_for_update=True)
        if cursor is None:
            cursor = PushCursor(id=1, last_sequence=0)
            db.add(cursor)
        for event in residents.events_after(db, cursor.last_sequence, limit):
            report.events += 1
            occurrence = Occurrence(
                # an event may name the occurrence it is part of (a 住民税 correction: the person's
                # fiscal year), so that its notice is sent once whatever the corrections
                str(event.payload.get("occurrence") or event.event_id),
                event.resident_id,
                event.municipality_code,
                _event_date(event),
            )
            _fire_all(db, by_event.get(event.kind, []), occurrence, today, report, cache=cache)
            review(db, event.resident_id, by_id, today, report, cache=cache)
            cursor.last_sequence = event.sequence
        if AGE_REACHED in by_event and (cursor.birthdays_through is None or cursor.birthdays_through < today):
            _birthdays(db, cursor, by_event[AGE_REACHED], today, report, cache=cache)
    return report


def firings_of(db: Session, resident_id: str, *, limit: int | None = None) -> list[PushFiring]:
    """The person's firings, newest first (the 判定の記録 on their page)."""
    return list(
        db.scalars(
            select(PushFiring)
            .where(PushFiring.resident_id == resident_id)
            .order_by(PushFiring.id.desc())
            .limit(limit)
        )
    )


def set_declined(db: Session, resident_id: str, receive: Iterable[str], offered: Iterable[str]) -> set[str]:
    """The person receives the life events in ``receive`` of those ``offered`` and declines the
    rest; the declined set afterwards."""
    wanted, kinds = set(receive), [k for k in offered if k in LIFE_EVENTS]
    db.execute(delete(PushDeclined).where(PushDeclined.resident_id == resident_id))
    now = clock.now()
    for kind in kinds:
        if kind not in wanted:
            db.add(PushDeclined(resident_id=resident_id, life_event=kind, declined_at=now))
    db.flush()
    return declined_of(db, resident_id)


def offered_kinds(rules: Iterable[PushRule]) -> list[str]:
    """The life events the shipped rules tell people about, in the order of ``LIFE_EVENTS``."""
    used = {rule.life_event for rule in rules}
    return [k for k in LIFE_EVENTS if k in used]
