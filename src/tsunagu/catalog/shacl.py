"""The catalog's DCAT checked against the DCAT-AP 3.0.0 SHACL shapes (SEMIC, CC BY 4.0; see
shapes/README.md for where the file comes from) with pySHACL: the document is read as RDF and
every constraint the shapes state for catalogs, datasets, distributions, data services and the
resources they name (licences, media types, legislation…) is checked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import rdflib
from rdflib.namespace import SH

SHAPES_FILE = Path(__file__).parent / "shapes" / "dcat-ap-3.0.0-SHACL.jsonld"


@dataclass(frozen=True)
class Problem:
    """One SHACL result: the node, the property path, the shapes' message, its severity."""

    focus: str
    path: str
    message: str
    severity: str  # Violation | Warning | Info


@cache
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_FILE, format="json-ld")


def validate(document: dict[str, Any]) -> list[Problem]:
    """Every SHACL result for a JSON-LD document (empty when it conforms)."""
    return validate_graph(
        rdflib.Graph().parse(data=json.dumps(document, ensure_ascii=False), format="json-ld")
    )


def validate_graph(data: rdflib.Graph) -> list[Problem]:
    """Every SHACL result for an RDF graph (read from Turtle, RDF/XML or JSON-LD)."""
    import pyshacl  # imported here: it loads OWL-RL and is needed only for this check

    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes(), allow_warnings=True)
    assert isinstance(report, rdflib.Graph)
    problems = [
        Problem(
            focus=str(report.value(result, SH.focusNode)),
            path=str(report.value(result, SH.resultPath) or ""),
            message=str(report.value(result, SH.resultMessage) or ""),
            severity=str(report.value(result, SH.resultSeverity) or SH.Violation).rpartition("#")[2],
        )
        for result in report.subjects(rdflib.RDF.type, SH.ValidationResult)
    ]
    return sorted(problems, key=lambda p: (p.focus, p.path, p.message))
