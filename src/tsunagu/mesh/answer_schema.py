"""Building blocks of the JSON Schemas (2020-12) that mesh services declare for their answers, and
of the service definitions themselves (each data item declared once: name, type, title, schema)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: One data item of a service: its name, its standard type (``directory.records.STANDARD_TYPES``),
#: its title in Japanese and the JSON Schema of its value in an answer.
Item = tuple[str, str, str, dict[str, Any]]

STRING: dict[str, Any] = {"type": "string", "minLength": 1}
DATE: dict[str, Any] = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def closed_object(properties: dict[str, Any]) -> dict[str, Any]:
    """An object of exactly these properties: an answer never carries an item it was not asked for."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


def service_definition(
    code: str, title_ja: str, items: Sequence[Item], *, version: str = "v1"
) -> dict[str, Any]:
    """A service as the directory registers it: its items, and as the schema of an answer the
    closed object of exactly those items' values."""
    return {
        "code": code,
        "version": version,
        "title_ja": title_ja,
        "items": [{"name": name, "type": kind, "title_ja": title} for name, kind, title, _ in items],
        "response_schema": closed_object({name: schema for name, _, _, schema in items}),
    }


def item_names(definition: dict[str, Any]) -> list[str]:
    """The names of a service's items (what a 事務 over all of them lists)."""
    return [str(item["name"]) for item in definition["items"]]
