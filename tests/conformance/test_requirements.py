"""Requirement sets: the shipped one is valid; a broken one is refused with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tsunagu.conformance import requirements

SHIPPED = requirements.REQUIREMENTS_DIR / "juminkiroku" / "1.0"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "juminkiroku"
    shutil.copytree(SHIPPED, target)
    return target


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1  # the line of the edit


def test_the_shipped_set_is_valid_and_complete() -> None:
    found = requirements.load(SHIPPED)
    assert [t.name for t in found.tables] == ["persons", "households", "addresses", "changes"]
    assert found.table("persons") is not None and found.table("persons").primary_key == ("person_id",)
    assert {a.id for a in found.apis} == {"resident-registry"} and found.files[0].encoding == "cp932"
    assert {c.name for c in found.code_lists.values()} == {
        "sex",
        "relationship",
        "resident-status",
        "change-reason",
    }


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("tables/persons.schema.yaml", "type: date", "type: datetime-ish", "unknown type 'datetime-ish'"),
        (
            "tables/persons.schema.yaml",
            "x-code-list: sex",
            "x-code-list: gender",
            "unknown x-code-list 'gender'",
        ),
        ("tables/persons.schema.yaml", "maxLength: 32}", "maxLen: 32}", "unknown property 'maxLen'"),
        (
            "tables/persons.schema.yaml",
            'pattern: "[0-9a-f]{32}"',
            'pattern: "[0-9a-f"',
            "pattern does not compile",
        ),
        (
            "requirement-set.yaml",
            "left: status_date",
            "left: left_on",
            "'left_on' is not a field of table 'persons'",
        ),
        ("requirement-set.yaml", "kind: compare", "kind: regex", "unknown rule kind 'regex'"),
        (
            "requirement-set.yaml",
            "schema: tables/changes.schema.yaml",
            "schema: tables/nothing.yaml",
            "file 'tables/nothing.yaml' does not exist",
        ),
        ("requirement-set.yaml", "encoding: cp932", "encoding: ebcdic", "unknown encoding 'ebcdic'"),
    ],
)
def test_a_broken_set_is_refused_with_file_and_line(
    copy: Path, file: str, old: str, new: str, message: str
) -> None:
    line = _edit(copy / file, old, new)
    with pytest.raises(requirements.RequirementSetInvalid) as refused:
        requirements.load(copy)
    assert refused.value.path.name == Path(file).name and refused.value.line == line
    assert message in str(refused.value) and f"{Path(file).name}:{line}:" in str(refused.value)


def test_a_foreign_key_to_a_missing_table_and_an_openapi_that_does_not_parse(copy: Path) -> None:
    _edit(copy / "tables/changes.schema.yaml", "resource: persons", "resource: people")
    with pytest.raises(requirements.RequirementSetInvalid, match="foreign key to missing table 'people'"):
        requirements.load(copy)
    _edit(copy / "tables/changes.schema.yaml", "resource: people", "resource: persons")
    line = _edit(copy / "linkage/resident-registry.openapi.yaml", "paths:\n", "paths: [\n")
    with pytest.raises(requirements.RequirementSetInvalid, match="does not parse") as refused:
        requirements.load(copy)
    assert refused.value.line is not None and refused.value.line >= line
    (copy / "linkage/resident-registry.openapi.yaml").write_text("openapi: 3.0.3\ninfo: {}\npaths: {}\n")
    with pytest.raises(requirements.RequirementSetInvalid, match=r"not an OpenAPI 3\.1 document") as refused:
        requirements.load(copy)
    assert refused.value.line == 1
