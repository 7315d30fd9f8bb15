"""A peer that does not answer is named, never its internal address (that stays in the log)."""

from __future__ import annotations

import structlog
from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.mesh.conftest import CHIYODA, World, post_form
from tests.mesh.test_subject_relations import CHIYODA_CLERK

from tsunagu.core.database import Database
from tsunagu.mesh.directory import schemas
from tsunagu.mesh.directory import service as directory

HIDDEN = "http://127.0.0.1:9/internal/pension-node"  # nothing listens on the discard port


def test_an_unreachable_provider_is_reported_without_its_url(
    client: TestClient, database: Database, world: World
) -> None:
    with database.session() as db:
        member = directory.get_organization(db, "jpn-pension")
        assert member is not None
        directory.put_organization(
            db,
            schemas.OrganizationIn(
                code=member.code,
                name_ja=member.name_ja,
                name_en=member.name_en,
                kind=member.kind,
                endpoint=HIDDEN,
            ),
            "test",
        )
    login_as(client, database, CHIYODA_CLERK)
    with structlog.testing.capture_logs() as logged:
        page = post_form(
            client,
            "/mesh/query",
            "/mesh/query",
            {"purpose": f"kaigo-hoken-{CHIYODA}", "person": world.resident_id},
        )
    assert page.status_code == 503 and "mesh-provider-unavailable" in page.text
    assert "127.0.0.1:9" not in page.text and "internal/pension-node" not in page.text
    # the operator still finds the address and the network's words in the node's log
    assert any(entry.get("endpoint") == HIDDEN and entry.get("error") for entry in logged)
