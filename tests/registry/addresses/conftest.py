"""Address registry fixtures: a small real subset in the database, and indexes without one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.registry.addresses import loader, service
from tsunagu.registry.addresses.normalizer import build
from tsunagu.registry.addresses.normalizer.index import AddressIndex

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "towns_sample.csv.gz"  # 千代田区, 横須賀市, 札幌市中央区, 府中市 (x2), 中央区, …


@pytest.fixture
def loaded(database: Database) -> Database:
    with database.session() as db:
        service.load(db, SilentProgress(), towns_file=SAMPLE)
    return database


@pytest.fixture(scope="session")
def sample_plan() -> loader.Plan:
    return loader.plan(loader.read_towns(SAMPLE), loader.postal_index())


@pytest.fixture(scope="session")
def sample_index(sample_plan: loader.Plan) -> AddressIndex:
    return build.from_plan(sample_plan)


@pytest.fixture(scope="session")
def national_index() -> AddressIndex:
    """Every town in Japan (about 10 s, shared with the fresh-install fallback): accuracy must hold
    against all the look-alikes."""
    return service.shipped_normalizer()
