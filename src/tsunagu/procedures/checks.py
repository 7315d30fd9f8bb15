"""Semantic checks beyond the JSON Schema: references inside one definition must make sense."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from typing import Any

from tsunagu.identity.staff.service import ROLES
from tsunagu.procedures import rules
from tsunagu.procedures.lifeevents import LIFE_EVENTS
from tsunagu.procedures.source import JsonPath, Problem, SourceDocument

# Placeholders every notice may use besides the procedure's own field names.
NOTICE_PLACEHOLDERS = frozenset(
    {"receipt_number", "procedure_name", "organization_name", "decision", "decided_on", "applicant_name"}
)
# Mesh item types a field of each type accepts (和暦 is a way to show a date, not another value).
_ACCEPTS: dict[str, frozenset[str]] = {
    "wareki_date": frozenset({"date", "wareki_date"}),
    "date": frozenset({"date", "wareki_date"}),
}
# Options that only mean something for some field types.
_OPTION_TYPES: dict[str, frozenset[str]] = {
    "max_length": frozenset({"text"}),
    "pattern": frozenset({"text"}),
    "minimum": frozenset({"integer"}),
    "maximum": frozenset({"integer"}),
    "options": frozenset({"choice"}),
    "max_bytes": frozenset({"file"}),
    "content_types": frozenset({"file"}),
    "dates": frozenset({"date", "wareki_date"}),
}


def problems(document: SourceDocument) -> Iterator[Problem]:
    """Every semantic error of a schema-valid ``document``."""
    data: dict[str, Any] = document.data
    for json_path, message in _all(data):
        yield document.problem(json_path, message)


def _all(data: dict[str, Any]) -> Iterator[tuple[JsonPath, str]]:
    fields = {f["name"]: f for f in data["fields"]}
    yield from _fields(data["fields"])
    for position, source in enumerate(data.get("prefill", [])):
        yield from _binding(fields, source, ("prefill", position))
    for position, evidence in enumerate(data.get("evidence", [])):
        for index, item in enumerate(evidence["items"]):
            if "field" in item:
                yield from _binding(fields, item, ("evidence", position, "items", index))
    for position, step in enumerate(data["workflow"]):
        if step["role"] not in ROLES:
            yield (
                ("workflow", position, "role"),
                (f"unknown staff role {step['role']!r}; known: {', '.join(ROLES)}"),
            )
    yield from _unique([s["id"] for s in data["workflow"]], ("workflow",), "workflow step id")
    for position, tag in enumerate(data["life_events"]):
        if tag not in LIFE_EVENTS:
            yield ("life_events", position), (f"unknown life event {tag!r}; known: {', '.join(LIFE_EVENTS)}")
    if "eligibility" in data:
        yield from rules.problems(data["eligibility"]["rule"], ("eligibility", "rule"))
    for locale in ("ja", "en"):
        for part in ("title", "body"):
            yield from _placeholders(data["notice"][part][locale], set(fields), ("notice", part, locale))
    if data["responsible"]["rule"] != "fixed" and "organization" in data["responsible"]:
        yield ("responsible", "organization"), "an organization is only given with rule 'fixed'"


def _fields(fields: list[dict[str, Any]]) -> Iterator[tuple[JsonPath, str]]:
    yield from _unique([f["name"] for f in fields], ("fields",), "field name")
    for position, field in enumerate(fields):
        for option, types in _OPTION_TYPES.items():
            if option in field and field["type"] not in types:
                yield (
                    ("fields", position, option),
                    (f"option {option!r} does not apply to a {field['type']} field"),
                )
        if "pattern" in field:
            try:
                re.compile(field["pattern"])
            except re.error as exc:
                yield ("fields", position, "pattern"), f"not a valid regular expression: {exc}"
        if "minimum" in field and "maximum" in field and field["minimum"] > field["maximum"]:
            yield ("fields", position, "maximum"), "maximum is smaller than minimum"
        if "options" in field:
            yield from _unique(
                [o["value"] for o in field["options"]], ("fields", position, "options"), "option value"
            )
        yield from _conditions(fields, field, ("fields", position))


def _conditions(
    fields: list[dict[str, Any]], field: dict[str, Any], json_path: JsonPath
) -> Iterator[tuple[JsonPath, str]]:
    """``required_if`` and ``dates.from_field`` name another field of the right kind."""
    by_name = {f["name"]: f for f in fields}
    condition = field.get("required_if")
    if condition is not None:
        other = by_name.get(condition["field"])
        if other is None or other["name"] == field["name"]:
            yield (*json_path, "required_if", "field"), f"no other field {condition['field']!r}"
        elif other["type"] == "choice" and condition["equals"] not in {o["value"] for o in other["options"]}:
            yield (
                (*json_path, "required_if", "equals"),
                (f"{condition['equals']!r} is not an option of {other['name']!r}"),
            )
    rule = field.get("dates", {})
    for window_name in ("from_today", "from_field"):
        window = rule.get(window_name, {})
        if window.get("min_days", -(10**6)) > window.get("max_days", 10**6):
            yield (*json_path, "dates", window_name), "min_days is after max_days"
    relative = rule.get("from_field")
    if relative is not None:
        other = by_name.get(relative["field"])
        if other is None or other["name"] == field["name"] or other["type"] not in ("date", "wareki_date"):
            yield (
                (*json_path, "dates", "from_field", "field"),
                (f"{relative['field']!r} is not another date field"),
            )


def _binding(
    fields: dict[str, dict[str, Any]], source: dict[str, Any], json_path: JsonPath
) -> Iterator[tuple[JsonPath, str]]:
    target = fields.get(source["field"])
    if target is None:
        yield (*json_path, "field"), f"field {source['field']!r} is not declared in fields"
        return
    accepted = _ACCEPTS.get(target["type"], frozenset({target["type"]}))
    if source["item_type"] not in accepted:
        yield (
            (*json_path, "item_type"),
            (
                f"item {source['item']!r} is {source['item_type']} but field {source['field']!r} "
                f"is {target['type']}"
            ),
        )


def _unique(values: list[str], json_path: JsonPath, what: str) -> Iterator[tuple[JsonPath, str]]:
    seen: set[str] = set()
    for position, value in enumerate(values):
        if value in seen:
            yield (*json_path, position), f"duplicate {what} {value!r}"
        seen.add(value)


def _placeholders(text: str, field_names: set[str], json_path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        yield json_path, f"broken placeholder: {exc}"
        return
    for _literal, name, _spec, _conversion in parsed:
        if name is not None and name not in field_names and name not in NOTICE_PLACEHOLDERS:
            yield (
                json_path,
                f"unknown placeholder {{{name}}}; use a field name or one of "
                + ", ".join(sorted(NOTICE_PLACEHOLDERS)),
            )
