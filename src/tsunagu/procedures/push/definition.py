"""A push rule as data (プッシュ型のお知らせの規則): which event, who hears of it, who is eligible.

A rule file names the event it reacts to — a registry change event (``birth``, ``move_in``,
``death``, …) or ``age_reached`` with the ``age`` (e.g. 65: 介護保険の第1号被保険者) — who hears of it
(``household_adults``: the other adults of the household the event happened in; ``subject``: the
person the event is about; ``household_adults_and_informant``: the household's adults and the
resident who reported the death, 死亡届の届出人), the eligibility rule over the applicant attributes
procedures use (:mod:`tsunagu.procedures.rules`), the deadline in days from the event (or none),
the life event whose procedures the notice links to, and the texts with ``{event_date}`` and
``{deadline}`` (和暦).
``while_subject_in_household`` withdraws the notice when the person the event is about leaves the
household or dies (a newborn's 児童手当). ``link`` names the page the notice leads to (a one-stop's
prefilled form, e.g. ``/kosodate``) instead of the life event's list. Every problem is reported at
its file and line.

An income change is the event ``income_assessed``: the municipality's 課税台帳 recorded or
corrected a resident's 住民税 assessment (:mod:`tsunagu.registry.taxation`); a correction is the
same occurrence (the person and fiscal year), so its notice is sent once and withdrawn when the
corrected result ends the eligibility (``resident_tax_exempt`` and the other attributes).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tsunagu.core.errors import ConfigurationError
from tsunagu.procedures import rules as eligibility_rules
from tsunagu.procedures.definition import Localized
from tsunagu.procedures.lifeevents import LIFE_EVENTS
from tsunagu.procedures.source import Problem, SourceDocument, SourceError, parse

RULES_DIR = Path(__file__).parent / "rules"
REGISTRY_EVENTS = ("birth", "move_in", "address_change", "move_out", "death", "name_change", "head_change")
AGE_REACHED = "age_reached"
INCOME_ASSESSED = "income_assessed"  # 住民税の課税台帳の記録・更正 (registry.taxation)
EVENTS = (*REGISTRY_EVENTS, INCOME_ASSESSED, AGE_REACHED)
RECIPIENTS = ("household_adults", "subject", "household_adults_and_informant")
_REQUIRED = {"id", "event", "recipients", "eligibility", "deadline_days", "life_event", "title", "body"}
_OPTIONAL = {"age", "while_subject_in_household", "link"}


class PushRuleInvalid(ConfigurationError):
    code = "push-rule-invalid"
    title = "A push rule file is not valid"


@dataclass(frozen=True)
class PushRule:
    id: str
    event: str
    recipients: str
    eligibility: dict[str, Any]
    deadline_days: int | None
    life_event: str
    title: Localized
    body: Localized
    age: int | None = None  # for age_reached
    while_subject_in_household: bool = False
    link: str = ""  # where the notice leads (a one-stop's prefilled form); else the life event's list


def _localized(document: SourceDocument, key: str, found: list[Problem]) -> Localized:
    value = document.data.get(key)
    if not (isinstance(value, dict) and all(isinstance(value.get(lang), str) for lang in ("ja", "en"))):
        found.append(document.problem((key,), f"{key} needs ja and en texts"))
        return Localized(ja="", en="")
    return Localized(ja=value["ja"], en=value["en"])


def _checked(document: SourceDocument, data: dict[str, Any]) -> list[Problem]:
    found: list[Problem] = []
    if data["event"] not in EVENTS:
        found.append(
            document.problem(("event",), f"unknown event {data['event']!r}; known: {', '.join(EVENTS)}")
        )
    age = data.get("age")
    if (data["event"] == AGE_REACHED) != (age is not None):
        found.append(document.problem(("event",), "an age (and only an age) goes with event age_reached"))
    elif age is not None and (type(age) is not int or not 0 < age < 130):
        found.append(document.problem(("age",), "age is a whole number of years"))
    if data["recipients"] not in RECIPIENTS:
        found.append(document.problem(("recipients",), f"unknown recipients {data['recipients']!r}"))
    if data["life_event"] not in LIFE_EVENTS:
        found.append(document.problem(("life_event",), f"unknown life event {data['life_event']!r}"))
    days = data["deadline_days"]
    if days is not None and (type(days) is not int or days < 0):
        found.append(document.problem(("deadline_days",), "deadline_days is a number of days (or null)"))
    if not isinstance(data.get("while_subject_in_household", False), bool):
        found.append(document.problem(("while_subject_in_household",), "true or false"))
    link = data.get("link", "/")
    if not (isinstance(link, str) and link.startswith("/") and not link.startswith("//")):
        found.append(document.problem(("link",), "link is a path on this site (/kosodate)"))
    if isinstance(data["eligibility"], dict):
        found += [
            document.problem(where, message)
            for where, message in eligibility_rules.problems(data["eligibility"], ("eligibility",))
        ]
    else:
        found.append(document.problem(("eligibility",), "eligibility is a rule"))
    return found


def parse_rule(path: Path, text: str) -> PushRule:
    """One rule file, or :class:`PushRuleInvalid` naming each problem at its line."""
    try:
        document = parse(path, text)
    except SourceError as exc:
        raise PushRuleInvalid("; ".join(str(p) for p in exc.problems)) from None
    data = document.data
    if not isinstance(data, dict):
        raise PushRuleInvalid(f"{path}:1: a push rule is a mapping")
    found = [
        document.problem((key,), f"unknown key {key!r}", key=True)
        for key in data
        if key not in _REQUIRED | _OPTIONAL
    ]
    found += [document.problem((), f"missing {key!r}") for key in sorted(_REQUIRED - set(data))]
    if not found:
        found = _checked(document, data)
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
        data.get("age"),
        bool(data.get("while_subject_in_household", False)),
        str(data.get("link", "")),
    )


def load_rules(directory: Path = RULES_DIR) -> list[PushRule]:
    """Every rule of ``directory``; two files with one id are refused (a firing names its rule)."""
    rules = [parse_rule(path, path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.yaml"))]
    seen: dict[str, int] = {}
    for rule in rules:
        seen[rule.id] = seen.get(rule.id, 0) + 1
    twice = sorted(rule_id for rule_id, count in seen.items() if count > 1)
    if twice:
        raise PushRuleInvalid(f"{directory}: rule id(s) used by more than one file: {', '.join(twice)}")
    return rules
