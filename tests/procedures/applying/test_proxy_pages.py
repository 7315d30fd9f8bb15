"""代理申請 on the pages (no JavaScript): a daughter registered as her mother's proxy for the
要介護認定 opens the form from her proxies page, sees her mother's registered details (not hers),
and files it for her; someone without the grant, or for another procedure, is refused in words."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import World
from tests.procedures.applying.test_care_and_bereavement import _mother
from tests.procedures.applying.test_pages import hidden, unescape

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.identity.proxies import service as proxies
from tsunagu.procedures.applications import service as applications

HTML = {"accept": "text/html"}
ANSWERS = {
    "application_kind": "new",
    "staying_at": "home",
    "doctor_name": "山田 一郎",
    "clinic_name": "飯田橋クリニック",
    "clinic_phone": "03-3264-0000",
    "contact_phone": "090-1234-5678",
}


def test_a_proxy_files_the_care_application_for_her_mother_on_the_pages(
    client: TestClient, database: Database, world: World
) -> None:
    mother = _mother(database)
    with database.session() as db:
        proxies.register_proxy(
            db, mother, world.resident_id, procedures=["kaigo-nintei"], ends_on=date(2027, 3, 31)
        )
    login_as(client, database, world.resident())
    mine = client.get("/identity/proxies").text
    assert (
        f'href="/procedures/kaigo-nintei/apply?for={mother}"' in mine
        and "田中 トメさんの代わりに申請する" in mine
    )
    form = client.get(f"/procedures/kaigo-nintei/apply?for={mother}")
    assert form.status_code == 200
    assert "田中 トメさんの代理人として申請します" in form.text and "田中 トメ" in form.text
    assert "佐藤 花子（" not in form.text.split("登録されている情報")[1]  # not the daughter's
    fields = {name: unescape(value) for name, value in hidden(form.text).items()}
    review = client.post("/procedures/kaigo-nintei/apply", data={**fields, **ANSWERS, "step": "review"})
    assert review.status_code == 200 and "田中 トメさんの代理人として申請します" in review.text
    shown = re.sub(r"<[^>]+>", " ", review.text.split("<main")[1])  # what a person reads
    assert "申請先: 東京都千代田区" in shown and "131016" not in shown
    sent = client.post(
        "/procedures/kaigo-nintei/apply",
        data={**{k: unescape(v) for k, v in hidden(review.text).items()}, **ANSWERS, "step": "submit"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    application_id = sent.headers["location"].split("/applications/")[1].split("?")[0]
    with database.session() as db:
        filed = applications.load(db, application_id)
    assert filed.subject_id == mother and filed.applicant_id == world.resident_id
    assert filed.data["insured_name"]["given"] == "トメ"  # her registered name, not the daughter's


def test_without_the_grant_the_form_of_another_person_is_refused(
    client: TestClient, database: Database, world: World
) -> None:
    mother = _mother(database)
    with database.session() as db:  # a grant for the 転出届 only
        proxies.register_proxy(
            db, mother, world.resident_id, procedures=["tenshutsu"], ends_on=date(2027, 3, 31)
        )
    login_as(client, database, world.resident())
    refused = client.get(f"/procedures/kaigo-nintei/apply?for={mother}", headers=HTML)
    assert refused.status_code == 403 and "トメ" not in refused.text
    login_as(client, database, Principal(kind="resident", subject_id=world.other_resident_id))
    stranger = client.get(f"/procedures/kaigo-nintei/apply?for={mother}", headers=HTML)
    assert stranger.status_code == 403 and "トメ" not in stranger.text
