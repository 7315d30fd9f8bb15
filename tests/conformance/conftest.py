"""Fixtures of the conformance tests: the shipped 住民記録 requirement set and a registry to export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.registry.residents.conftest import CHIYODA, insert_towns

from tsunagu.conformance import requirements
from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.core.settings import get_settings
from tsunagu.registry.residents.synthetic import service as synthetic

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def juminkiroku() -> requirements.RequirementSet:
    return requirements.load_shipped("juminkiroku", "1.0")


@pytest.fixture
def registry(
    database: Database, fixed_clock: clock.FixedClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """Synthetic residents of the two demo municipalities, as the demo seeds them."""
    monkeypatch.setenv("TSUNAGU_SECRET_KEY", "conformance-test-secret-not-for-production")
    get_settings.cache_clear()
    insert_towns(database)
    with database.session() as db:
        synthetic.seed(db, 300, 7, SilentProgress())
    yield database
    get_settings.cache_clear()


__all__ = ["CHIYODA"]
