"""Requirement sets as published (公開): the shipped sets listed, and each one as a JSON document
(tables and their columns, keys, cross-table rules, linkage APIs and file layouts) that the catalog
lists as a dataset and vendors read without the files of the set."""

from __future__ import annotations

from typing import Any

from tsunagu.conformance import requirements
from tsunagu.conformance.requirements import Column, RequirementSet, TableRequirement, Text
from tsunagu.core.errors import NotFound


class RequirementSetNotFound(NotFound):
    code = "conformance-requirement-set-not-found"
    title = "Requirement set not found"


def shipped_sets() -> list[RequirementSet]:
    """Every requirement set shipped with Tsunagu, by id and version."""
    return [requirements.load_shipped(path.parent.name, path.name) for path in requirements.shipped()]


def requirement_set(set_id: str, version: str) -> RequirementSet:
    """The shipped set ``set_id`` in ``version``; ids and versions are matched, never used as paths."""
    for found in shipped_sets():
        if (found.id, found.version) == (set_id, version):
            return found
    raise RequirementSetNotFound(f"no requirement set {set_id!r} version {version!r}", set=set_id)


def _text(text: Text) -> dict[str, str]:
    return {"ja": text.ja, "en": text.en}


def _column(column: Column) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": column.name,
        "title": _text(column.title),
        "type": column.type,
        "required": column.required,
        "level": column.level,
        "personal": column.personal,
    }
    optional = {
        "unique": column.unique or None,
        "min_length": column.min_length,
        "max_length": column.max_length,
        "pattern": column.pattern.pattern if column.pattern else None,
        "enum": list(column.enum) if column.enum is not None else None,
        "minimum": column.minimum,
        "maximum": column.maximum,
        "code_list": column.code_list,
        "charset": column.charset,
        "format": column.text_format,
        "check": column.check,
        "equals_date": column.equals_date,
        "description": column.description or None,
    }
    described.update({key: value for key, value in optional.items() if value is not None})
    return described


def _table(table: TableRequirement) -> dict[str, Any]:
    return {
        "name": table.name,
        "title": _text(table.title),
        "columns": [_column(c) for c in table.columns],
        "primary_key": list(table.primary_key),
        "foreign_keys": [
            {"fields": list(fk.fields), "table": fk.table, "reference": list(fk.reference)}
            for fk in table.foreign_keys
        ],
    }


def summary(found: RequirementSet) -> dict[str, Any]:
    """What a list of sets shows of each one."""
    return {
        "id": found.id,
        "version": found.version,
        "title": _text(found.title),
        "business_area": found.business_area,
        "tables": [t.name for t in found.tables],
    }


def describe(found: RequirementSet) -> dict[str, Any]:
    """The whole set as one JSON document: data requirements, rules, code lists, linkage."""
    return {
        **summary(found),
        "sources": [_text(s) for s in found.sources],
        "tables": [_table(t) for t in found.tables],
        "code_lists": {
            name: [{"code": code, "label": _text(label)} for code, label in code_list.labels.items()]
            for name, code_list in found.code_lists.items()
        },
        "rules": [
            {"id": r.id, "kind": r.kind, "level": r.level, "table": r.table, "title": _text(r.title)}
            for r in found.rules
        ],
        "linkage": {
            "apis": [
                {"id": a.id, "title": _text(a.title), "openapi": a.document.get("openapi")}
                for a in found.apis
            ],
            "files": [
                {
                    "id": f.id,
                    "title": _text(f.title),
                    "encoding": f.encoding,
                    "delimiter": f.delimiter,
                    "columns": [c.name for c in f.table.columns],
                }
                for f in found.files
            ],
        },
    }
