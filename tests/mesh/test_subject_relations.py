"""Staff of one municipality cannot read another municipality's resident through the mesh.

The rule (a consumer may ask only about a person it has a recorded relation with: its resident,
an application, a record it holds by law, or the person's consent) lives in the directory
(``directory.service.authorize`` → ``mesh-subject-not-related``) and again in the provider's node
(``node.service._answer`` refuses a decision that names no relation).
"""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.conftest import login_as
from tests.mesh.conftest import CHIYODA, World, post_form

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.mesh import demo, errors
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import desk
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.log.models import MeshLogEntry
from tsunagu.mesh.node import schemas as wire
from tsunagu.mesh.node import service as node
from tsunagu.migrations.schema import metadata
from tsunagu.registry.residents import service as residents

YOKOSUKA = "142018"
CHIYODA_CLERK = Principal(
    kind="staff", subject_id="s-1", organization_code=CHIYODA, roles=frozenset({"審査"})
)


def _yokosuka_resident(database: Database) -> str:
    """A real 横須賀市 resident in the registry, with codes at the city, pension and tax offices."""
    tables = metadata.tables
    with database.engine.begin() as connection:
        connection.execute(tables["addresses_prefectures"].insert(), [{"code": "14", "name": "神奈川県"}])
        connection.execute(
            tables["addresses_municipalities"].insert(),
            [{"code": YOKOSUKA, "prefecture_code": "14", "name": "横須賀市", "designated_city_code": None}],
        )
        connection.execute(
            tables["addresses_towns"].insert(),
            [
                {
                    "id": 2001,
                    "municipality_code": YOKOSUKA,
                    "town": "小川町",
                    "koaza": "",
                    "lat": 35.28,
                    "lng": 139.67,
                }
            ],
        )
    with database.session() as db:
        person = residents.register_move_in(
            db,
            YOKOSUKA,
            residents.NewResident(
                name=PersonName("鈴木", "一郎", "すずき", "いちろう"),
                birth_date=date(1960, 7, 7),
                sex="1",
                individual_number=IndividualNumber("987654321018"),
            ),
            residents.Residence(town_id=2001, banchi="3", go="4"),
            moved_in_on=date(2019, 5, 1),
            actor="test",
        )
        residents.mark_delivered(db, [e.event_id for e in residents.pending_events(db)])
        demo.seed_people(db, [(person.id, YOKOSUKA, 1960)], seed=2)
    return person.id


def test_a_clerk_cannot_read_another_municipalitys_resident_and_the_denial_is_logged(
    client: TestClient, database: Database, world: World
) -> None:
    stranger = _yokosuka_resident(database)
    login_as(client, database, CHIYODA_CLERK)
    page = post_form(
        client, "/mesh/query", "/mesh/query", {"purpose": f"jidou-teate-{CHIYODA}", "person": stranger}
    )
    assert page.status_code == 403, page.text
    assert "mesh-subject-not-related" in page.text
    assert "total_income" not in page.text
    with database.session() as db:
        denied = db.scalars(
            select(MeshLogEntry).where(MeshLogEntry.result == "mesh-subject-not-related")
        ).all()
    # the directory and the asking city each wrote the denial into their hash chains
    assert {(e.organization_code, e.kind) for e in denied} >= {
        ("digital-agency", "denial"),
        (CHIYODA, "denial"),
    }
    assert {e.consumer for e in denied} == {CHIYODA}
    for organization in (CHIYODA, "digital-agency", "nta-kojimachi"):
        assert message_log.verify(database, organization).ok
    # the city's own resident is still answered
    own = post_form(
        client,
        "/mesh/query",
        "/mesh/query",
        {"purpose": f"jidou-teate-{CHIYODA}", "person": world.resident_id},
    )
    assert own.status_code == 200 and "total_income" in own.text


def test_the_directory_refuses_a_minted_code_and_allows_an_applicant(
    database: Database, world: World
) -> None:
    stranger = _yokosuka_resident(database)
    ask = wire.LocalQuery(
        provider="nta-kojimachi", service="income", purpose=f"jidou-teate-{CHIYODA}", subject=""
    )
    with database.session() as db:
        minted = codes.code_for(db, CHIYODA, stranger)  # a code alone relates no one
    with pytest.raises(errors.SubjectNotRelated):
        node.query(world.node(CHIYODA), ask.model_copy(update={"subject": minted}))
    with database.session() as db:  # the person applies to 千代田区 (e.g. a 転入届)
        assert codes.relate(db, CHIYODA, stranger, "application", "application-1") == minted
    result = node.query(world.node(CHIYODA), ask.model_copy(update={"subject": minted}))
    assert set(result.data) == {"tax_year", "total_income", "dependents"}


def test_the_provider_node_refuses_a_grant_that_names_no_relation(
    database: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: a directory that forgot the rule still cannot make a node answer."""
    original = desk._decision

    def careless(request: wire.AuthorizationRequest, granted: object) -> wire.Decision:
        return original(request, granted).model_copy(update={"relation": ""})  # type: ignore[arg-type]

    monkeypatch.setattr(desk, "_decision", careless)
    with database.session() as db:
        subject = codes.code_for(db, CHIYODA, world.resident_id)
    with pytest.raises(errors.SubjectNotRelated):
        node.query(
            world.node(CHIYODA),
            wire.LocalQuery(
                provider="jpn-pension",
                service="pension-status",
                purpose=f"kaigo-hoken-{CHIYODA}",
                subject=subject,
            ),
        )
    with database.session() as db:
        logged = db.scalars(
            select(MeshLogEntry).where(
                MeshLogEntry.organization_code == "jpn-pension", MeshLogEntry.kind == "denial"
            )
        ).all()
    assert [e.result for e in logged] == ["mesh-subject-not-related"]
