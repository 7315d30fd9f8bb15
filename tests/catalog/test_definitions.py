"""Dataset metadata lives in YAML files checked at load: the shipped ones pass, a broken one is
refused with a message that names the file and the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tsunagu.catalog import definitions
from tsunagu.catalog.definitions import CatalogDefinitionInvalid


def test_the_shipped_catalog_describes_the_base_registries() -> None:
    catalog = definitions.load()
    ids = {d.id for d in catalog.datasets}
    assert {"addresses", "corporations", "residents", "procedures", "mesh-services"} <= ids
    residents = catalog.dataset("residents")
    assert residents is not None and residents.access == "restricted" and not residents.distributions
    for dataset in catalog.datasets:
        assert dataset.title.ja and dataset.title.en and dataset.legal_basis and dataset.contact.email


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "definitions"
    shutil.copytree(definitions.DEFINITIONS_DIR, target)
    return target


def _edit(directory: Path, name: str, **changes: object) -> None:
    path = directory / "datasets" / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"license": "cc-by-9.9"}, "unknown license 'cc-by-9.9'"),
        ({"themes": ["REGI", "SPACE"]}, "unknown theme 'SPACE'"),
        ({"publisher": "nobody"}, "unknown publisher 'nobody'"),
        ({"frequency": "HOURLY"}, "unknown frequency 'HOURLY'"),
        ({"title": None}, "title: Field required"),
        ({"legal_basis": []}, "legal_basis"),
        ({"access": "restricted"}, "a restricted dataset has a closed license"),
        ({"record_counts": ["stars"]}, "unknown record count 'stars'"),
        (
            {
                "distributions": [
                    {"id": "x", "title": {"ja": "表", "en": "T"}, "format": "CSV", "table": "stars"}
                ]
            },
            "unknown table 'stars'",
        ),
        (
            {
                "distributions": [
                    {"id": "x", "title": {"ja": "表", "en": "T"}, "format": "API", "url": "/a"},
                    {"id": "x", "title": {"ja": "表", "en": "T"}, "format": "API", "url": "/b"},
                ]
            },
            "distribution id 'x' appears twice",
        ),
        ({"distributions": []}, "an open dataset needs at least one distribution"),
        (
            {
                "distributions": [
                    {
                        "id": "x",
                        "title": {"ja": "表", "en": "T"},
                        "format": "JSON-LD",
                        "table": "address-towns",
                    }
                ]
            },
            "table 'address-towns' has no JSON-LD form",
        ),
        (
            {
                "distributions": [
                    {"id": "x", "title": {"ja": "表", "en": "T"}, "format": "API", "table": "address-towns"}
                ]
            },
            "a table is published as CSV or JSON-LD, not API",
        ),
        ({"colour": "blue"}, "colour: Extra inputs are not permitted"),
    ],
)
def test_a_broken_dataset_file_is_refused_with_its_reason(
    tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    directory = _copy(tmp_path)
    _edit(directory, "addresses", **changes)
    with pytest.raises(CatalogDefinitionInvalid) as refused:
        definitions.load(directory)
    assert "addresses.yaml" in refused.value.detail
    assert message in refused.value.detail


def test_two_datasets_with_one_id_are_refused(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    shutil.copy(directory / "datasets" / "addresses.yaml", directory / "datasets" / "zz-copy.yaml")
    with pytest.raises(CatalogDefinitionInvalid, match="dataset id 'addresses' appears twice"):
        definitions.load(directory)


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    (directory / "datasets" / "broken.yaml").write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogDefinitionInvalid, match=r"broken\.yaml: cannot be read as YAML"):
        definitions.load(directory)
