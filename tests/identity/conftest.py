"""Identity fixtures: a platform CA in the test data dir, demo organizations, registered residents."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from tests.conftest import send_csrf_header
from tests.registry.residents.conftest import CHIYODA, YOKOSUKA, insert_towns, person

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.settings import Settings, get_settings
from tsunagu.identity.cards import ca, service
from tsunagu.identity.cards.virtualcard import VirtualCard
from tsunagu.identity.organizations import service as organizations
from tsunagu.registry.residents import service as residents

AUTH_PIN, SIGN_PIN = "1234", "SIGN2026"
FAST_KDF = 1_000  # the PIN key derivation is deliberately slow; tests need many cards


@pytest.fixture(autouse=True)
def _registry_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The resident registry derives its 個人番号 keys from the installation secret."""
    monkeypatch.setenv("TSUNAGU_SECRET_KEY", "identity-test-secret-not-for-production")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@dataclass(frozen=True)
class World:
    database: Database
    settings: Settings
    authority: ca.CertificateAuthority
    hanako: str  # resident of Chiyoda
    taro: str  # resident of Chiyoda, another household
    kenji: str  # resident of Yokosuka


@pytest.fixture
def world(database: Database, settings: Settings, fixed_clock: clock.FixedClock) -> World:
    insert_towns(database)
    authority = ca.init_ca(settings.data_dir)
    with database.session() as db:
        organizations.seed_demo_organizations(db)
        service.install_ca(db, authority)
        hanako = residents.register_move_in(
            db,
            CHIYODA,
            person("123456789018"),
            residents.Residence(1001, "3", "5"),
            moved_in_on=date(2020, 4, 1),
            actor="test",
        ).id
        taro = residents.register_move_in(
            db,
            CHIYODA,
            person("111222333446", name=("鈴木", "太郎", "すずき", "たろう"), sex="1"),
            residents.Residence(1002, "1"),
            moved_in_on=date(2021, 4, 1),
            actor="test",
        ).id
        kenji = residents.register_move_in(
            db,
            YOKOSUKA,
            person("987654321000", name=("田中", "健二", "たなか", "けんじ"), sex="1"),
            residents.Residence(2001, "2"),
            moved_in_on=date(2019, 4, 1),
            actor="test",
        ).id
    return World(database, settings, authority, hanako, taro, kenji)


def issue(world: World, resident_id: str) -> VirtualCard:
    with world.database.session() as db:
        return service.issue_card(
            db, world.authority, resident_id, AUTH_PIN, SIGN_PIN, kdf_iterations=FAST_KDF
        ).file


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def card_login(client: TestClient, card: VirtualCard, pin: str = AUTH_PIN) -> dict[str, object]:
    """The direct API flow: challenge → sign with the card → verify; answers the verify response."""
    send_csrf_header(client)  # the token of whatever session cookie the client holds (none, a stale one)
    challenge = client.post("/api/v1/identity/card-login/challenge").json()
    signature = card.sign_raw("authentication", pin, challenge["nonce"].encode())
    response = client.post(
        "/api/v1/identity/card-login/verify",
        json={
            "challenge_id": challenge["challenge_id"],
            "nonce": challenge["nonce"],
            "certificate": card.certificate_pem("authentication").decode(),
            "signature": b64url(signature),
        },
    )
    send_csrf_header(client)  # the token of the new session, as the page's script would fetch it
    return {"status": response.status_code, **response.json()}
