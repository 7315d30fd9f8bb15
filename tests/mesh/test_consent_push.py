"""Consent-kind 事務: a private subscriber hears of a person's change only with that person's consent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.mesh.conftest import CHIYODA, TOWN_ID, World

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.mesh import errors
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node import service as node
from tsunagu.mesh.push import registry_events
from tsunagu.mesh.push import service as push
from tsunagu.registry.residents import service as residents

POWER = "tsunagu-power"


def _consent(database: Database, world: World, days: int = 30) -> str:
    with database.session() as db:
        consent = directory.grant_consent(
            db,
            subscriber=POWER,
            resident_id=world.resident_id,
            scope="moving",
            expires_at=clock.now() + timedelta(days=days),
            source="test",
        )
    return consent.subject_code


def _move_within_the_city(database: Database, world: World) -> int:
    """A 転居 in the registry, pumped and delivered; returns how many notifications were delivered."""
    with database.session() as db:
        residents.change_address(
            db,
            world.resident_id,
            residents.Residence(town_id=TOWN_ID + 1, banchi="5"),
            effective_date=clock.now().date() - timedelta(days=1),
            actor="test",
        )
    assert registry_events.pump(database, world.nodes.context) == 1
    return push.deliver_due(world.node(CHIYODA)).delivered


def _received_by(database: Database, code: str) -> list[str]:
    with database.session() as db:
        return [r.kind for r in push.received(db, code)]


def test_without_consent_the_private_subscriber_receives_nothing(database: Database, world: World) -> None:
    assert _move_within_the_city(database, world) == 1
    assert _received_by(database, "jpn-pension") == ["address_changed"]  # a law basis needs no consent
    assert _received_by(database, POWER) == []


def test_with_consent_it_receives_only_the_address_and_the_person_sees_why(
    client: TestClient, database: Database, world: World
) -> None:
    power_code = _consent(database, world)
    assert _move_within_the_city(database, world) == 2
    with database.session() as db:
        [notice] = push.received(db, POWER)
    assert notice.subject_code == power_code and set(notice.payload) == {"address", "effective_date"}
    login_as(client, database, Principal(kind="resident", subject_id=world.resident_id))
    history = {i["requester"]["code"]: i for i in client.get("/api/v1/mesh/history").json()["items"]}
    assert (history[POWER]["law_ja"], history[POWER]["basis_kind"]) == ("同意に基づく提供", "consent")
    assert history["jpn-pension"]["basis_kind"] == "law"
    assert "同意に基づく提供" in client.get("/mesh/history").text


def test_an_expired_consent_no_longer_counts(
    database: Database, world: World, fixed_clock: clock.FixedClock
) -> None:
    _consent(database, world, days=1)
    fixed_clock.advance(timedelta(days=2))
    assert _move_within_the_city(database, world) == 1
    assert _received_by(database, POWER) == []


def test_a_query_under_a_consent_basis_needs_the_consent(database: Database, world: World) -> None:
    with database.session() as db:
        code = codes.issue_for_resident(db, POWER, world.resident_id)
    ask = wire.LocalQuery(
        provider=CHIYODA,
        service="resident-basic",
        purpose=f"denki-tenkyo-{CHIYODA}",
        subject=code,
        items=["address"],
    )
    with pytest.raises(errors.NoLegalBasis):
        node.query(world.node(POWER), ask)
    _consent(database, world)
    assert set(node.query(world.node(POWER), ask).data) == {"address"}


def test_a_moving_notice_goes_only_to_consented_subscribers(database: Database, world: World) -> None:
    city = world.node(CHIYODA)
    notice = {"address": {"text": "神奈川県横須賀市小川町1-1"}, "effective_date": "2026-12-01"}
    assert push.publish(city, "moving_notice", world.resident_id, notice) == 0
    _consent(database, world)
    assert push.publish(city, "moving_notice", world.resident_id, notice) == 1
    assert push.deliver_due(city).delivered == 1
    assert _received_by(database, POWER) == ["moving_notice"]
