"""Staff pages: search, record with history, and the 転居 form with inline errors."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.core.database import Database
from tsunagu.registry.residents import service
from tsunagu.registry.residents.forms import display_date

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
    bad = client.get(PAGES, params={"birth_date": "4月1日"}, headers=HTML)
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    assert "日付は 令和8年4月1日 または 2026-04-01 の形で入力してください。" in bad.text


def test_search_reads_and_shows_birth_dates_as_the_register_does(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    """The results listed 生年月日 1990-04-01 and the search took only that form; a clerk reads and
    types the 和暦 of the 住民票."""
    login_as(client, database, staff(CHIYODA, "閲覧"))
    born = resident.birth_date
    for typed in (display_date(born).split(" ")[0], born.isoformat(), f"{born.year}/{born.month}/{born.day}"):
        page = client.get(PAGES, params={"birth_date": typed}, headers=HTML)
        assert page.status_code == 200 and f'href="{PAGES}/{resident.id}"' in page.text, typed
    assert f"生年月日 {display_date(born)}" in page.text  # 平成2年4月1日 (1990-04-01)


def test_a_demo_record_links_to_its_card(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, staff(CHIYODA, "閲覧"))
    page = client.get(f"{PAGES}/{resident.id}", headers=HTML)
    assert f'href="/identity/cards/demo?resident_id={resident.id}"' in page.text


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
