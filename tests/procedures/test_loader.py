"""The checker: shipped files pass; every kind of error is reported with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.procedures.conftest import VALID
from typer.testing import CliRunner

from tsunagu.cli.main import app
from tsunagu.procedures import loader
from tsunagu.procedures.loader import SHIPPED_DIR


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def _replace_line(text: str, line: int, new: str) -> str:
    lines = text.splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


def test_shipped_definitions_are_valid() -> None:
    result = loader.load_directory(loader.SHIPPED_DIR)
    assert result.problems == ()
    assert {
        "tenshutsu",
        "tennyu-yoyaku",
        "jido-teate-nintei",
        "juminhyo-utsushi",
        "nyusatsu-sanka-shikaku",
    } <= set(result.procedures)
    assert result.procedures["juminhyo-utsushi"].fee is not None
    assert result.procedures["juminhyo-utsushi"].fee.amount_yen == 300


def test_the_sample_is_valid(tmp_path: Path) -> None:
    result = loader.load_file(_write(tmp_path, "sample.yaml", VALID))
    assert result.problems == () and result.procedure is not None
    assert len(result.procedure.revision) == 64


BROKEN = [
    # (line to replace, replacement, expected line, words in the message)
    (1, "id: Not A Slug", 1, "does not match"),
    (7, "responsible: {rule: fixed}", 7, "'organization' is a required property"),
    (8, "applicants: [resident, alien]", 8, "'alien' is not one of"),
    (13, "      - {attribute: status, op: like, value: resident}", 13, "'like' is not one of"),
    (14, "      - {attribute: shoe_size, op: gte, value: 18}", 14, "unknown applicant attribute"),
    (14, "      - {attribute: age, op: gte, value: eighteen}", 14, "'age' is int"),
    (14, "      - {attribute: status, op: gte, value: resident}", 14, "cannot order"),
    (17, "    type: person_nam", 17, "is not one of"),
    (20, "    type: choice", 19, "'options' is a required property"),
    (21, "    colour: red", 21, "unknown key 'colour'"),
    (
        24,
        "  - {service: residents.basic4, item: name, item_type: person_name, field: nobody}",
        24,
        "field 'nobody' is not declared",
    ),
    (
        24,
        "  - {service: residents.basic4, item: name, item_type: date, field: applicant_name}",
        24,
        "is date but field 'applicant_name' is person_name",
    ),
    (26, "  - {id: review, name: {ja: 審査, en: Review}, role: 部長}", 26, "unknown staff role"),
    (27, "processing_days: -1", 27, "less than the minimum"),
    (28, "life_events: [moving, partying]", 28, "unknown life event 'partying'"),
    (31, '  body: {ja: "{applicant_nam} 様", en: "Dear {applicant_name}"}', 31, "unknown placeholder"),
    (29, "notice: [oops", 29, "not valid YAML"),
    (4, "name: {ja: 二重, en: Twice}", 4, "duplicate key 'name'"),
]


@pytest.mark.parametrize(("line", "replacement", "expected_line", "words"), BROKEN)
def test_each_error_is_reported_at_its_line(
    tmp_path: Path, line: int, replacement: str, expected_line: int, words: str
) -> None:
    path = _write(tmp_path, "broken.yaml", _replace_line(VALID, line, replacement))
    result = loader.load_file(path)
    assert result.procedure is None
    located = [(p.path, p.line) for p in result.problems if words in p.message]
    assert (path, expected_line) in located, [str(p) for p in result.problems]


def test_every_error_of_a_file_is_reported(tmp_path: Path) -> None:
    text = _replace_line(VALID, 26, "  - {id: review, name: {ja: 審査, en: Review}, role: 部長}")
    text = _replace_line(text, 28, "life_events: [partying]")
    text = _replace_line(text, 24, "  - {service: residents.basic4, item: name, item_type: text, field: x}")
    result = loader.load_file(_write(tmp_path, "many.yaml", text))
    assert sorted(p.line for p in result.problems) == [24, 26, 28]


def test_duplicate_ids_across_files_refuse_the_later_file(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", VALID)
    _write(tmp_path, "b.yaml", VALID)
    result = loader.load_directory(tmp_path)
    assert list(result.procedures) == ["sample"]
    assert [(p.path.name, p.line) for p in result.problems] == [("b.yaml", 1)]
    assert "already used by a.yaml" in result.problems[0].message


def test_check_command_prints_file_and_line_and_exits_1(tmp_path: Path) -> None:
    _write(tmp_path, "good.yaml", VALID)
    _write(
        tmp_path,
        "bad.yaml",
        _replace_line(VALID.replace("id: sample", "id: other"), 28, "life_events: [partying]"),
    )
    result = CliRunner().invoke(app, ["procedures", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{tmp_path / 'bad.yaml'}:28: unknown life event 'partying'" in result.output.replace("\n", "")


def test_check_command_accepts_the_shipped_files() -> None:
    result = CliRunner().invoke(app, ["procedures", "check"])
    assert result.exit_code == 0, result.output
    shipped = len(list(SHIPPED_DIR.glob("*.yaml")))
    assert shipped >= 10 and f"{shipped} procedure(s) valid" in result.output
