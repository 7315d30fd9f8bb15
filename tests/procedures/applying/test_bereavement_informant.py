"""死亡届の届出人 and おくやみ: a mother who lived alone dies; her daughter, living in another 世帯 of
the same city, reports the death at the counter. The お知らせ and the personal list go to the
daughter (the 続柄 the 届出 gave), not to a landlord who reported another death, nor to a neighbour.
"""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tests.conftest import login_as
from tests.procedures.applying.conftest import CHIYODA, World

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import PersonName
from tsunagu.mesh import demo
from tsunagu.procedures.push import service as push
from tsunagu.registry.residents import service as residents

HTML = {"accept": "text/html"}


def _alone(db: Session, given: str, kana: str, born: date, number: str, banchi: str) -> str:
    """Someone heading a 世帯 of their own in 千代田区."""
    return residents.register_move_in(
        db,
        CHIYODA,
        residents.NewResident(
            name=PersonName("中村", given, "なかむら", kana),
            birth_date=born,
            sex="2",
            individual_number=IndividualNumber(number),
        ),
        residents.Residence(town_id=1001, banchi=banchi, go="1"),
        moved_in_on=date(1995, 4, 1),
        actor="test",
    ).id


def test_the_daughter_who_reported_the_death_gets_the_notice_and_the_list(
    client: TestClient, database: Database, world: World
) -> None:
    with database.session() as db:
        mother = _alone(db, "トミ", "とみ", date(1940, 3, 3), "555456789015", "7")
        daughter = _alone(db, "京子", "きょうこ", date(1968, 6, 6), "555567890122", "8")
        tenant = _alone(db, "ハナ", "はな", date(1938, 1, 1), "555678901239", "9")
        demo.seed_people(db, [(i, CHIYODA, 1950) for i in (mother, daughter, tenant)], seed=5)
        residents.register_death(
            db,
            mother,
            date_of_death=date(2026, 11, 18),
            actor="counter",
            informant=residents.Informant("other-relative", daughter, relationship="長女"),
        )
        # the daughter reports, as 家主 (landlord), the death of a tenant: that makes her no family
        residents.register_death(
            db,
            tenant,
            date_of_death=date(2026, 11, 19),
            actor="counter",
            informant=residents.Informant("landlord-or-manager", daughter),
        )
        reported = residents.informant_of(db, mother)
    assert reported is not None and reported.name == "中村 京子" and reported.informant_id == daughter
    assert push.run_pass(database, push.load_rules()).notified == 1  # the daughter, for her mother only
    login_as(client, database, Principal(kind="resident", subject_id=daughter))
    inbox = client.get("/api/v1/notify/messages").json()["items"]
    assert [m["title"] for m in inbox] == ["おくやみの手続のご案内"]
    assert client.get("/bereavement", follow_redirects=False).headers["location"] == f"/bereavement/{mother}"
    page = client.get(f"/bereavement/{mother}", headers=HTML).text
    assert "長女（死亡届の届出人）" in page and "中村 トミ" in page
    assert client.get(f"/bereavement/{tenant}", headers=HTML).status_code == 403
    # someone else in the city is refused the mother's list
    login_as(client, database, Principal(kind="resident", subject_id=world.resident_id))
    assert client.get(f"/bereavement/{mother}", headers=HTML).status_code == 403
