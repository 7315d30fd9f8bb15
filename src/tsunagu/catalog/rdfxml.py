"""RDF/XML for the catalog's DCAT and SKOS: the JSON-LD document (with its inline context) read
into an RDF graph and written as RDF/XML by rdflib, for harvesters that read only RDF/XML."""

from __future__ import annotations

import json
from typing import Any

import rdflib

MEDIA_TYPE = "application/rdf+xml"


def to_rdfxml(document: dict[str, Any]) -> str:
    graph = rdflib.Graph()
    graph.parse(data=json.dumps(document, ensure_ascii=False), format="json-ld")
    for prefix, iri in document.get("@context", {}).items():
        if isinstance(iri, str):
            graph.bind(prefix, rdflib.Namespace(iri))
    return graph.serialize(format="pretty-xml")
