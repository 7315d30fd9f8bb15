"""おくやみの手続一覧 as data: ``checklist.yaml``, checked at load (each problem at its line).

Entries say when they apply by the eligibility rule language over :data:`SITUATION` — what the
registry and the mesh tell of the deceased person — and how the family deals with each: filed
online in the bereavement flow, told to an organization through the mesh, done by the death's
registration, or at a counter (where, what to bring).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from tsunagu.core.errors import ConfigurationError
from tsunagu.procedures import rules
from tsunagu.procedures.definition import Localized
from tsunagu.procedures.source import Problem, SourceDocument, SourceError, parse

CHECKLIST = Path(__file__).parent / "checklist.yaml"

#: what a rule may ask of the deceased person's situation
SITUATION: dict[str, type] = {
    "age": int,  # 死亡時の年齢
    "was_head": bool,  # 世帯主だった
    "remaining": int,  # 世帯に残る方の数
    "pension": bool,  # 年金を受けていた（日本年金機構に公共サービスメッシュで確認）
    "child_allowance": bool,  # 児童手当を受けていた（申請の記録）
    "care_certified": bool,  # 要介護・要支援認定を申請していた（申請の記録）
}
Kind = Literal["online", "notified", "done", "counter"]
_KEYS = {"id", "when", "name", "online", "notified", "done", "text", "place", "bring", "deadline_days"}


class ChecklistInvalid(ConfigurationError):
    code = "bereavement-checklist-invalid"
    title = "The bereavement checklist is not valid"


@dataclass(frozen=True)
class Entry:
    id: str
    kind: Kind
    when: dict[str, Any] | None
    name: Localized | None  # None for online entries: the procedure's own name
    procedure: str = ""  # online
    organization: str = ""  # notified
    text: Localized | None = None  # done: the text ({new_head}); others: what to know
    place: Localized | None = None
    bring: tuple[Localized, ...] = ()
    deadline_days: int | None = None


def _localized(
    document: SourceDocument, where: tuple[str | int, ...], found: list[Problem]
) -> Localized | None:
    value: Any = document.data
    for step in where:
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
        else:
            value = None
    if value is None:
        return None
    if isinstance(value, dict) and all(isinstance(value.get(lang), str) for lang in ("ja", "en")):
        return Localized(ja=value["ja"], en=value["en"])
    found.append(document.problem(where, "needs ja and en texts"))
    return None


def _rule_problems(rule: Any, where: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    if not isinstance(rule, dict):
        return [(where, "when is a rule")]
    try:
        return list(rules.problems(rule, where, SITUATION, "situation"))
    except (KeyError, TypeError):
        return [(where, "a rule is {all|any: [...]}, {not: rule} or {attribute, op, value}")]


def _entry(document: SourceDocument, index: int, found: list[Problem]) -> Entry | None:
    data = document.data[index]
    at: tuple[str | int, ...] = (index,)
    if not isinstance(data, dict):
        found.append(document.problem(at, "an entry is a mapping"))
        return None
    found += [document.problem((*at, k), f"unknown key {k!r}", key=True) for k in data if k not in _KEYS]
    kinds = [k for k in ("online", "notified", "done") if k in data]
    if len(kinds) > 1:
        found.append(document.problem(at, f"an entry is one of online, notified, done ({', '.join(kinds)})"))
    kind: Kind = kinds[0] if kinds else "counter"  # type: ignore[assignment]
    if "when" in data:
        found += [document.problem(w, m) for w, m in _rule_problems(data["when"], (*at, "when"))]
    name = _localized(document, (*at, "name"), found)
    if kind != "online" and name is None:
        found.append(document.problem(at, "an entry that is not online needs a name"))
    place = _localized(document, (*at, "place"), found)
    if kind == "counter" and place is None:
        found.append(document.problem(at, "a counter entry needs a place"))
    bring = tuple(
        b
        for position in range(len(data.get("bring") or []))
        if (b := _localized(document, (*at, "bring", position), found)) is not None
    )
    days = data.get("deadline_days")
    if days is not None and (not isinstance(days, int) or days < 0):
        found.append(document.problem((*at, "deadline_days"), "deadline_days is a number of days"))
    text = _localized(document, (*at, "done" if kind == "done" else "text"), found)
    return Entry(
        id=str(data.get("id", "")),
        kind=kind,
        when=data.get("when"),
        name=name,
        procedure=str(data.get("online", "")),
        organization=str(data.get("notified", "")),
        text=text,
        place=place,
        bring=bring,
        deadline_days=days,
    )


def parse_checklist(path: Path, text: str, procedures: frozenset[str] | None = None) -> tuple[Entry, ...]:
    """The checklist, or :class:`ChecklistInvalid` naming each problem at its line; ``procedures``
    (when given) are the known procedure ids an online entry may name."""
    try:
        document = parse(path, text)
    except SourceError as exc:
        raise ChecklistInvalid("; ".join(str(p) for p in exc.problems)) from None
    if not isinstance(document.data, list):
        raise ChecklistInvalid(f"{path}:1: the checklist is a list of entries")
    found: list[Problem] = []
    entries = [e for i in range(len(document.data)) if (e := _entry(document, i, found)) is not None]
    for position, entry in enumerate(entries):
        if procedures is not None and entry.kind == "online" and entry.procedure not in procedures:
            found.append(document.problem((position, "online"), f"unknown procedure {entry.procedure!r}"))
    ids = [e.id for e in entries]
    found += [
        document.problem((), f"id {i!r} appears twice") for i in sorted({i for i in ids if ids.count(i) > 1})
    ]
    if found:
        raise ChecklistInvalid("; ".join(str(p) for p in found))
    return tuple(entries)


@cache
def load() -> tuple[Entry, ...]:
    return parse_checklist(CHECKLIST, CHECKLIST.read_text(encoding="utf-8"))
