"""Corporations (test data of the corporate registry, with one 登記 extract) and the synthetic
subsidy and procurement records of ./data, loaded the documented way."""

from __future__ import annotations

from pathlib import Path

import pytest

from tsunagu.core.database import Database
from tsunagu.procedures.corpinfo import service
from tsunagu.registry.corporations import service as corporations

REGISTRY = Path(__file__).parents[2] / "registry" / "corporations" / "data"
DATA = Path(__file__).parent / "data"
COMPANY, CLOSED, UNKNOWN = "6010001000001", "7010001000009", "9999999999999"


@pytest.fixture
def loaded(database: Database) -> Database:
    with database.session() as db:
        corporations.import_file(db, REGISTRY / "full_13_tokyo.csv")
        corporations.import_file(db, REGISTRY / "diff_20261120.csv")  # closes あおば製作所
        corporations.import_commercial_file(db, REGISTRY / "commercial_extract.csv")
        service.import_file(db, "subsidies", DATA / "subsidies.csv")
        service.import_file(db, "procurements", DATA / "procurements.csv")
    return database


def issue(database: Database, per_minute: int, per_day: int) -> str:
    with database.session() as db:
        return service.issue_key(
            db,
            name="テスト用クライアント",
            contact="api@example.jp",
            issued_by="test",
            per_minute=per_minute,
            per_day=per_day,
        ).key


@pytest.fixture
def key(loaded: Database) -> str:
    return issue(loaded, 1000, 10_000)
