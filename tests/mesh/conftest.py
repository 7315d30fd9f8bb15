"""Fixtures of the mesh tests: the demo directory embedded in the app, with one real resident."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.settings import Settings, get_settings
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.mesh import demo
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.node.context import NodeContext
from tsunagu.mesh.node.embedded import EmbeddedNodes, endpoint_of
from tsunagu.migrations.schema import metadata
from tsunagu.registry.residents import service as residents

CHIYODA = "131016"
TOWN_ID = 1001


@dataclass(frozen=True)
class World:
    resident_id: str
    nodes: EmbeddedNodes

    def node(self, code: str) -> NodeContext:
        ctx = self.nodes.context(code)
        assert ctx is not None
        return ctx


def _insert_town(database: Database) -> None:
    tables = metadata.tables
    with database.engine.begin() as connection:
        connection.execute(tables["addresses_prefectures"].insert(), [{"code": "13", "name": "東京都"}])
        connection.execute(
            tables["addresses_municipalities"].insert(),
            [{"code": CHIYODA, "prefecture_code": "13", "name": "千代田区", "designated_city_code": None}],
        )
        connection.execute(
            tables["addresses_towns"].insert(),
            [
                {
                    "id": TOWN_ID,
                    "municipality_code": CHIYODA,
                    "town": "飯田橋三丁目",
                    "koaza": "",
                    "lat": 35.7,
                    "lng": 139.7,
                },
                {
                    "id": TOWN_ID + 1,
                    "municipality_code": CHIYODA,
                    "town": "一番町",
                    "koaza": "",
                    "lat": 35.69,
                    "lng": 139.74,
                },
            ],
        )


@pytest.fixture(autouse=True)
def _anchoring_settled() -> Iterator[None]:
    """A checkpoint's anchoring runs in the background: let it finish before the next test empties
    the tables (else a late anchor of this test's log would land in the next test's directory)."""
    yield
    message_log.anchoring_settled()


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TSUNAGU_SECRET_KEY", "mesh-test-secret-not-for-production")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def world(app: FastAPI, database: Database, settings: Settings, fixed_clock: clock.FixedClock) -> World:
    """A resident of 千代田区 with codes at the city, the pension office and the tax office."""
    _insert_town(database)
    with database.session() as db:
        resident = residents.register_move_in(
            db,
            CHIYODA,
            residents.NewResident(
                name=PersonName("佐藤", "花子", "さとう", "はなこ"),
                birth_date=date(1950, 4, 1),
                sex="2",
                individual_number=IndividualNumber("123456789018"),
            ),
            residents.Residence(town_id=TOWN_ID, banchi="1", go="2"),
            moved_in_on=date(2020, 4, 1),
            actor="test",
        )
        residents.mark_delivered(db, [e.event_id for e in residents.pending_events(db)])
        demo.register(db, settings.resolved_secret_key(), lambda code: endpoint_of(settings.base_url, code))
        demo.seed_people(db, [(resident.id, CHIYODA, 1950)], seed=1)
    return World(resident.id, app.state.mesh_nodes)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def post_form(client: TestClient, page: str, action: str, form: dict[str, str]) -> httpx.Response:
    token = csrf_token(client.get(page).text)
    return client.post(action, data={**form, "csrf_token": token})
