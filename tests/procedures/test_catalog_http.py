"""The catalogue over HTTP: API search and detail, problem+json and HTML 404s, the pages."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.core import sessions
from tsunagu.core.database import Database

HTML = {"accept": "text/html"}


def test_api_search_paginates_and_filters(client: TestClient) -> None:
    response = client.get("/api/v1/procedures", params={"life_event": "moving", "limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] >= 3 and len(body["items"]) == 2 and body["limit"] == 2
    assert all("moving" in item["life_events"] for item in body["items"])
    found = client.get("/api/v1/procedures", params={"q": "じゅうみんひょう"}).json()
    assert [item["id"] for item in found["items"]] == ["juminhyo-utsushi"]
    assert found["items"][0]["fee_yen"] == 300


def test_api_detail_includes_the_form_schema(client: TestClient) -> None:
    body = client.get("/api/v1/procedures/juminhyo-utsushi", params={"locale": "en"}).json()
    assert body["procedure"]["fee"]["amount_yen"] == 300
    schema = body["form_schema"]
    assert schema["properties"]["copies"] == {
        "title": "Number of copies",
        "type": "integer",
        "minimum": 1,
        "maximum": 10,
    }
    assert schema["properties"]["applicant_name"]["x-tsunagu-prefill"] == {
        "service": "residents.basic4",
        "item": "name",
    }
    assert "with_domicile" not in schema["required"] and "scope" in schema["required"]


def test_api_file_format_schema(client: TestClient) -> None:
    body = client.get("/api/v1/procedures/schema").json()
    assert body["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "workflow" in body["required"]


def test_unknown_procedure_is_a_problem_for_the_api(client: TestClient) -> None:
    response = client.get("/api/v1/procedures/no-such-procedure")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "procedure-not-found"


def test_unknown_life_event_is_a_422(client: TestClient) -> None:
    response = client.get("/api/v1/procedures", params={"life_event": "partying"})
    assert response.status_code == 422
    assert response.json()["code"] == "unknown-life-event"


def test_unknown_procedure_is_a_page_for_people(client: TestClient) -> None:
    response = client.get("/procedures/no-such-procedure", headers=HTML)
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "ページが見つかりません" in response.text


def test_search_page_without_javascript(client: TestClient) -> None:
    response = client.get("/procedures", params={"q": "ﾃﾝｼｭﾂ", "life_event": ""}, headers=HTML)
    assert response.status_code == 200
    assert 'href="/procedures/tenshutsu"' in response.text
    assert 'href="/procedures/juminhyo-utsushi"' not in response.text
    assert '<label for="q">' in response.text


def test_procedure_page_shows_what_is_needed(client: TestClient) -> None:
    page = client.get("/procedures/jido-teate-nintei", headers=HTML).text
    assert "所得課税証明書" in page and "添付書類は不要です" in page
    assert "30 日" in page and "無料" in page
    certificate = client.get("/procedures/juminhyo-utsushi", headers=HTML).text
    assert "300 円" in certificate and "申請時にお支払いください" in certificate
    moving_in = client.get("/procedures/tennyu-yoyaku", headers=HTML).text
    assert "必要です" in moving_in and "住民記録窓口" in moving_in


def test_procedure_page_in_english(client: TestClient) -> None:
    client.get("/lang/en?next=/procedures/juminhyo-utsushi")
    page = client.get("/procedures/juminhyo-utsushi", headers=HTML).text
    assert '<html lang="en">' in page
    assert "Request for a copy of the resident record" in page
    assert "Standard processing time" in page


def test_home_page_links_the_search(client: TestClient) -> None:
    page = client.get("/", headers=HTML).text
    assert 'action="/procedures"' in page


def test_definition_status_needs_staff(client: TestClient, database: Database) -> None:
    anonymous = client.get("/staff/procedures", headers=HTML, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/identity/staff/login"
    login_as(
        client,
        database,
        sessions.Principal(
            kind="staff", subject_id="s1", organization_code="digital-agency", roles=frozenset({"管理"})
        ),
    )
    page = client.get("/staff/procedures", headers=HTML)
    assert page.status_code == 200
    assert "転出届" in page.text and "すべての定義ファイルが有効です" in page.text


def test_procedure_page_sends_visitors_to_card_login_and_back(client: TestClient) -> None:
    page = client.get("/procedures/tenshutsu", headers=HTML).text
    assert 'href="/identity/login?next=/procedures/tenshutsu/apply"' in page
    assert 'href="/moving"' in page


def test_procedure_page_offers_residents_the_form(client: TestClient, database: Database) -> None:
    login_as(client, database, sessions.Principal(kind="resident", subject_id="r-1"))
    page = client.get("/procedures/tenshutsu", headers=HTML).text
    assert 'href="/procedures/tenshutsu/apply"' in page
    assert "/identity/login" not in page.split('id="apply-now"')[1].split("</section>")[0]


def test_business_procedures_offer_business_login(client: TestClient) -> None:
    page = client.get("/procedures/nyusatsu-sanka-shikaku", headers=HTML).text
    assert "/business/login?next=/procedures/nyusatsu-sanka-shikaku" in page


def test_pages_needing_login_offer_the_ways_to_log_in(client: TestClient) -> None:
    page = client.get("/procedures/tenshutsu/apply", headers=HTML)
    assert page.status_code == 401
    assert 'href="/identity/login?next=/procedures/tenshutsu/apply"' in page.text
