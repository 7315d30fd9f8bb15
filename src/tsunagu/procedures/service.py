"""The public procedure catalogue: the live definitions, search, one procedure, eligibility.

Definitions live in files (see ``loader``), not in the database: a procedure is launched by
adding a file, and ``registry_for`` keeps each process's view in step with its directory.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from tsunagu.core.errors import NotFound, ValidationFailed
from tsunagu.core.types.text import normalize_width, to_katakana
from tsunagu.procedures import formschema, phrasing, rules
from tsunagu.procedures.definition import Localized, Procedure
from tsunagu.procedures.lifeevents import LIFE_EVENTS
from tsunagu.procedures.loader import SHIPPED_DIR
from tsunagu.procedures.registry import LiveRegistry, Snapshot


class ProcedureNotFound(NotFound):
    code = "procedure-not-found"
    title = "Procedure not found"


class UnknownLifeEvent(ValidationFailed):
    code = "unknown-life-event"
    title = "Unknown life event"


@lru_cache(maxsize=8)
def registry_for(directory: Path | None) -> LiveRegistry:
    """This process's live registry of ``directory`` (the shipped definitions when None)."""
    return LiveRegistry(directory or SHIPPED_DIR)


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Search form of text: width-, kana- (ひらがな = カタカナ), case- and space-insensitive."""
    return to_katakana(normalize_width(text)).lower().replace(" ", "")


def _haystacks(procedure: Procedure) -> tuple[str, str]:
    """(name-level text, other text) folded for matching; names rank first."""
    names = " ".join((procedure.name.ja, procedure.name.en, procedure.name_kana))
    rest = " ".join((*procedure.keywords, procedure.summary.ja, procedure.summary.en))
    return fold(names), fold(rest)


def search(registry: LiveRegistry, keyword: str = "", life_event: str | None = None) -> list[Procedure]:
    """Procedures matching every word of ``keyword`` and tagged ``life_event``; names first.

    A word matches as typed, without the everyday ending people add (転出届を出したい), or through
    the life event its everyday words stand for (ひっこし → 引越し, 死亡 → おくやみ); see ``phrasing``.
    """
    if life_event and life_event not in LIFE_EVENTS:
        raise UnknownLifeEvent(
            f"unknown life event {life_event!r}",
            errors=[
                {
                    "location": ["query", "life_event"],
                    "message": "unknown life event",
                    "type": UnknownLifeEvent.code,
                }
            ],
        )
    wanted = [phrasing.terms(fold(word), fold) for word in normalize_width(keyword).split()]
    ranked: list[tuple[int, str, Procedure]] = []
    for procedure in registry.snapshot().procedures.values():
        if life_event and life_event not in procedure.life_events:
            continue
        names, rest = _haystacks(procedure)
        if not all(_matches(t, names, rest, procedure) for t in wanted):
            continue
        score = sum(_score(t, names, rest, procedure) for t in wanted)
        ranked.append((-score, procedure.name_kana or procedure.id, procedure))
    return [procedure for _score, _key, procedure in sorted(ranked, key=lambda r: (r[0], r[1]))]


def _matches(wanted: phrasing.Terms, names: str, rest: str, procedure: Procedure) -> bool:
    return (
        any(w in names or w in rest for w in wanted.words)
        or (bool(wanted.parts) and all(p in names or p in rest for p in wanted.parts))
        or any(event in procedure.life_events for event in wanted.life_events)
    )


def _score(wanted: phrasing.Terms, names: str, rest: str, procedure: Procedure) -> int:
    """A word in the name ranks first, then in the text, then a procedure mainly of the life event."""
    if any(w in names for w in wanted.words) or (wanted.parts and all(p in names for p in wanted.parts)):
        return 3
    if any(w in rest for w in wanted.words):
        return 2
    return 1 if procedure.life_events and procedure.life_events[0] in wanted.life_events else 0


def life_events_meant(keyword: str) -> list[str]:
    """The life events a search's everyday words stand for (for "see also" when nothing matched)."""
    found: dict[str, None] = {}
    for word in normalize_width(keyword).split():
        found.update(dict.fromkeys(phrasing.terms(fold(word), fold).life_events))
    return list(found)


def get_procedure(registry: LiveRegistry, procedure_id: str) -> Procedure:
    procedure = registry.snapshot().procedures.get(procedure_id)
    if procedure is None:
        raise ProcedureNotFound(f"no procedure {procedure_id!r}")
    return procedure


def life_events() -> dict[str, Localized]:
    return dict(LIFE_EVENTS)


def form_schema(procedure: Procedure, locale: str = "ja") -> dict[str, Any]:
    return formschema.form_schema(procedure, locale)


def is_eligible(procedure: Procedure, attributes: Mapping[str, object]) -> bool:
    """Whether an applicant with ``attributes`` (see ``rules.ATTRIBUTES``) may apply."""
    if attributes.get("kind") not in procedure.applicants:
        return False
    return procedure.eligibility is None or rules.evaluate(procedure.eligibility.rule, attributes)


def status(registry: LiveRegistry) -> Snapshot:
    """For operators: what is live and which files were refused, with file:line."""
    return registry.snapshot()
