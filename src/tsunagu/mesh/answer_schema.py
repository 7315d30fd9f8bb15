"""Building blocks of the JSON Schemas (2020-12) that mesh services declare for their answers."""

from __future__ import annotations

from typing import Any

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
