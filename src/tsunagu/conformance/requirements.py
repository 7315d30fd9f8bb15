"""Requirement sets (データ要件・連携要件) as data: one versioned folder per business area and version.

``requirement-set.yaml`` names the tables (each a Frictionless Table Schema in YAML plus our ``x-``
extensions), the code lists (CSV), the cross-field and cross-table rules, and the linkage
requirements (OpenAPI 3.1 documents and CSV file layouts). :func:`load` reads and checks all of it;
anything wrong stops the load with the file and line (docs/conformance.md describes the format).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from tsunagu.core.errors import ConfigurationError

REQUIREMENTS_DIR = Path(__file__).resolve().parent / "requirements"
TYPES = ("string", "integer", "number", "date", "boolean")
CONSTRAINTS = ("required", "unique", "minLength", "maxLength", "pattern", "enum", "minimum", "maximum")
FIELD_KEYS = (
    "name",
    "title",
    "description",
    "type",
    "format",
    "constraints",
    "x-title-en",
    "x-code-list",
    "x-charset",
    "x-format",
    "x-check",
    "x-level",
    "x-personal",
    "x-equals-date",
    "example",
)
SCHEMA_KEYS = ("fields", "primaryKey", "foreignKeys", "missingValues", "x-column-order")
LEVELS = ("MUST", "SHOULD")
CHARSETS = ("jis-x-0213",)
FORMATS = ("wareki",)
CHECKS = ("local-government-code",)
OPERATORS = ("<", "<=", "==", ">=", ">")
RULE_KINDS = ("compare", "required-if", "count-per-key")
ENCODINGS = ("utf-8", "cp932")


class RequirementSetInvalid(ConfigurationError):
    code = "requirement-set-invalid"
    title = "Requirement set invalid"

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path, self.line = path, line


class Located(dict[str, Any]):
    """A YAML mapping that remembers the line of itself and of each key (1-based)."""

    line: int = 0
    lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Located:  # type: ignore[override]
        mapping = Located({str(k): v for k, v in super().construct_mapping(node, deep=True).items()})
        mapping.line = node.start_mark.line + 1
        mapping.lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)


def read_yaml(path: Path) -> Located:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 (safe loader)
    except OSError as error:
        raise RequirementSetInvalid(path, None, f"cannot be read: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise RequirementSetInvalid(path, None, "is not UTF-8 text") from error
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise RequirementSetInvalid(path, line, f"does not parse: {error.problem}") from error
    if not isinstance(data, Located):
        raise RequirementSetInvalid(path, 1, "must be a mapping")
    return data


@dataclass(frozen=True)
class Text:
    ja: str
    en: str

    def text(self, locale: str) -> str:
        return self.en if locale == "en" else self.ja


@dataclass(frozen=True)
class Column:
    """One column (データ項目) of a table: the Table Schema field and our extensions."""

    name: str
    title: Text
    type: str
    required: bool = False
    unique: bool = False
    min_length: int | None = None
    max_length: int | None = None
    pattern: re.Pattern[str] | None = None
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    code_list: str | None = None
    charset: str | None = None
    text_format: str | None = None  # x-format: wareki
    check: str | None = None
    level: str = "MUST"
    personal: bool = False
    equals_date: str | None = None
    description: str = ""


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    table: str
    reference: tuple[str, ...]


@dataclass(frozen=True)
class TableRequirement:
    name: str
    title: Text
    schema_path: Path
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    missing_values: tuple[str, ...] = ("",)
    strict_order: bool = False

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class Rule:
    """A rule Table Schema cannot express (our extension, docs/conformance.md)."""

    id: str
    kind: str
    level: str
    title: Text
    table: str
    left: str = ""
    operator: str = ""
    right: str = ""
    field: str = ""
    when_field: str = ""
    when_in: tuple[str, ...] = ()
    key: str = ""
    for_each: str = ""
    equals: int = 0


@dataclass(frozen=True)
class CodeList:
    name: str
    path: Path
    labels: dict[str, Text]


@dataclass(frozen=True)
class LinkageApi:
    id: str
    title: Text
    path: Path
    document: dict[str, Any]


@dataclass(frozen=True)
class FileLayout:
    id: str
    title: Text
    encoding: str
    delimiter: str
    table: TableRequirement


@dataclass(frozen=True)
class RequirementSet:
    id: str
    version: str
    title: Text
    directory: Path
    business_area: str
    sources: tuple[Text, ...]
    tables: tuple[TableRequirement, ...]
    code_lists: dict[str, CodeList]
    rules: tuple[Rule, ...]
    apis: tuple[LinkageApi, ...] = ()
    files: tuple[FileLayout, ...] = ()

    def table(self, name: str) -> TableRequirement | None:
        return next((t for t in self.tables if t.name == name), None)

    @property
    def key(self) -> str:
        return f"{self.id}/{self.version}"


class _Reader:
    """Checks one file's mappings, raising with the line of the offending key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: Located, key: str | None, message: str) -> RequirementSetInvalid:
        return RequirementSetInvalid(self.path, where.line_of(key) if key else where.line, message)

    def keys(self, where: Located, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> None:
        for key in where:
            if key not in allowed:
                raise self.fail(where, key, f"unknown property {key!r} (allowed: {', '.join(allowed)})")
        for key in required:
            if key not in where:
                raise self.fail(where, None, f"missing property {key!r}")

    def text(self, where: Located, key: str) -> Text:
        value = where.get(key)
        if isinstance(value, dict) and isinstance(value.get("ja"), str) and isinstance(value.get("en"), str):
            return Text(value["ja"], value["en"])
        raise self.fail(where, key, f"{key!r} must be a mapping with 'ja' and 'en' texts")

    def string(self, where: Located, key: str) -> str:
        value = where.get(key)
        if not isinstance(value, str) or not value:
            raise self.fail(where, key, f"{key!r} must be a non-empty text")
        return value

    def names(self, where: Located, key: str) -> tuple[str, ...]:
        value = where.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(where, key, f"{key!r} must be a list of names")
        return tuple(value)

    def mappings(self, where: Located, key: str) -> list[Located]:
        value = where.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Located) for v in value):
            raise self.fail(where, key, f"{key!r} must be a list of mappings")
        return list(value)


def _inside(directory: Path, relative: str, reader: _Reader, where: Located, key: str) -> Path:
    path = (directory / relative).resolve()
    if not path.is_relative_to(directory.resolve()) or not path.is_file():
        raise reader.fail(where, key, f"file {relative!r} does not exist in the requirement set")
    return path


def _pattern(reader: _Reader, where: Located, text: object) -> re.Pattern[str]:
    if not isinstance(text, str):
        raise reader.fail(where, "pattern", "pattern must be a text")
    try:
        return re.compile(text)
    except re.error as error:
        raise reader.fail(where, "pattern", f"pattern does not compile: {error}") from error


def _number(reader: _Reader, where: Located, key: str) -> float | None:
    value = where.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise reader.fail(where, key, f"{key!r} must be a number")
    return float(value)


def _column(reader: _Reader, spec: Located, code_lists: dict[str, CodeList]) -> Column:
    reader.keys(spec, FIELD_KEYS, ("name", "type"))
    kind = spec["type"]
    if kind not in TYPES:
        raise reader.fail(spec, "type", f"unknown type {kind!r} (known: {', '.join(TYPES)})")
    constraints = spec.get("constraints") or Located()
    if not isinstance(constraints, Located):
        raise reader.fail(spec, "constraints", "constraints must be a mapping")
    reader.keys(constraints, CONSTRAINTS)
    choices = {
        "x-code-list": tuple(code_lists),
        "x-charset": CHARSETS,
        "x-format": FORMATS,
        "x-check": CHECKS,
        "x-level": LEVELS,
    }
    for key, allowed in choices.items():
        if key in spec and spec[key] not in allowed:
            raise reader.fail(
                spec, key, f"unknown {key} {spec[key]!r} (known: {', '.join(allowed) or 'none'})"
            )
    enum = constraints.get("enum")
    if enum is not None and not isinstance(enum, list):
        raise reader.fail(constraints, "enum", "enum must be a list")
    title = str(spec.get("title") or spec["name"])
    return Column(
        name=reader.string(spec, "name"),
        title=Text(title, str(spec.get("x-title-en") or spec["name"])),
        type=kind,
        required=bool(constraints.get("required", False)),
        unique=bool(constraints.get("unique", False)),
        min_length=_int(reader, constraints, "minLength"),
        max_length=_int(reader, constraints, "maxLength"),
        pattern=_pattern(reader, constraints, constraints["pattern"]) if "pattern" in constraints else None,
        enum=tuple(str(v) for v in enum) if enum is not None else None,
        minimum=_number(reader, constraints, "minimum"),
        maximum=_number(reader, constraints, "maximum"),
        code_list=spec.get("x-code-list"),
        charset=spec.get("x-charset"),
        text_format=spec.get("x-format"),
        check=spec.get("x-check"),
        level=spec.get("x-level", "MUST"),
        personal=bool(spec.get("x-personal")),
        equals_date=spec.get("x-equals-date"),
        description=str(spec.get("description", "")),
    )


def _int(reader: _Reader, where: Located, key: str) -> int | None:
    value = _number(reader, where, key)
    return int(value) if value is not None else None


def _table_schema(path: Path, name: str, title: Text, code_lists: dict[str, CodeList]) -> TableRequirement:
    reader = _Reader(path)
    spec = read_yaml(path)
    reader.keys(spec, SCHEMA_KEYS, ("fields",))
    columns = tuple(_column(reader, f, code_lists) for f in reader.mappings(spec, "fields"))
    if not columns:
        raise reader.fail(spec, "fields", "a table needs at least one field")
    names = [c.name for c in columns]
    for twice in sorted({n for n in names if names.count(n) > 1}):
        raise reader.fail(spec, "fields", f"field {twice!r} appears twice")
    for column in columns:
        if column.equals_date and (
            column.equals_date not in names
            or next(c for c in columns if c.name == column.equals_date).type != "date"
        ):
            raise reader.fail(spec, "fields", f"x-equals-date of {column.name!r} must name a date field")
    primary_key = spec.get("primaryKey", [])
    primary_key = [primary_key] if isinstance(primary_key, str) else primary_key
    for key in primary_key:
        if key not in names:
            raise reader.fail(spec, "primaryKey", f"primary key field {key!r} is not a field of the table")
    foreign_keys: list[ForeignKey] = []
    for fk in reader.mappings(spec, "foreignKeys"):
        reference = fk.get("reference")
        if not isinstance(reference, Located):
            raise reader.fail(fk, "reference", "a foreign key needs a reference mapping")
        fields, referenced = reader.names(fk, "fields"), reader.names(reference, "fields")
        for key in fields:
            if key not in names:
                raise reader.fail(fk, "fields", f"foreign key field {key!r} is not a field of the table")
        if len(fields) != len(referenced) or not fields:
            raise reader.fail(reference, "fields", "a foreign key names as many fields as it references")
        foreign_keys.append(ForeignKey(fields, reader.string(reference, "resource"), referenced))
    missing = spec.get("missingValues", [""])
    return TableRequirement(
        name,
        title,
        path,
        columns,
        tuple(primary_key),
        tuple(foreign_keys),
        tuple(str(m) for m in missing),
        spec.get("x-column-order") == "strict",
    )


def _code_list(path: Path, name: str) -> CodeList:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise RequirementSetInvalid(path, None, f"cannot be read as UTF-8 CSV: {error}") from error
    labels: dict[str, Text] = {}
    for line, row in enumerate(rows, start=2):
        code = row.get("code")
        if not code or not row.get("label_ja"):
            raise RequirementSetInvalid(path, line, "each code needs 'code' and 'label_ja'")
        if code in labels:
            raise RequirementSetInvalid(path, line, f"code {code!r} appears twice")
        labels[code] = Text(row["label_ja"], row.get("label_en") or row["label_ja"])
    if not labels:
        raise RequirementSetInvalid(path, 1, "a code list needs at least one code")
    return CodeList(name, path, labels)


def _openapi(path: Path) -> dict[str, Any]:
    document = read_yaml(path)
    version = str(document.get("openapi", ""))
    if not version.startswith("3.1"):
        raise RequirementSetInvalid(
            path, document.line_of("openapi"), f"not an OpenAPI 3.1 document ({version!r})"
        )
    for key in ("info", "paths"):
        if not isinstance(document.get(key), dict):
            raise RequirementSetInvalid(path, document.line, f"an OpenAPI document needs '{key}'")
    return dict(document)


def _rule(reader: _Reader, spec: Located, tables: dict[str, TableRequirement]) -> Rule:
    reader.keys(
        spec,
        (
            "id",
            "level",
            "kind",
            "table",
            "title",
            "left",
            "operator",
            "right",
            "field",
            "when",
            "key",
            "where",
            "for_each",
            "equals",
        ),
        ("id", "kind", "table", "title"),
    )
    kind, table_name = spec["kind"], spec["table"]
    if kind not in RULE_KINDS:
        raise reader.fail(spec, "kind", f"unknown rule kind {kind!r} (known: {', '.join(RULE_KINDS)})")
    level = spec.get("level", "MUST")
    if level not in LEVELS:
        raise reader.fail(spec, "level", f"unknown level {level!r} (known: MUST, SHOULD)")
    table = tables.get(table_name)
    if table is None:
        raise reader.fail(spec, "table", f"rule names unknown table {table_name!r}")

    def column(key: str, where: Located = spec) -> str:
        name = reader.string(where, key)
        if table.column(name) is None:
            raise reader.fail(where, key, f"{name!r} is not a field of table {table_name!r}")
        return name

    base = {
        "id": reader.string(spec, "id"),
        "kind": kind,
        "level": level,
        "title": reader.text(spec, "title"),
        "table": table_name,
    }
    if kind == "compare":
        if spec.get("operator") not in OPERATORS:
            raise reader.fail(spec, "operator", f"operator must be one of {' '.join(OPERATORS)}")
        return Rule(**base, left=column("left"), operator=spec["operator"], right=column("right"))
    condition = spec.get("when" if kind == "required-if" else "where")
    if not isinstance(condition, Located):
        raise reader.fail(spec, None, "the rule needs a condition mapping ('when' or 'where')")
    when_field, when_in = column("field", condition), reader.names(condition, "in")
    if kind == "required-if":
        return Rule(**base, field=column("field"), when_field=when_field, when_in=when_in)
    for_each = reader.string(spec, "for_each")
    if for_each not in tables:
        raise reader.fail(spec, "for_each", f"rule names unknown table {for_each!r}")
    if not tables[for_each].primary_key:
        raise reader.fail(spec, "for_each", f"table {for_each!r} needs a primary key to count per key")
    equals = spec.get("equals")
    if not isinstance(equals, int) or equals < 0:
        raise reader.fail(spec, "equals", "equals must be a whole number")
    return Rule(
        **base, key=column("key"), when_field=when_field, when_in=when_in, for_each=for_each, equals=equals
    )


def load(directory: Path) -> RequirementSet:
    """Read and check a requirement set folder; the first problem stops the load (file and line)."""
    path = directory / "requirement-set.yaml"
    reader = _Reader(path)
    spec = read_yaml(path)
    reader.keys(
        spec,
        ("id", "version", "title", "business_area", "sources", "tables", "code_lists", "rules", "linkage"),
        ("id", "version", "title", "tables"),
    )
    lists = spec.get("code_lists") or Located()
    code_lists = {
        name: _code_list(_inside(directory, str(rel), reader, lists, name), name)
        for name, rel in lists.items()
    }
    tables: dict[str, TableRequirement] = {}
    for entry in reader.mappings(spec, "tables"):
        reader.keys(entry, ("name", "title", "schema"), ("name", "title", "schema"))
        name = reader.string(entry, "name")
        if name in tables:
            raise reader.fail(entry, "name", f"table {name!r} appears twice")
        schema = _inside(directory, reader.string(entry, "schema"), reader, entry, "schema")
        tables[name] = _table_schema(schema, name, reader.text(entry, "title"), code_lists)
    for table in tables.values():
        for fk in table.foreign_keys:
            target = tables.get(fk.table)
            if target is None:
                raise RequirementSetInvalid(
                    table.schema_path, None, f"foreign key to missing table {fk.table!r}"
                )
            for name in fk.reference:
                if target.column(name) is None:
                    raise RequirementSetInvalid(
                        table.schema_path, None, f"foreign key to missing field {fk.table}.{name}"
                    )
    rules = tuple(_rule(reader, r, tables) for r in reader.mappings(spec, "rules"))
    ids = [r.id for r in rules]
    for twice in sorted({i for i in ids if ids.count(i) > 1}):
        raise reader.fail(spec, "rules", f"rule id {twice!r} appears twice")
    apis, files = _linkage(directory, reader, spec.get("linkage") or Located(), code_lists)
    return RequirementSet(
        id=reader.string(spec, "id"),
        version=str(spec["version"]),
        title=reader.text(spec, "title"),
        directory=directory,
        business_area=str(spec.get("business_area", "")),
        sources=tuple(Text(s["ja"], s["en"]) for s in reader.mappings(spec, "sources")),
        tables=tuple(tables.values()),
        code_lists=code_lists,
        rules=rules,
        apis=apis,
        files=files,
    )


def _linkage(
    directory: Path, reader: _Reader, spec: Located, code_lists: dict[str, CodeList]
) -> tuple[tuple[LinkageApi, ...], tuple[FileLayout, ...]]:
    if not isinstance(spec, Located):
        raise reader.fail(spec, None, "linkage must be a mapping")
    reader.keys(spec, ("apis", "files"))
    apis = []
    for entry in reader.mappings(spec, "apis"):
        reader.keys(entry, ("id", "title", "openapi"), ("id", "title", "openapi"))
        path = _inside(directory, reader.string(entry, "openapi"), reader, entry, "openapi")
        apis.append(LinkageApi(reader.string(entry, "id"), reader.text(entry, "title"), path, _openapi(path)))
    files = []
    for entry in reader.mappings(spec, "files"):
        reader.keys(
            entry,
            ("id", "title", "encoding", "delimiter", "header", "line_terminator", "schema"),
            ("id", "title", "encoding", "schema"),
        )
        if entry["encoding"] not in ENCODINGS:
            raise reader.fail(
                entry, "encoding", f"unknown encoding {entry['encoding']!r} (known: {', '.join(ENCODINGS)})"
            )
        title = reader.text(entry, "title")
        schema = _inside(directory, reader.string(entry, "schema"), reader, entry, "schema")
        files.append(
            FileLayout(
                reader.string(entry, "id"),
                title,
                entry["encoding"],
                str(entry.get("delimiter", ",")),
                _table_schema(schema, reader.string(entry, "id"), title, code_lists),
            )
        )
    return tuple(apis), tuple(files)


def shipped() -> list[Path]:
    """The requirement sets shipped with Tsunagu (one folder per id and version)."""
    return sorted(p.parent for p in REQUIREMENTS_DIR.glob("*/*/requirement-set.yaml"))


@lru_cache(maxsize=16)
def load_shipped(set_id: str, version: str) -> RequirementSet:
    return load(REQUIREMENTS_DIR / set_id / version)
