"""Fixtures of the OpenID Connect tests: a registered client and a resident in the registry."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.core.settings import Settings
from tsunagu.core.types.address import Address
from tsunagu.core.types.name import PersonName
from tsunagu.identity.oidc import claims, service
from tsunagu.registry.residents import service as residents

RESIDENT_ID = "0123456789abcdef0123456789abcdef"
REDIRECT = "https://shop.example/callback"
LOGOUT_REDIRECT = "https://shop.example/bye"


@pytest.fixture
def resident_record(monkeypatch: pytest.MonkeyPatch) -> residents.ResidentRecord:
    """A synthetic resident answered by the registry look-up the provider uses."""
    record = residents.ResidentRecord(
        id=RESIDENT_ID,
        municipality_code="131016",
        name=PersonName(family="山田", given="花子", family_kana="ヤマダ", given_kana="ハナコ"),
        birth_date=date(1990, 4, 1),
        sex="2",
        address=Address(
            prefecture="東京都",
            municipality="千代田区",
            town="丸の内一丁目",
            chome=1,
            banchi="1",
            go="1",
            prefecture_code="13",
        ),
        town_id=None,
        household_id="h1",
        relationship="世帯主",
        status="resident",
    )

    def get_resident(_db: object, resident_id: str) -> residents.ResidentRecord | None:
        return record if resident_id == RESIDENT_ID else None

    monkeypatch.setattr(claims.residents, "get_resident", get_resident)
    return record


@pytest.fixture
def registered(database: Database, settings: Settings) -> service.RegisteredClient:
    with database.session() as db:
        return service.register_client(
            db,
            settings.resolved_secret_key(),
            name="つなぐショップ",
            organization_code="tsunagu-power",
            redirect_uris=[REDIRECT],
            post_logout_redirect_uris=[LOGOUT_REDIRECT],
        )


@pytest.fixture
def resident_client(
    client: TestClient, database: Database, resident_record: residents.ResidentRecord
) -> Iterator[TestClient]:
    login_as(client, database, Principal(kind="resident", subject_id=RESIDENT_ID, display_name="山田 花子"))
    yield client


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def hidden_fields(html: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    fields.pop("csrf_token", None)
    return fields
