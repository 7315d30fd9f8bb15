"""介護: 要介護・要支援認定の申請 by a family member registered as proxy for it (YAML definition);
おくやみ: the bereavement page lists the 葬祭費, paid to the 公金受取口座 without asking."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import CHIYODA, World

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.identity.proxies import service as proxies
from tsunagu.registry.residents import service as residents

URL = "/api/v1/procedures/applications"
KAIGO = {
    "procedure_id": "kaigo-nintei",
    "data": {
        "application_kind": "new",
        "staying_at": "home",
        "doctor_name": "山田 一郎",
        "clinic_name": "飯田橋クリニック",
        "clinic_phone": "03-3264-0000",
        "contact_phone": "090-1234-5678",
    },
}


def _mother(database: Database) -> str:
    with database.session() as db:
        return residents.register_move_in(
            db,
            CHIYODA,
            residents.NewResident(
                name=PersonName("田中", "トメ", "たなか", "とめ"),
                birth_date=date(1948, 3, 3),
                sex="2",
                individual_number=IndividualNumber("567890123457"),
            ),
            residents.Residence(town_id=1001, banchi="5"),
            moved_in_on=date(2010, 4, 1),
            actor="test",
        ).id


def test_a_daughter_registered_as_proxy_applies_for_care_certification(
    client: TestClient, database: Database, world: World
) -> None:
    mother = _mother(database)
    with database.session() as db:
        proxies.register_proxy(
            db, mother, world.resident_id, procedures=["kaigo-nintei"], ends_on=date(2027, 3, 31)
        )
    login_as(client, database, world.resident())
    response = client.post(
        URL, json={**KAIGO, "on_behalf_of": mother}, headers={"Idempotency-Key": "kaigo-proxy-0001"}
    )
    assert response.status_code == 201, response.text
    app = response.json()
    assert app["data"]["insured_name"]["family"] == "田中"  # the mother's registry data, not the proxy's
    own = client.post(URL, json=KAIGO, headers={"Idempotency-Key": "kaigo-self-0001"})
    assert own.status_code == 403  # she herself is 36: not a category 1 insured person


def test_a_proxy_for_another_procedure_cannot_apply_for_care(
    client: TestClient, database: Database, world: World
) -> None:
    mother = _mother(database)
    with database.session() as db:
        proxies.register_proxy(
            db, mother, world.resident_id, procedures=["tenshutsu"], ends_on=date(2027, 3, 31)
        )
    login_as(client, database, world.resident())
    refused = client.post(
        URL, json={**KAIGO, "on_behalf_of": mother}, headers={"Idempotency-Key": "kaigo-proxy-0002"}
    )
    assert refused.status_code == 403 and refused.json()["code"] == "proxy-not-authorized"


def test_the_bereavement_page_lists_the_funeral_benefit(
    client: TestClient, database: Database, world: World
) -> None:
    login_as(client, database, Principal(kind="resident", subject_id=world.resident_id))
    page = client.get("/lifeevents/bereavement").text
    assert "葬祭費の支給申請" in page and 'href="/procedures/sosaihi-shikyu/apply"' in page
    assert client.get("/lifeevents/wedding").status_code == 404
