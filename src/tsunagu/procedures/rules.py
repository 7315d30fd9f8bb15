"""Eligibility rules (受給・申請資格): a tiny declarative language, evaluated without ``eval``.

A rule is ``{all: [...]}``, ``{any: [...]}``, ``{not: rule}`` or one comparison
``{attribute: age, op: gte, value: 18}`` over the applicant's attributes below.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from tsunagu.procedures.source import JsonPath

# Applicant attributes a rule may compare, with the Python type of their values.
ATTRIBUTES: dict[str, type] = {
    "kind": str,  # resident | business | proxy
    "age": int,
    "status": str,  # resident | moved_out | deceased (住民基本台帳の状態)
    "municipality_code": str,  # 住所地の全国地方公共団体コード
    "prefecture_code": str,
    "children_in_care": int,  # 監護する18歳到達年度末までの児童の数
    "has_individual_number_card": bool,
    # 住民税が非課税 (the latest fiscal year's assessment in the 課税台帳; False while none is recorded)
    "resident_tax_exempt": bool,
}

_ORDERING: dict[str, Callable[[Any, Any], bool]] = {
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}
_EQUALITY: dict[str, Callable[[Any, Any], bool]] = {"eq": operator.eq, "ne": operator.ne}
_MEMBERSHIP = ("in", "not_in")


class MissingAttribute(KeyError):
    """The applicant's attributes lack one the rule needs (a caller bug, not bad input)."""


def evaluate(rule: Mapping[str, Any], attributes: Mapping[str, object]) -> bool:
    """Whether ``attributes`` satisfy ``rule`` (already checked by :func:`problems`)."""
    if "all" in rule:
        return all(evaluate(part, attributes) for part in rule["all"])
    if "any" in rule:
        return any(evaluate(part, attributes) for part in rule["any"])
    if "not" in rule:
        return not evaluate(rule["not"], attributes)
    name, op, expected = rule["attribute"], rule["op"], rule["value"]
    if name not in attributes:
        raise MissingAttribute(name)
    actual = attributes[name]
    if op in _MEMBERSHIP:
        member = bool(actual in expected)
        return member if op == "in" else not member
    compare = _ORDERING.get(op) or _EQUALITY[op]
    return bool(compare(actual, expected))


def problems(
    rule: Mapping[str, Any],
    json_path: JsonPath,
    known: Mapping[str, type] = ATTRIBUTES,
    about: str = "applicant",
) -> Iterator[tuple[JsonPath, str]]:
    """Semantic errors of a schema-valid rule: unknown attributes, mistyped values, wrong ops.

    ``known`` are the attributes the rule may compare (the applicant's unless another set is
    given, e.g. a deceased person's situation for the おくやみ checklist)."""
    for combinator in ("all", "any"):
        if combinator in rule:
            for position, part in enumerate(rule[combinator]):
                yield from problems(part, (*json_path, combinator, position), known, about)
            return
    if "not" in rule:
        yield from problems(rule["not"], (*json_path, "not"), known, about)
        return
    name, op, value = rule["attribute"], rule["op"], rule["value"]
    expected_type = known.get(name)
    if expected_type is None:
        yield (
            (*json_path, "attribute"),
            (f"unknown {about} attribute {name!r}; known: {', '.join(sorted(known))}"),
        )
        return
    values = value if op in _MEMBERSHIP else [value]
    if op in _MEMBERSHIP and not isinstance(value, list):
        yield (*json_path, "value"), f"operator {op!r} needs a list of values"
        return
    if op not in _MEMBERSHIP and isinstance(value, list):
        yield (*json_path, "value"), f"operator {op!r} needs one value, not a list"
        return
    if op in _ORDERING and expected_type is not int:
        yield (*json_path, "op"), f"operator {op!r} cannot order {name!r} ({expected_type.__name__})"
    for item in values:
        # bool is an int subclass in Python; an age of ``true`` is still a mistake.
        if type(item) is not expected_type:
            yield (
                (*json_path, "value"),
                (f"{name!r} is {expected_type.__name__}; {item!r} is {type(item).__name__}"),
            )
