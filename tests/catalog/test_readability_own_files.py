"""Our own open-data files checked by our machine-readability checker: the files the catalog
publishes (from the real address sample, the resident statistics, the procedure catalogue) must
meet every rule the checker can judge on a CSV — the issue promises they follow the Digital
Agency's rule for machine-readable data."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tsunagu.catalog.readability.checker import check_file
from tsunagu.core.database import Database

FILES = [
    ("addresses", "municipalities.csv"),
    ("addresses", "towns.csv"),
    ("procedures", "procedures.csv"),
    ("population", "population.csv"),
]


@pytest.mark.parametrize(("dataset", "name"), FILES)
def test_the_files_we_publish_meet_the_rules(
    client: TestClient, loaded: Database, dataset: str, name: str
) -> None:
    answer = client.get(f"/api/v1/catalog/datasets/{dataset}/files/{name}")
    assert answer.status_code == 200
    report = check_file(name, answer.content)
    found = [(v.rule.id, v.cell, v.found) for v in report.violations]
    assert found == [], found
    assert report.scores == {1: 100, 2: 100, 3: 100}
