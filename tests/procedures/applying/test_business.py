"""A business files a procedure: its corporation's data come from the commercial registry through the
mesh (no 登記事項証明書), the account is the acting person, staff decide, the corporation gets the
signed notice; grants, closed corporations and the applicant kind are each refused by name."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import World

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.core.settings import Settings
from tsunagu.mesh import corporate, demo
from tsunagu.mesh.history import service as history
from tsunagu.mesh.node.embedded import endpoint_of
from tsunagu.notify import service as inbox
from tsunagu.procedures.applications import service
from tsunagu.registry.corporations import service as corporations

DATA = Path(__file__).parents[2] / "registry" / "corporations" / "data"
COMPANY = "6010001000001"  # つなぐ商事株式会社 (test data, with a 登記 extract)
BASE = "/api/v1/procedures/business"
SETUP = "hojin-setsuritsu-todokede"
ANSWERS = {
    "business_purpose": "各種商品の輸出入及び販売",
    "fiscal_year_end_month": 3,
    "contact_phone": "03-3581-4111",
}


@pytest.fixture
def company(database: Database, settings: Settings, world: World) -> str:
    with database.session() as db:
        corporations.import_file(db, DATA / "full_13_tokyo.csv")
        corporations.import_commercial_file(db, DATA / "commercial_extract.csv")
        corporate.register(db, world.secret, lambda code: endpoint_of(settings.base_url, code))
    return COMPANY


def member(*granted: str, number: str = COMPANY) -> Principal:
    return Principal(
        kind="business",
        subject_id="member-0001",
        display_name="総務 次郎",
        organization_code=number,
        roles=frozenset({*granted, "gbizid:member"}),
    )


def _apply(client: TestClient, procedure: str, key: str = "business-key-0001") -> Any:
    form = client.get(f"{BASE}/{procedure}/prefill")
    assert form.status_code == 200, form.text
    return client.post(
        f"{BASE}/applications",
        headers={"Idempotency-Key": key},
        json={"procedure_id": procedure, "data": ANSWERS, "prefill_seal": form.json()["prefill_seal"]},
    )


def test_a_member_files_with_registry_data_and_gets_the_signed_notice(
    client: TestClient, database: Database, company: str
) -> None:
    login_as(client, database, member(SETUP))
    form = client.get(f"{BASE}/{SETUP}/prefill").json()
    assert form["values"]["company_name"] == "つなぐ商事株式会社"
    assert form["values"]["established_on"] == "2009-04-01" and form["values"]["capital_yen"] == 10_000_000
    assert form["sources"]["company_name"]["provider"] == "moj"
    assert form["organization_code"] == "nta-kojimachi" and form["unavailable"] == []

    applied = _apply(client, SETUP)
    assert applied.status_code == 201, applied.text
    app = applied.json()
    with database.session() as db:
        stored = service.load(db, app["id"])
    # the corporation applied; the member account acted for it
    assert (stored.applicant_kind, stored.subject_id, stored.applicant_id) == (
        "business",
        corporate.subject_of(COMPANY),
        "member-0001",
    )
    [evidence] = app["evidence"]
    assert evidence["status"] == "ok" and evidence["provider"] == "moj"
    assert [r["name"] for r in evidence["data"]["representatives"]] == ["商事　花子"]
    again = _apply(client, SETUP)  # the same key: the same receipt
    assert again.status_code == 200 and again.json()["id"] == app["id"]
    assert client.get(f"{BASE}/applications").json()["total"] == 1

    login_as(client, database, World.staff("nta-kojimachi"))
    decision = "/api/v1/procedures/backoffice/applications/{}/decision"
    assert client.post(decision.format(app["id"]), json={"action": "start_review"}).status_code == 200
    decided = client.post(decision.format(app["id"]), json={"action": "approve"}).json()
    assert decided["status"] == "approved"

    subject = corporate.subject_of(COMPANY)
    with database.session() as db:
        messages, _ = inbox.inbox(db, subject)
        notice = next(m for m in messages if m.kind == "notice")
        exchanges, _ = history.exchanges_for(db, subject, operator=demo.OPERATOR)
    assert "つなぐ商事株式会社 御中" in notice.body and notice.document
    verified = client.post("/api/v1/procedures/notices/verify", json={"document": notice.document}).json()
    assert verified["valid"] and verified["issuer"] == "nta-kojimachi"
    assert {e.requester.code for e in exchanges} == {"nta-kojimachi"}
    login_as(client, database, member(SETUP))
    assert client.get(f"/api/v1/procedures/applications/{app['id']}").json()["status"] == "approved"


def test_a_member_beyond_its_grants_is_refused(client: TestClient, database: Database, company: str) -> None:
    login_as(client, database, member("shinki-tekiyo"))
    refused = client.get(f"{BASE}/{SETUP}/prefill")
    assert (refused.status_code, refused.json()["code"]) == (403, "procedures-not-granted")


def test_a_business_cannot_file_a_resident_procedure(
    client: TestClient, database: Database, company: str
) -> None:
    login_as(client, database, member("juminhyo-utsushi"))
    refused = client.get(f"{BASE}/juminhyo-utsushi/prefill")
    assert (refused.status_code, refused.json()["code"]) == (403, "procedures-resident-only")


def test_a_resident_cannot_file_a_business_procedure(
    client: TestClient, database: Database, world: World, company: str
) -> None:
    login_as(client, database, world.resident())
    refused = client.get(f"/api/v1/procedures/{SETUP}/prefill")
    assert refused.status_code == 403
    assert refused.json()["reasons"] == ["Individuals cannot apply for this procedure."]
    assert client.get(f"{BASE}/{SETUP}/prefill").json()["code"] == "procedures-business-account-required"


def test_a_closed_corporation_cannot_file(client: TestClient, database: Database, company: str) -> None:
    closed = "7010001000009"  # closed in diff_20261120.csv
    with database.session() as db:
        corporations.import_file(db, DATA / "diff_20261120.csv")
        assert corporations.require_corporation(db, closed).status == "closed"
    login_as(client, database, member(SETUP, number=closed))
    refused = client.get(f"{BASE}/{SETUP}/prefill")
    assert (refused.status_code, refused.json()["code"]) == (409, "procedures-corporation-closed")


HTML = {"accept": "text/html"}


def _csrf(page: str) -> str:
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_the_business_pages_file_without_javascript(
    client: TestClient, database: Database, company: str
) -> None:
    login_as(client, database, member(SETUP))
    home = client.get("/business/office", headers=HTML)
    assert home.status_code == 200
    assert "<h1>つなぐ商事株式会社</h1>" in home.text and "法人設立届出書（税務署）" in home.text
    assert "新規適用届" not in home.text  # not granted to this member
    form = client.get(f"/business/procedures/{SETUP}", headers=HTML)
    assert form.status_code == 200
    assert "登記されている情報（入力不要）" in form.text and "東京都千代田区丸の内１丁目１－１" in form.text
    assert 'type="file"' not in form.text and "登記事項証明書の添付は不要です" in form.text
    known = form.text.split('id="known"', 1)[1].split("</section>", 1)[0]
    assert "1,000万円" in known and "10000000" not in known  # 資本金 for people, the seal keeps it exact
    fields = {
        "csrf_token": _csrf(form.text),
        "idempotency_key": form.text.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0],
        "prefill_seal": html.unescape(form.text.split('name="prefill_seal" value="', 1)[1].split('"', 1)[0]),
    }
    wrong = client.post(
        f"/business/procedures/{SETUP}",
        headers=HTML,
        data={
            **fields,
            "business_purpose": "商事",
            "fiscal_year_end_month": "13",
            "contact_phone": "03-3581-4111",
        },
    )
    assert wrong.status_code == 422
    assert 'value="商事"' in wrong.text
    done = client.post(
        f"/business/procedures/{SETUP}",
        follow_redirects=False,
        data={**fields, **{k: str(v) for k, v in ANSWERS.items()}},
    )
    assert done.status_code == 303
    status = client.get(done.headers["location"], headers=HTML)
    assert status.status_code == 200 and "受付番号" in status.text
    history_page = client.get("/business/history", headers=HTML)
    assert "法務省（法務局 商業・法人登記）" in history_page.text and "麹町税務署" in history_page.text


SETUP_ANSWERS = {
    **ANSWERS,
    "covered_from": "2026-11-02",
    "insured_persons": 3,
    "pay_closing_day": 25,
    "insured_from": "2026-11-02",
    "business_kind": "wholesale-retail",
    "workers": 2,
}


def test_the_company_setup_one_stop_files_to_every_organization(
    client: TestClient, database: Database, company: str
) -> None:
    login_as(
        client,
        database,
        Principal(
            kind="business",
            subject_id="prime-0001",
            display_name="代表 花子",
            organization_code=COMPANY,
            roles=frozenset({"gbizid:prime"}),
        ),
    )
    filed = client.post(
        f"{BASE}/company-setup", headers={"Idempotency-Key": "setup-key-0001"}, json={"data": SETUP_ANSWERS}
    )
    assert filed.status_code == 201, filed.text
    parts = {p["procedure_id"]: p for p in filed.json()["parts"]}
    assert {code: p["organization_code"] for code, p in parts.items()} == {
        "hojin-setsuritsu-todokede": "nta-kojimachi",
        "hojin-setsuritsu-to": "130001",
        "hojin-setsuritsu-shi": "142018",
        "shinki-tekiyo": "jpn-pension",
        "hoken-kankei-seiritsu": "mhlw-chuo",
    }
    assert {p["status"] for p in parts.values()} == {"submitted"}
    bundle = filed.json()["bundle_id"]
    again = client.post(
        f"{BASE}/company-setup", headers={"Idempotency-Key": "setup-key-0001"}, json={"data": SETUP_ANSWERS}
    )
    first = {p["application_id"] for p in parts.values()}
    assert {p["application_id"] for p in again.json()["parts"]} == first

    login_as(client, database, World.staff("jpn-pension"))
    pension = parts["shinki-tekiyo"]["application_id"]
    decision = f"/api/v1/procedures/backoffice/applications/{pension}/decision"
    assert client.post(decision, json={"action": "start_review"}).status_code == 200
    login_as(client, database, member(SETUP))
    now = client.get(f"{BASE}/company-setup/{bundle}").json()["parts"]
    state = {p["procedure_id"]: p["status"] for p in now}
    assert state["shinki-tekiyo"] == "under_review" and state["hojin-setsuritsu-to"] == "submitted"
    assert client.get(f"{BASE}/company-setup/{'0' * 32}").json()["code"] == "company-setup-not-found"


def test_a_part_that_cannot_be_filed_says_why_and_the_others_are_filed(
    client: TestClient, database: Database, company: str
) -> None:
    login_as(client, database, member(SETUP, "shinki-tekiyo"))
    filed = client.post(
        f"{BASE}/company-setup",
        headers={"Idempotency-Key": "setup-key-0002"},
        json={"data": {k: v for k, v in SETUP_ANSWERS.items() if k != "insured_persons"}},
    )
    parts = {p["procedure_id"]: p for p in filed.json()["parts"]}
    assert parts[SETUP]["status"] == "submitted"
    assert parts["shinki-tekiyo"]["problem"] == "application-invalid"  # 被保険者の数 is missing
    assert parts["hojin-setsuritsu-to"]["problem"] == "procedures-not-granted"


PRIME = Principal(
    kind="business",
    subject_id="prime-0001",
    display_name="代表 花子",
    organization_code=COMPANY,
    roles=frozenset({"gbizid:prime"}),
)


def _setup_fields(page: str) -> dict[str, str]:
    return {
        "csrf_token": _csrf(page),
        "idempotency_key": page.split('name="idempotency_key" value="', 1)[1].split('"', 1)[0],
    }


def test_the_company_setup_form_files_every_part_without_javascript(
    client: TestClient, database: Database, company: str
) -> None:
    login_as(client, database, PRIME)
    form = client.get("/business/company-setup", headers=HTML)
    assert form.status_code == 200
    for name in ("法人設立届出書（税務署）", "健康保険・厚生年金保険 新規適用届"):
        assert name in form.text
    assert form.text.count('name="business_purpose"') == 1  # asked once for every filing
    assert 'type="file"' not in form.text and "登記事項証明書の添付は不要です" in form.text
    answers = {k: str(v) for k, v in SETUP_ANSWERS.items()}
    incomplete = client.post(
        "/business/company-setup",
        headers=HTML,
        data={**_setup_fields(form.text), **{k: v for k, v in answers.items() if k != "insured_persons"}},
    )
    assert incomplete.status_code == 422
    assert (
        'href="#e-insured_persons"' in incomplete.text
        and 'value="各種商品の輸出入及び販売"' in incomplete.text
    )
    with database.session() as db:
        assert (
            service.list_mine(db, corporate.subject_of(COMPANY), limit=10, offset=0)[1] == 0
        )  # nothing filed
    filed = client.post("/business/company-setup", headers=HTML, data={**_setup_fields(form.text), **answers})
    assert filed.status_code == 201, filed.text
    assert filed.text.count("受付済み") == 5 and "提出されていません" not in filed.text
    assert "日本年金機構（管轄の年金事務所）" in filed.text
    # an office's receipt number is digits a person can read out, not its internal code
    assert re.search(r"2026-9\d{5}-\d{6}", filed.text) and "2026-jpn-pension-" not in filed.text
    again = client.post("/business/company-setup", headers=HTML, data={**_setup_fields(form.text), **answers})
    assert again.status_code == 201  # the same key: the same five receipts, nothing filed twice
    with database.session() as db:
        assert service.list_mine(db, corporate.subject_of(COMPANY), limit=10, offset=0)[1] == 5
    bundle = filed.text.split('href="/business/company-setup/', 1)[1].split('"', 1)[0]
    status = client.get(f"/business/company-setup/{bundle}", headers=HTML)
    assert status.status_code == 200 and status.text.count("受付済み") == 5


def test_a_member_sees_which_parts_it_may_not_file(
    client: TestClient, database: Database, company: str
) -> None:
    login_as(client, database, member(SETUP))
    form = client.get("/business/company-setup", headers=HTML)
    assert form.text.count("このアカウントには権限がないため、この届出は提出されません。") == 4
    answers = {k: str(v) for k, v in SETUP_ANSWERS.items()}
    filed = client.post("/business/company-setup", headers=HTML, data={**_setup_fields(form.text), **answers})
    assert filed.status_code == 201
    assert filed.text.count("受付済み") == 1 and filed.text.count("提出されていません") == 4
    assert "プライムアカウントの管理者に付与を依頼してください" in filed.text
    login_as(client, database, PRIME)
    assert client.get(f"/business/company-setup/{'0' * 32}", headers=HTML).status_code == 404
