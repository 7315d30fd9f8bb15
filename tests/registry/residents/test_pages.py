"""Staff pages: search, record with history, and the 転居 form with inline errors."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.core.database import Database
from tsunagu.registry.residents import service

from .conftest import CHIYODA, YOKOSUKA, staff

PAGES = "/staff/registry/residents"
HTML = {"accept": "text/html"}


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_search_finds_and_links_residents(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff(CHIYODA, "閲覧"))
    page = client.get(PAGES, params={"kana": "さとう"}, headers=HTML)
    assert page.status_code == 200
    assert "佐藤 花子" in page.text and f'href="{PAGES}/{resident.id}"' in page.text
    assert 'label for="kana"' in page.text
    bad = client.get(PAGES, params={"birth_date": "1990/4/1"}, headers=HTML)
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text


def test_record_page_shows_history_and_is_logged(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff(CHIYODA, "閲覧"))
    page = client.get(f"{PAGES}/{resident.id}", headers=HTML)
    assert page.status_code == 200
    assert "異動履歴" in page.text and "住民基本台帳法第22条" in page.text
    assert "転居を登録" not in page.text  # a viewer cannot register changes
    with database.session() as db:
        assert [a.actor for a in service.accesses_of(db, resident.id)] == [f"staff-{CHIYODA}"]


def test_another_municipalitys_staff_cannot_open_the_record(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff(YOKOSUKA))
    assert client.get(f"{PAGES}/{resident.id}", headers=HTML).status_code == 403
    client.cookies.clear()
    anonymous = client.get(f"{PAGES}/{resident.id}", headers=HTML, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/identity/staff/login"
    assert client.get(f"{PAGES}/{resident.id}").status_code == 401  # the API answers, not redirects
