"""Read procedure files: YAML → JSON Schema → semantic checks → a typed ``Procedure``.

Every problem is collected (never only the first), each with its file and line.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from tsunagu.procedures import checks, source
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.source import Problem, SourceDocument

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "procedure.schema.json"
SHIPPED_DIR = Path(__file__).resolve().parent / "definitions"
SUFFIXES = (".yaml", ".yml")


@lru_cache(maxsize=1)
def file_schema() -> dict[str, Any]:
    """The procedure file format (JSON Schema draft 2020-12)."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(file_schema())
    return Draft202012Validator(file_schema())


@dataclass(frozen=True)
class FileResult:
    """One file: its procedure when valid, else the problems that refuse it."""

    path: Path
    procedure: Procedure | None
    problems: tuple[Problem, ...] = ()
    id_line: int = 1


@dataclass(frozen=True)
class DirectoryResult:
    procedures: dict[str, Procedure] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()


def definition_files(directory: Path) -> list[Path]:
    """The procedure files of ``directory`` in name order (hidden and editor temp files skipped)."""
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in SUFFIXES and not p.name.startswith((".", "#", "~")) and p.is_file()
    )


def load_file(path: Path) -> FileResult:
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FileResult(path, None, (Problem(path, 1, f"cannot read the file: {exc}"),))
    return load_text(path, text, hashlib.sha256(raw).hexdigest())


def load_text(path: Path, text: str, revision: str) -> FileResult:
    """Validate ``text`` as the content of ``path``; ``revision`` identifies this version."""
    try:
        document = source.parse(path, text)
    except source.SourceError as exc:
        return FileResult(path, None, tuple(exc.problems))
    schema_problems = list(_schema_problems(document))
    if schema_problems:
        return FileResult(path, None, tuple(schema_problems))
    semantic = list(checks.problems(document))
    if semantic:
        return FileResult(path, None, tuple(semantic))
    return FileResult(
        path,
        Procedure.model_validate({**document.data, "revision": revision}),
        id_line=document.line(("id",)),
    )


def _schema_problems(document: SourceDocument) -> Iterator[Problem]:
    if not isinstance(document.data, dict):
        yield Problem(document.path, 1, "a procedure file is a mapping (key: value) at the top level")
        return
    errors = sorted(_validator().iter_errors(document.data), key=lambda e: list(e.absolute_path))
    for error in errors:
        yield _located(document, error)


def _located(document: SourceDocument, error: ValidationError) -> Problem:
    json_path = tuple(error.absolute_path)
    where = "/".join(str(part) for part in json_path) or "(top level)"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {})) if isinstance(error.schema, dict) else set()
        unknown = sorted(k for k in error.instance if k not in allowed)
        if unknown:
            return document.problem(
                (*json_path, unknown[0]),
                f"{where}: unknown key {unknown[0]!r}"
                + (f" (and {', '.join(unknown[1:])})" if unknown[1:] else ""),
                key=True,
            )
    if error.validator == "oneOf" and error.context:
        deepest = max(_intended_branch(error), key=lambda e: len(e.absolute_path))
        return _located(document, deepest)
    return document.problem(json_path, f"{where}: {error.message}")


def _intended_branch(error: ValidationError) -> list[ValidationError]:
    """The errors of the ``oneOf`` branch the author meant: one whose required keys are present."""
    branches: dict[object, list[ValidationError]] = {}
    for inner in error.context or []:
        branches.setdefault(inner.schema_path[0], []).append(inner)
    meant = [
        errors
        for errors in branches.values()
        if not any(e.validator == "required" and not e.path for e in errors)
    ]
    return min(meant, key=len) if meant else list(error.context or [])


def load_directory(directory: Path) -> DirectoryResult:
    """Load every file; a procedure id used by an earlier file (name order) refuses the later one."""
    if not directory.is_dir():
        return DirectoryResult(problems=(Problem(directory, 1, "not a directory"),))
    return merge([load_file(path) for path in definition_files(directory)])


def merge(results: list[FileResult]) -> DirectoryResult:
    """Combine per-file results (in name order), refusing duplicate ids across files."""
    procedures: dict[str, Procedure] = {}
    owners: dict[str, Path] = {}
    found: list[Problem] = []
    for result in results:
        found.extend(result.problems)
        procedure = result.procedure
        if procedure is None:
            continue
        if procedure.id in owners:
            owner = owners[procedure.id].name
            found.append(
                Problem(
                    result.path, result.id_line, f"procedure id {procedure.id!r} is already used by {owner}"
                )
            )
            continue
        owners[procedure.id] = result.path
        procedures[procedure.id] = procedure
    return DirectoryResult(procedures, tuple(found))
