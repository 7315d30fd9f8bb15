"""The JSON Schema (draft 2020-12) of a procedure's application form, generated from its fields."""

from __future__ import annotations

from typing import Any

from tsunagu.procedures.definition import FormField, Procedure

_STRING = {"type": "string"}
_FIXED: dict[str, dict[str, Any]] = {
    "person_name": {
        "type": "object",
        "additionalProperties": False,
        "required": ["family", "given", "family_kana", "given_kana"],
        "properties": dict.fromkeys(("family", "given", "family_kana", "given_kana"), _STRING),
    },
    "date": {"type": "string", "format": "date"},
    "wareki_date": {"type": "string", "description": "和暦 (令和6年4月1日) or ISO 8601 date"},
    "address": {
        "type": "object",
        "additionalProperties": False,
        "required": ["prefecture", "municipality"],
        "properties": dict.fromkeys(
            ("postcode", "prefecture", "municipality", "town", "banchi", "go", "building"), _STRING
        ),
    },
    "postcode": {"type": "string", "pattern": r"^[0-9]{3}-?[0-9]{4}$"},
    "phone": {"type": "string", "pattern": r"^\+?[0-9() -]{10,16}$"},
    "corporate_number": {"type": "string", "pattern": r"^[0-9]{13}$"},
    "individual_number": {"type": "string", "pattern": r"^[0-9]{12}$", "writeOnly": True},
    "boolean": {"type": "boolean"},
}


def form_schema(procedure: Procedure, locale: str) -> dict[str, Any]:
    """Fields as properties; prefilled ones are marked with the mesh item they come from."""
    sources = {p.field: {"service": p.service, "item": p.item} for p in procedure.prefill}
    properties: dict[str, Any] = {}
    for field in procedure.fields:
        schema = {"title": field.label.text(locale), **_field_schema(field, locale)}
        if field.help is not None:
            schema["description"] = field.help.text(locale)
        if field.name in sources:
            schema["x-tsunagu-prefill"] = sources[field.name]
        properties[field.name] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": procedure.name.text(locale),
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in procedure.fields if f.required],
        "properties": properties,
    }


def _field_schema(field: FormField, locale: str) -> dict[str, Any]:
    if field.type in _FIXED:
        return dict(_FIXED[field.type])
    if field.type == "text":
        text: dict[str, Any] = {"type": "string", "maxLength": field.max_length}
        return text | ({"pattern": field.pattern} if field.pattern else {})
    if field.type == "integer":
        bounds = {"minimum": field.minimum, "maximum": field.maximum}
        return {"type": "integer"} | {k: v for k, v in bounds.items() if v is not None}
    if field.type == "choice":
        return {"oneOf": [{"const": o.value, "title": o.label.text(locale)} for o in field.options]}
    return {
        "type": "string",
        "contentEncoding": "base64",
        "x-tsunagu-max-bytes": field.max_bytes,
        "x-tsunagu-content-types": list(field.content_types),
    }
