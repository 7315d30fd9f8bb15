"""Organizations: the demo directory and its rules."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.identity.conftest import World

from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.identity.organizations import service


def test_local_government_check_digit() -> None:
    assert service.is_local_government_code("131016")
    assert service.is_local_government_code("142018")
    assert not service.is_local_government_code("131017")
    assert not service.is_local_government_code("13101")


def test_demo_organizations_are_listed(database: Database, client: TestClient) -> None:
    with database.session() as db:
        service.seed_demo_organizations(db)
        service.seed_demo_organizations(db)  # idempotent
    body = client.get("/api/v1/identity/organizations?limit=2").json()
    assert body["total"] == len(service.DEMO_ORGANIZATIONS) == 9 and len(body["items"]) == 2
    chiyoda = client.get("/api/v1/identity/organizations/131016").json()
    assert (chiyoda["name_ja"], chiyoda["kind"]) == ("東京都千代田区", "municipal")
    assert client.get("/api/v1/identity/organizations/nowhere").json()["code"] == "not-found"


def test_organization_rules(world: World) -> None:
    with world.database.session() as db, pytest.raises(ValidationFailed) as problem:
        service.save_organization(db, service.OrganizationRecord("131017", "x", "x", "municipal"))
    assert problem.value.errors[0]["type"] == "local-government-code"
