"""docs/data-model.md is what the models make: regenerate it with `tsunagu db data-model --write`."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tsunagu.cli.main import app
from tsunagu.migrations import datamodel
from tsunagu.migrations.schema import metadata


def test_the_data_model_document_is_current() -> None:
    assert datamodel.DOCUMENT.read_text(encoding="utf-8") == datamodel.render(), (
        "docs/data-model.md is out of date: run `tsunagu db data-model --write`"
    )


def test_every_table_is_in_it_with_its_owner_and_branch() -> None:
    text = datamodel.render()
    for name in metadata.tables:
        assert f"### `{name}`" in text
    oidc_codes = text.split("### `identity_oidc_codes`", 1)[1].split("###", 1)[0]
    assert "migration branch `identity_oidc`" in oidc_codes
    assert "## `identity.oidc`" in text


def test_the_command_writes_it(tmp_path: Path) -> None:
    target = tmp_path / "data-model.md"
    result = CliRunner().invoke(app, ["db", "data-model", "--write", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == datamodel.render()
