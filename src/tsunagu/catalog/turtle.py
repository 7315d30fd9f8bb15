"""Turtle for the catalog's DCAT: the same nodes as the JSON-LD (``service.dcat_*``), written as
Turtle without an RDF library at run time. It reads only the JSON-LD subset that the service
writes (``@id``, ``@type``, ``{"@value", "@language"|"@type"}``, nested nodes, lists); the tests
check that rdflib reads both documents as the same graph."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

MEDIA_TYPE = "text/turtle"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


class _Writer:
    def __init__(self, context: dict[str, str]) -> None:
        self.context = context
        self.blank = itertools.count(1)
        self.lines: list[str] = []

    def name(self, term: str) -> str:
        """A compact or absolute IRI as Turtle (``dcat:Dataset`` or ``<https://…>``)."""
        prefix, _, local = term.partition(":")
        if prefix in self.context and local and "/" not in local:
            return term
        return f"<{term}>"

    def value(self, value: Any) -> str:
        if isinstance(value, str):
            return f'"{_escape(value)}"'
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if "@value" in value:
            literal = f'"{_escape(str(value["@value"]))}"'
            if "@language" in value:
                return f"{literal}@{value['@language']}"
            if "@type" in value:
                return f"{literal}^^{self.name(value['@type'])}"
            return literal
        return self.node(value)

    def node(self, node: dict[str, Any]) -> str:
        subject = self.name(node["@id"]) if "@id" in node else f"_:b{next(self.blank)}"
        pairs: list[str] = []
        types = node.get("@type")
        if types:
            listed = [types] if isinstance(types, str) else types
            pairs.append("a " + ", ".join(self.name(t) for t in listed))
        for key, raw in node.items():
            if key.startswith("@"):
                continue
            values = raw if isinstance(raw, list) else [raw]
            if values:
                pairs.append(f"{self.name(key)} " + ", ".join(self.value(v) for v in values))
        if pairs:
            self.lines.append(f"{subject} " + " ;\n    ".join(pairs) + " .\n")
        return subject


def _lines(document: dict[str, Any]) -> Iterator[str]:
    context: dict[str, str] = document.get("@context", {})
    for prefix, iri in context.items():
        yield f"@prefix {prefix}: <{iri}> .\n"
    yield "\n"
    writer = _Writer(context)
    writer.node({k: v for k, v in document.items() if k != "@context"})
    yield from reversed(writer.lines)  # the top node first, then the nodes it names


def to_turtle(document: dict[str, Any]) -> str:
    """A JSON-LD document of the service's shape as Turtle."""
    return "".join(_lines(document))
