"""A sole proprietor (個人事業主) files the 開業届: the resident opens a sole-proprietor account with
their own identity (no 法人番号), switches to acting as it, files 個人事業の開業・廃業等届出書 with
氏名・住所・生年月日 from the resident register through the mesh, the tax office decides, and the
business's お知らせ holds the signed notice. Each wrong turn is refused by name."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as, send_csrf_header
from tests.procedures.applying.conftest import World
from tests.procedures.applying.test_business import COMPANY, company, member

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.identity.business import service as accounts
from tsunagu.mesh import demo
from tsunagu.mesh.history import service as history
from tsunagu.notify import service as inbox
from tsunagu.procedures.applications import service

__all__ = ["company"]  # the corporation fixture, used by the corporation-side refusals

KAIGYO = "kaigyo-todokede"
BASE = "/api/v1/procedures/business"
SOLE = "/api/v1/identity/business/sole-proprietors"
ANSWERS: dict[str, Any] = {
    "tax_place": "domicile",
    "occupation": "小売業",
    "trade_name": "さとう雑貨店",
    "filing_kind": "opening",
    "income_kind": "business",
    "started_on": "2026-11-20",
    "business_summary": "雑貨の店舗販売とインターネット販売",
    "blue_return": "yes",
    "consumption_tax": "no",
    "phone": "03-3264-2111",
}


def _open(client: TestClient) -> dict[str, Any]:
    opened = client.post(
        SOLE,
        json={
            "trade_name": "さとう雑貨店",
            "office_address": "東京都千代田区飯田橋三丁目1-2",
            "industry": "小売業",
        },
    )
    assert opened.status_code == 201, opened.text
    return dict(opened.json())


def _log_in(client: TestClient, database: Database, principal: Principal) -> None:
    client.cookies.clear()  # the switch's session cookie was set by the server, for its host
    login_as(client, database, principal)


def _act(client: TestClient, account: str) -> None:
    switched = client.post(f"{SOLE}/{account}/act")
    assert switched.status_code == 200, switched.text
    assert switched.json() == {"acting_as": "sole_proprietor", "display_name": "さとう雑貨店"}
    send_csrf_header(client)  # the switch started a new session


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} in the form"
    return html.unescape(found.group(1))


def _file(client: TestClient, answers: dict[str, Any], key: str = "kaigyo-key-0001") -> Any:
    form = client.get(f"{BASE}/{KAIGYO}/prefill")
    assert form.status_code == 200, form.text
    return client.post(
        f"{BASE}/applications",
        headers={"Idempotency-Key": key},
        json={"procedure_id": KAIGYO, "data": answers, "prefill_seal": form.json()["prefill_seal"]},
    )


def test_a_resident_opens_acts_as_the_business_files_and_gets_the_signed_notice(
    client: TestClient, database: Database, world: World
) -> None:
    login_as(client, database, world.resident())
    account = _open(client)
    assert account["owner_name"] == "佐藤 花子" and account["closed_on"] is None
    assert "individual" not in str(account) and "123456789018" not in str(account)
    _act(client, account["id"])

    form = client.get(f"{BASE}/{KAIGYO}/prefill").json()
    # the person's own 基本4情報 from the register, through the mesh, not typed
    assert form["values"]["applicant_name"]["family"] == "佐藤"
    assert form["values"]["birth_date"] == "1990-04-01"
    assert "飯田橋三丁目" in form["values"]["address"]["text"]
    assert {s["provider"] for s in form["sources"].values()} == {"131016"}
    assert form["organization_code"] == "nta-kojimachi" and form["unavailable"] == []

    applied = _file(client, ANSWERS)
    assert applied.status_code == 201, applied.text
    app = applied.json()
    subject = accounts.sole_proprietor_subject(account["id"])
    with database.session() as db:
        stored = service.load(db, app["id"])
    # the business applied (no 法人番号); the person acted for it
    assert (stored.applicant_kind, stored.subject_id, stored.applicant_id) == (
        "business",
        subject,
        world.resident_id,
    )
    assert client.get(f"{BASE}/applications").json()["total"] == 1

    _log_in(client, database, World.staff("nta-kojimachi", frozenset({"審査"})))
    decision = "/api/v1/procedures/backoffice/applications/{}/decision"
    started = client.post(decision.format(app["id"]), json={"action": "start_review"})
    assert started.status_code == 200, started.text
    assert client.post(decision.format(app["id"]), json={"action": "approve"}).json()["status"] == "approved"

    with database.session() as db:
        messages, _ = inbox.inbox(db, subject)
        personal, _ = inbox.inbox(db, world.resident_id)
        exchanges, _ = history.exchanges_for(db, world.resident_id, operator=demo.OPERATOR)
    notice = next(m for m in messages if m.kind == "notice")
    assert "佐藤 花子 様" in notice.body and "個人事業の開業・廃業等届出書" in notice.body and notice.document
    assert not [m for m in personal if m.kind == "notice"]  # to the business's お知らせ, not the person's
    verified = client.post("/api/v1/procedures/notices/verify", json={"document": notice.document}).json()
    assert verified["valid"] and verified["issuer"] == "nta-kojimachi"
    assert "nta-kojimachi" in {e.requester.code for e in exchanges}

    _log_in(client, database, world.resident())
    _act(client, account["id"])
    assert client.get(f"/api/v1/procedures/applications/{app['id']}").json()["status"] == "approved"
    office = client.get("/business/office").text
    assert "個人事業主として操作中" in office and "さとう雑貨店" in office
    assert "個人事業の開業・廃業等届出書の受理について" in office and ".pdf" in office
    pdf = client.get(f"/notices/{notice.extra['notice_id']}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    history_page = client.get("/business/history").text
    assert "麹町税務署" in history_page


def test_a_future_opening_day_is_refused_inline_and_as_a_problem(
    client: TestClient, database: Database, world: World
) -> None:
    login_as(client, database, world.resident())
    _act(client, _open(client)["id"])
    later = _file(client, {**ANSWERS, "started_on": "2026-12-31"})
    assert later.status_code == 422
    problem = later.json()
    assert problem["code"] == "application-invalid"
    assert [e["location"][-1] for e in problem["errors"]] == ["started_on"]

    page = client.get(f"/business/procedures/{KAIGYO}")
    assert page.status_code == 200 and "住民票に登録されている情報（入力不要）" in page.text
    assert "佐藤" in page.text and "個人事業主" in page.text
    posted = client.post(
        f"/business/procedures/{KAIGYO}",
        data={
            **{k: v for k, v in ANSWERS.items() if k != "started_on"},
            "started_on": "2026-12-31",
            "idempotency_key": "kaigyo-page-key-1",
            "prefill_seal": _hidden(page.text, "prefill_seal"),
        },
    )
    assert posted.status_code == 422, posted.text[-3000:]
    text = html.unescape(posted.text)
    assert "以前の日付を入力してください" in text and 'aria-invalid="true"' in text
    assert "雑貨の店舗販売とインターネット販売" in text  # values kept


def test_a_sole_proprietor_cannot_file_a_corporation_procedure(
    client: TestClient, database: Database, world: World, company: str
) -> None:
    login_as(client, database, world.resident())
    _act(client, _open(client)["id"])
    refused = client.get(f"{BASE}/hojin-setsuritsu-todokede/prefill")
    assert (refused.status_code, refused.json()["code"]) == (403, "procedures-corporation-only")
    page = client.get("/business/procedures/hojin-setsuritsu-todokede", headers={"accept": "text/html"})
    assert page.status_code == 403 and "この手続は法人が提出するものです" in html.unescape(page.text)
    resident_only = client.get(f"{BASE}/juminhyo-utsushi/prefill")
    assert (resident_only.status_code, resident_only.json()["code"]) == (403, "procedures-resident-only")


def test_a_corporation_cannot_file_the_sole_proprietor_procedure(
    client: TestClient, database: Database, company: str
) -> None:
    login_as(client, database, member(KAIGYO, number=COMPANY))
    refused = client.get(f"{BASE}/{KAIGYO}/prefill")
    assert (refused.status_code, refused.json()["code"]) == (403, "procedures-sole-proprietor-only")


def test_a_resident_not_acting_as_the_business_is_told_to_switch(
    client: TestClient, database: Database, world: World
) -> None:
    login_as(client, database, world.resident())
    refused = client.get(f"{BASE}/{KAIGYO}/prefill")
    assert (refused.status_code, refused.json()["code"]) == (403, "procedures-business-account-required")
    # on the residents' form: told to switch, not sent to another municipality
    as_resident = client.get(f"/api/v1/procedures/{KAIGYO}/prefill")
    assert as_resident.status_code == 403
    assert as_resident.json()["reasons"] == [
        "This procedure is filed as a sole proprietor. Switch to acting as your sole proprietorship "
        "from 'Sole proprietor' on My page."
    ]
    page = client.get(f"/procedures/{KAIGYO}/apply", headers={"accept": "text/html"})
    assert "個人事業主として操作に切り替えてください" in html.unescape(page.text)


def test_after_closing_the_business_cannot_file(client: TestClient, database: Database, world: World) -> None:
    login_as(client, database, world.resident())
    account = _open(client)
    _act(client, account["id"])
    with database.session() as db:
        accounts.close_sole_proprietorship(
            db,
            Principal(kind="resident", subject_id=world.resident_id),
            account["id"],
            closed_on=date(2026, 11, 22),
        )
    refused = client.get(f"{BASE}/{KAIGYO}/prefill")
    assert (refused.status_code, refused.json()["code"]) == (409, "procedures-sole-proprietorship-closed")


@pytest.mark.parametrize("path", ["/business/office", "/business/history"])
def test_business_pages_name_the_sole_proprietor_without_a_corporate_number(
    client: TestClient, database: Database, world: World, path: str
) -> None:
    login_as(client, database, world.resident())
    _act(client, _open(client)["id"])
    page = client.get(path)
    assert page.status_code == 200
    assert "法人番号" not in page.text and "sole-proprietor:" not in page.text
