"""おくやみ end to end (in process): a death registered at the counter reaches 日本年金機構 through the
push mesh, whose node records the payment stop without a form; the widow's personal list follows
the deceased's situation (pension asked through the mesh, 世帯主 changed at the registration); she
files the online procedures in one flow, the deceased's particulars from the register; someone
outside the household, and the deceased's own login, are refused; nothing is filed twice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update
from tests.conftest import login_as
from tests.procedures.applying.conftest import CHIYODA, World

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.mesh import demo
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.push import reactions, registry_events
from tsunagu.mesh.push import service as mesh_push
from tsunagu.mesh.push.models import MeshPushDelivery
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.bereavement import checklist
from tsunagu.procedures.bereavement import service as bereavement
from tsunagu.procedures.push import service as push
from tsunagu.registry.residents import service as residents
from tsunagu.registry.residents.errors import ResidentDeceased

HTML = {"accept": "text/html"}


def _couple(database: Database) -> tuple[str, str]:
    """高橋 茂 (世帯主, 72, a pensioner of 日本年金機構) and his wife 和子, who dies… he does."""
    with database.session() as db:
        husband = residents.register_move_in(
            db,
            CHIYODA,
            residents.NewResident(
                name=PersonName("高橋", "茂", "たかはし", "しげる"),
                birth_date=date(1954, 2, 11),
                sex="1",
                individual_number=IndividualNumber("678901234562"),
            ),
            residents.Residence(town_id=1001, banchi="3", go="4"),
            moved_in_on=date(2000, 4, 1),
            actor="test",
        )
        wife = residents.register_move_in(
            db,
            CHIYODA,
            residents.NewResident(
                name=PersonName("高橋", "和子", "たかはし", "かずこ"),
                birth_date=date(1957, 8, 20),
                sex="2",
                individual_number=IndividualNumber("789012345677"),
                household_id=husband.household_id,
                relationship="妻",
            ),
            residents.Residence(town_id=1001, banchi="3", go="4"),
            moved_in_on=date(2000, 4, 1),
            actor="test",
        )
        residents.mark_delivered(db, [e.event_id for e in residents.pending_events(db)])
        demo.seed_people(db, [(husband.id, CHIYODA, 1954), (wife.id, CHIYODA, 1957)], seed=7)
    return husband.id, wife.id


def _death(database: Database, husband: str, wife: str) -> None:
    with database.session() as db:
        residents.register_death(
            db, husband, date_of_death=date(2026, 11, 18), actor="counter", new_head_id=wife
        )


def _pension_id(database: Database, resident_id: str) -> str:
    with database.session() as db:
        code = codes.relate(db, "jpn-pension", resident_id, "record")
        local = codes.local_id_of(db, "jpn-pension", code)
    assert local is not None
    return local


@pytest.fixture
def couple(database: Database, world: World) -> tuple[str, str]:
    return _couple(database)


def test_the_death_reaches_the_pension_office_which_stops_paying_once(
    app: FastAPI, database: Database, couple: tuple[str, str]
) -> None:
    husband, wife = couple
    _death(database, husband, wife)
    nodes = app.state.mesh_nodes
    assert registry_events.pump(database, nodes.context) >= 1
    run = mesh_push.deliver_due(nodes.context(CHIYODA))
    assert run.delivered == 1 and run.failed == 0  # 日本年金機構 subscribes to deaths
    pension_id = _pension_id(database, husband)
    with database.session() as db:
        stop = reactions.record_of(db, "jpn-pension", pension_id, "pension-payment-stop")
        (received,) = [r for r in mesh_push.received(db, "jpn-pension") if r.kind == "died"]
    assert stop is not None and stop["effective_date"] == "2026-11-18" and stop["provider"] == CHIYODA
    assert received.payload["effective_date"] == "2026-11-18"
    # a repeated notification (a worker killed after sending) is acknowledged, never applied twice
    with database.session() as db:
        db.execute(update(MeshPushDelivery).values(status="pending", next_attempt_at=clock.now()))
    assert mesh_push.deliver_due(nodes.context(CHIYODA)).delivered == 1
    with database.session() as db:
        assert reactions.record_of(db, "jpn-pension", pension_id, "pension-payment-stop") == stop
        assert len([r for r in mesh_push.received(db, "jpn-pension") if r.kind == "died"]) == 1
    # the counter sees whom the death was pushed to
    staff = Principal(
        kind="staff", subject_id="okuyami-clerk", organization_code=CHIYODA, roles=frozenset({"住基"})
    )
    client = TestClient(app)
    login_as(client, database, staff)
    page = client.get(f"/staff/bereavement/{husband}").text
    assert "日本年金機構" in page and "届きました" in page and "jpn-pension" not in page
    assert "令和8年11月18日" in page


def test_the_widow_files_the_online_procedures_in_one_flow(
    app: FastAPI, client: TestClient, database: Database, couple: tuple[str, str]
) -> None:
    husband, wife = couple
    _death(database, husband, wife)
    assert push.run_pass(database, push.load_rules()).notified == 1  # the お知らせ to her
    login_as(client, database, Principal(kind="resident", subject_id=wife))
    assert client.get("/bereavement", follow_redirects=False).headers["location"] == f"/bereavement/{husband}"
    page = client.get(f"/bereavement/{husband}").text
    # his situation: 72 (care insurance, 国保), a pensioner (asked of 日本年金機構), head of household
    for expected in (
        "葬祭費の支給申請",
        "介護保険 資格喪失届（死亡）",
        "年金の支払停止",
        "高橋 和子さんが新しい世帯主として記録されました",
        "印鑑登録の廃止",
        "国民健康保険の資格喪失",
        "令和8年11月18日",
        "妻（同一世帯）",
    ):
        assert expected in page, expected
    assert "児童手当 受給事由消滅届" not in page and "後期高齢者医療" not in page
    assert "葬儀を行った日" in page  # the one thing no register knows
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    form = {
        "idempotency_key": key,
        "procedure": ["sosaihi-shikyu", "kaigo-shikaku-soshitsu"],
        "bank_code": "0005",
        "branch_code": "001",
        "account_type": "futsu",
        "account_number": "1234567",
    }
    missing = client.post(f"/bereavement/{husband}", data=form)
    assert missing.status_code == 422  # the funeral date is marked, the care notice filed already
    assert 'id="e-funeral_date"' in missing.text and "受け付けました" in missing.text
    key = missing.text.split('name="idempotency_key" value="')[1].split('"')[0]
    done = client.post(
        f"/bereavement/{husband}",
        data={**form, "idempotency_key": key, "procedure": ["sosaihi-shikyu"], "funeral_date": "2026-11-22"},
    )
    assert done.status_code == 200 and "受け付けました（受付番号" in done.text
    mine = client.get("/api/v1/procedures/applications").json()["items"]
    filed = {a["procedure_id"]: a for a in mine}
    assert set(filed) == {"sosaihi-shikyu", "kaigo-shikaku-soshitsu"}
    care = filed["kaigo-shikaku-soshitsu"]["data"]
    assert care["deceased_name"]["given"] == "茂" and care["date_of_death"] == "2026-11-18"
    assert care["relationship_to_deceased"] == "妻（同一世帯）" and care["applicant_name"]["given"] == "和子"
    with database.session() as db:  # one bundle for the death
        assert {applications.load(db, a["id"]).bundle_id for a in filed.values()} == {
            bereavement.bundle_of(husband)
        }
    # a second filing (another key) files nothing twice
    page = client.get(f"/bereavement/{husband}").text
    assert "まとめて届け出る" not in page and page.count("申請済み") == 2


def test_someone_outside_the_household_cannot_file_as_successor(
    client: TestClient, database: Database, world: World, couple: tuple[str, str]
) -> None:
    husband, wife = couple
    _death(database, husband, wife)
    login_as(client, database, Principal(kind="resident", subject_id=world.resident_id))
    refused = client.get(f"/bereavement/{husband}", headers=HTML)
    assert refused.status_code == 403 and "bereavement-not-family" not in refused.text
    assert "同じ世帯" in refused.text
    assert "死亡届は登録されていません" in client.get("/bereavement").text
    assert client.get("/bereavement/no-such-person", headers=HTML).status_code == 404


def test_the_deceased_persons_own_login_is_refused(
    client: TestClient, database: Database, couple: tuple[str, str]
) -> None:
    husband, wife = couple
    _death(database, husband, wife)
    login_as(client, database, Principal(kind="resident", subject_id=husband))
    refused = client.get(f"/bereavement/{husband}", headers=HTML)
    assert refused.status_code == 403 and "亡くなった方として記録されている方のログイン" in refused.text
    api = client.get(f"/bereavement/{husband}", headers={"accept": "application/json"})
    assert api.json()["code"] == "bereavement-deceased-principal"


def test_a_second_death_registration_is_refused(database: Database, couple: tuple[str, str]) -> None:
    husband, wife = couple
    _death(database, husband, wife)
    with database.session() as db, pytest.raises(ResidentDeceased):
        residents.register_death(db, husband, date_of_death=date(2026, 11, 19), actor="counter")


def test_a_bad_checklist_is_refused_at_its_line() -> None:
    text = checklist.CHECKLIST.read_text(encoding="utf-8").replace(
        "{attribute: pension, op: eq, value: true}", "{attribute: pensoin, op: eq, value: true}"
    )
    with pytest.raises(checklist.ChecklistInvalid) as refused:
        checklist.parse_checklist(Path("c.yaml"), text, frozenset({"sosaihi-shikyu"}))
    message = str(refused.value)
    assert "unknown situation attribute 'pensoin'" in message and "c.yaml:" in message
    assert "unknown procedure 'kaigo-shikaku-soshitsu'" in message
