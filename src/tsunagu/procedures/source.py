"""YAML with line numbers: the parsed data plus where each value sits in the file.

``yaml.compose`` keeps a start mark on every node; walking the node tree once gives the line of
every JSON path, so a JSON-Schema error path (``fields/2/type``) maps back to ``file:line``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

JsonPath = tuple[str | int, ...]
# libyaml when PyYAML was built with it (about 10x faster), keeping the same marks and types.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Problem:
    """One error in one definition file, with its 1-based line."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class SourceDocument:
    """A parsed YAML file: ``data`` and the line of each JSON path (values and mapping keys)."""

    path: Path
    data: Any
    value_lines: dict[JsonPath, int] = field(default_factory=dict)
    key_lines: dict[JsonPath, int] = field(default_factory=dict)

    def line(self, json_path: Sequence[str | int], *, key: bool = False) -> int:
        """The line of ``json_path``, or of its nearest ancestor the file has (1 for the root)."""
        target = tuple(json_path)
        if key and target in self.key_lines:
            return self.key_lines[target]
        while target:
            if target in self.value_lines:
                return self.value_lines[target]
            target = target[:-1]
        return self.value_lines.get((), 1)

    def problem(self, json_path: Sequence[str | int], message: str, *, key: bool = False) -> Problem:
        return Problem(self.path, self.line(json_path, key=key), message)


class SourceError(Exception):
    """The file cannot be read as YAML at all; ``problems`` say where."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def parse(path: Path, text: str) -> SourceDocument:
    """Parse ``text`` (the content of ``path``) keeping lines; duplicate keys are errors."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        # The context (e.g. where an unclosed bracket opened) is where the author must look.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 1 if mark is not None else 1
        found = f" (noticed at line {exc.problem_mark.line + 1})" if exc.problem_mark else ""
        reason = " ".join(part for part in (exc.context, exc.problem) if part) or str(exc)
        raise SourceError([Problem(path, line, f"not valid YAML: {reason}{found}")]) from None
    except yaml.YAMLError as exc:
        raise SourceError([Problem(path, 1, f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    document = SourceDocument(path, data)
    if root is None:
        return document
    duplicates = list(_index(root, (), document))
    if duplicates:
        raise SourceError(duplicates)
    return document


def _index(node: yaml.Node, json_path: JsonPath, document: SourceDocument) -> Iterator[Problem]:
    document.value_lines[json_path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                yield Problem(document.path, key_node.start_mark.line + 1, f"duplicate key {key!r}")
            seen.add(key)
            document.key_lines[(*json_path, key)] = key_node.start_mark.line + 1
            yield from _index(value_node, (*json_path, key), document)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            yield from _index(item, (*json_path, position), document)
