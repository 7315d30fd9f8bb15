"""プッシュ型のお知らせ: registry events + eligibility → a personal お知らせ, once per person and event.

Rules are YAML files (``push/rules``): the registry event they react to, who hears of it
(``household_adults``: the adult members of the household the event happened in), the eligibility
rule over the same applicant attributes procedures use, the deadline in days from the event, and the
text with ``{event_date}`` and ``{deadline}`` (和暦). A reader keeps its place in the registry's
change events; every firing — eligible or not — is recorded, and the unique firing makes the notice
go out once however often a pass is repeated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.errors import ConfigurationError
from tsunagu.core.types.wareki import format_wareki
from tsunagu.notify import service as notify
from tsunagu.procedures import rules as eligibility_rules
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.definition import Localized
from tsunagu.procedures.lifeevents import LIFE_EVENTS
from tsunagu.procedures.push.models import PushCursor, PushFiring
from tsunagu.procedures.source import Problem, SourceDocument, SourceError, parse
from tsunagu.registry.residents import service as residents

RULES_DIR = Path(__file__).parent / "rules"
EVENTS = ("birth", "move_in", "address_change", "move_out", "death", "name_change", "head_change")
RECIPIENTS = ("household_adults",)
ADULT_AGE = 18
_KEYS = {"id", "event", "recipients", "eligibility", "deadline_days", "life_event", "title", "body"}


class PushRuleInvalid(ConfigurationError):
    code = "push-rule-invalid"
    title = "A push rule file is not valid"


@dataclass(frozen=True)
class PushRule:
    id: str
    event: str
    recipients: str
    eligibility: dict[str, Any]
    deadline_days: int
    life_event: str
    title: Localized
    body: Localized


def _localized(document: SourceDocument, key: str, found: list[Problem]) -> Localized:
    value = document.data.get(key)
    if not (isinstance(value, dict) and all(isinstance(value.get(lang), str) for lang in ("ja", "en"))):
        found.append(document.problem((key,), f"{key} needs ja and en texts"))
        return Localized(ja="", en="")
    return Localized(ja=value["ja"], en=value["en"])


def parse_rule(path: Path, text: str) -> PushRule:
    """One rule file, or :class:`PushRuleInvalid` naming each problem at its line."""
    try:
        document = parse(path, text)
    except SourceError as exc:
        raise PushRuleInvalid("; ".join(str(p) for p in exc.problems)) from None
    data = document.data
    if not isinstance(data, dict):
        raise PushRuleInvalid(f"{path}:1: a push rule is a mapping")
    found = [document.problem((key,), f"unknown key {key!r}", key=True) for key in data if key not in _KEYS]
    found += [document.problem((), f"missing {key!r}") for key in sorted(_KEYS - set(data))]
    if found:
        raise PushRuleInvalid("; ".join(str(p) for p in found))
    if data["event"] not in EVENTS:
        found.append(document.problem(("event",), f"unknown registry event {data['event']!r}"))
    if data["recipients"] not in RECIPIENTS:
        found.append(document.problem(("recipients",), f"unknown recipients {data['recipients']!r}"))
    if data["life_event"] not in LIFE_EVENTS:
        found.append(document.problem(("life_event",), f"unknown life event {data['life_event']!r}"))
    if not isinstance(data["deadline_days"], int) or data["deadline_days"] < 0:
        found.append(document.problem(("deadline_days",), "deadline_days is a number of days"))
    if isinstance(data["eligibility"], dict):
        found += [
            document.problem(where, message)
            for where, message in eligibility_rules.problems(data["eligibility"], ("eligibility",))
        ]
    else:
        found.append(document.problem(("eligibility",), "eligibility is a rule"))
    title, body = _localized(document, "title", found), _localized(document, "body", found)
    if found:
        raise PushRuleInvalid("; ".join(str(p) for p in found))
    return PushRule(
        str(data["id"]),
        data["event"],
        data["recipients"],
        data["eligibility"],
        data["deadline_days"],
        data["life_event"],
        title,
        body,
    )


def load_rules(directory: Path = RULES_DIR) -> list[PushRule]:
    return [parse_rule(path, path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.yaml"))]


def _recipients(
    db: Session, rule: PushRule, event: residents.EventRecord, today: date
) -> list[residents.ResidentRecord]:
    """``household_adults``: the adults living in the household of the person the event is about."""
    subject = residents.get_resident(db, event.resident_id)
    if subject is None:
        return []
    return [
        m
        for m in residents.household_members(db, subject.household_id)
        if m.id != subject.id and m.status == "resident" and _age(m.birth_date, today) >= ADULT_AGE
    ]


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _event_date(event: residents.EventRecord) -> date:
    found = event.payload.get("effective_date") if isinstance(event.payload, dict) else None
    return date.fromisoformat(str(found)[:10]) if found else event.created_at.date()


@dataclass
class PassReport:
    events: int = 0
    notified: int = 0
    not_eligible: int = 0


def _fire(db: Session, rule: PushRule, event: residents.EventRecord, today: date, report: PassReport) -> None:
    happened = _event_date(event)
    deadline = happened + timedelta(days=rule.deadline_days)
    for person in _recipients(db, rule, event, today):
        if db.scalar(
            select(PushFiring.id).where(
                PushFiring.rule_id == rule.id,
                PushFiring.event_id == event.event_id,
                PushFiring.resident_id == person.id,
            )
        ):
            continue
        eligible = eligibility_rules.evaluate(rule.eligibility, applications.attributes_of(db, person, today))
        message_id = None
        if eligible:
            values = {"event_date": format_wareki(happened), "deadline": format_wareki(deadline)}
            message = notify.deliver(
                db,
                person.id,
                sender=event.municipality_code,
                kind="info",
                title=rule.title.ja,
                body=rule.body.ja.format(**values),
                link=f"/lifeevents/{rule.life_event}",
                extra={"push_rule": rule.id, "deadline": deadline.isoformat()},
            )
            message_id = message.id
            report.notified += 1
        else:
            report.not_eligible += 1
        db.add(
            PushFiring(
                rule_id=rule.id,
                resident_id=person.id,
                event_id=event.event_id,
                eligible=eligible,
                message_id=message_id,
                fired_at=clock.now(),
            )
        )
        db.flush()


def run_pass(database: Database, rules: list[PushRule], *, limit: int = 500) -> PassReport:
    """Read the registry's next change events and fire the rules on them (one transaction)."""
    report = PassReport()
    today = clock.today_jst().date()
    with database.session() as db:
        cursor = db.get(PushCursor, 1, with_for_update=True)
        if cursor is None:
            cursor = PushCursor(id=1, last_sequence=0)
            db.add(cursor)
        for event in residents.events_after(db, cursor.last_sequence, limit):
            report.events += 1
            for rule in rules:
                if rule.event == event.kind:
                    _fire(db, rule, event, today, report)
            cursor.last_sequence = event.sequence
    return report


def firings_of(db: Session, resident_id: str) -> list[PushFiring]:
    return list(
        db.scalars(select(PushFiring).where(PushFiring.resident_id == resident_id).order_by(PushFiring.id))
    )
