"""Catalog fixtures: the address registry loaded from the small real sample the registry tests use."""

from __future__ import annotations

from pathlib import Path

import pytest

from tsunagu.catalog import service
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.registry.addresses import service as addresses

SAMPLE = Path(__file__).resolve().parents[1] / "registry" / "addresses" / "data" / "towns_sample.csv.gz"


@pytest.fixture
def database(database: Database) -> Database:
    """The empty database with the registries' datasets registered, as ``tsunagu seed`` does."""
    with database.session() as db:
        service.register_shipped(db)
    return database


@pytest.fixture
def loaded(database: Database) -> Database:
    with database.session() as db:
        addresses.load(db, SilentProgress(), towns_file=SAMPLE)
    return database
