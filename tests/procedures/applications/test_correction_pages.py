"""補正 and 取下げ on the pages (no JavaScript): a returned application's flagged file is replaced
on resubmission; withdrawal asks for confirmation first."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applications.conftest import PDF, PNG
from tests.procedures.applications.test_uploads import APPLY, form_fields, send
from tests.procedures.applying.conftest import World
from tests.procedures.applying.test_pages import hidden, unescape

from tsunagu.core.database import Database

STAFF = "/api/v1/procedures/backoffice/applications"


def submitted(client: TestClient) -> str:
    review = send(client, form_fields(client), ("plan.pdf", PDF, "application/pdf"), note="初回")
    confirmed = {k: unescape(v) for k, v in hidden(review.text).items()}
    done = client.post(APPLY, data={**confirmed, "step": "submit"}, follow_redirects=False)
    return str(done.headers["location"]).split("/")[-1].split("?")[0]


def test_a_flagged_file_is_replaced_on_resubmission(
    client: TestClient, database: Database, world: World
) -> None:
    login_as(client, database, world.resident())
    application_id = submitted(client)
    login_as(client, database, World.staff())
    client.post(f"{STAFF}/{application_id}/decision", json={"action": "start_review"})
    back = {"action": "return", "reason": "図面が古い", "fields": ["plan"]}
    client.post(f"{STAFF}/{application_id}/decision", json=back)
    login_as(client, database, world.resident())
    status = client.get(f"/applications/{application_id}").text
    assert "図面が古い" in status and "修正して再提出" in status and "図面" in status

    page = client.get(f"/applications/{application_id}/correct")
    assert 'name="plan"' in page.text and 'name="note"' not in page.text and "初回" in page.text
    fields = {k: unescape(v) for k, v in hidden(page.text).items()}
    url = f"/applications/{application_id}/correct"
    sneaky = client.post(url, data={**fields, "note": "変更"}, files={"plan": ("new.png", PNG, "image/png")})
    assert sneaky.status_code == 200 and "変更" not in sneaky.text  # an unflagged field is not taken
    review = {k: unescape(v) for k, v in hidden(sneaky.text).items()}
    done = client.post(url, data={**review, "step": "submit"}, follow_redirects=False)
    assert done.status_code == 303
    again = client.post(url, data={**review, "step": "submit"}, follow_redirects=False)
    assert again.status_code == 303  # a double click changes nothing
    status = client.get(f"/applications/{application_id}").text
    links = re.findall(r'href="(/applications/\w+/attachments/\w+)"', status)
    assert len(links) == 1 and client.get(links[0]).content == PNG
    audit = client.get(f"/api/v1/procedures/applications/{application_id}").json()["audit"]
    history = [a["to_status"] for a in audit]
    assert history == ["submitted", "under_review", "returned", "submitted"]
    login_as(client, database, World.staff())
    assert "<strong>再提出</strong>" in client.get("/staff/applications?status=submitted").text


def test_withdrawal_is_confirmed_before_it_happens(resident_client: TestClient) -> None:
    application_id = submitted(resident_client)
    status = resident_client.get(f"/applications/{application_id}").text
    assert f'href="/applications/{application_id}/withdraw"' in status
    confirm = resident_client.get(f"/applications/{application_id}/withdraw")
    assert "申請を取り下げますか" in confirm.text
    assert "受付済み" in resident_client.get(f"/applications/{application_id}").text  # nothing changed yet
    token = hidden(confirm.text)["csrf_token"]
    done = resident_client.post(
        f"/applications/{application_id}/withdraw",
        data={"csrf_token": token, "reason": "不要になった"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = resident_client.get(f"/applications/{application_id}").text
    assert "取下げ" in after and "不要になった" in after and "/withdraw" not in after
    resident_client.cookies.set("tsunagu_lang", "en")
    english = resident_client.get(f"/applications/{application_id}/withdraw").text
    assert "Withdraw this application?" in english
