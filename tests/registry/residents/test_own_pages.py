"""わたしの住民票を見た記録: the person sees who read their record, its history and a past state."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.registry.residents import service
from tsunagu.registry.residents.own_pages import PAGE_SIZE

from .conftest import CHIYODA, person
from .test_pages import HTML, staff

PAGE = "/registry/me/accesses"
NUMBER = "123456789018"


@pytest.fixture
def resident(towns: Database) -> service.ResidentRecord:
    with towns.session() as db:
        record = service.register_move_in(
            db,
            CHIYODA,
            person(NUMBER),
            service.Residence(1001, "3", "5"),
            moved_in_on=date(2020, 4, 1),
            actor="c",
        )
        service.change_address(
            db, record.id, service.Residence(1002, "8"), effective_date=date(2025, 1, 10), actor="c"
        )
        return record


def test_the_person_sees_each_access_in_plain_japanese_newest_first(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    with database.session() as db:
        service.record_access(db, resident.id, "clerk-1", CHIYODA, "児童手当の審査", role="閲覧")
    login_as(client, database, staff(CHIYODA, "住基"))
    client.get(f"/staff/registry/residents/{resident.id}", headers=HTML)
    login_as(client, database, Principal(kind="resident", subject_id=resident.id))
    page = client.get(PAGE, headers=HTML)
    assert page.status_code == 200
    assert (
        "東京都千代田区" in page.text and "住民記録の担当職員" in page.text and "閲覧権限の職員" in page.text
    )
    assert page.text.index("住民基本台帳事務") < page.text.index("児童手当の審査")
    assert "clerk-" not in page.text and f"staff-{CHIYODA}" not in page.text  # by role, not by name
    assert "令和8年11月22日" in page.text  # when, in 和暦 (the fixed clock's day)


def test_the_number_is_masked_until_the_person_asks(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, Principal(kind="resident", subject_id=resident.id))
    page = client.get(PAGE, headers=HTML)
    assert NUMBER not in page.text and "********9018" in page.text and "番号を表示" in page.text
    shown = client.get(PAGE, params={"show_number": "true"}, headers=HTML)
    assert NUMBER in shown.text and "番号を隠す" in shown.text


def test_history_and_as_of_view(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    login_as(client, database, Principal(kind="resident", subject_id=resident.id))
    page = client.get(PAGE, headers=HTML)
    assert page.text.index("転居 · 令和7年1月10日") < page.text.index("転入 · 令和2年4月1日")
    past = client.get(PAGE, params={"as_of": "令和6年12月31日"}, headers=HTML)
    assert "時点: 令和6年12月31日 (2024-12-31)" in past.text and "飯田橋三丁目3-5" in past.text
    before = client.get(PAGE, params={"as_of": "2019-01-01"}, headers=HTML)
    assert "住民票はまだありませんでした" in before.text
    bad = client.get(PAGE, params={"as_of": "昨日"}, headers=HTML)
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text


def test_the_access_list_is_paginated(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    with database.session() as db:
        for _ in range(PAGE_SIZE + 3):
            service.record_access(db, resident.id, "clerk-1", CHIYODA, "住民票の写しの交付")
    login_as(client, database, Principal(kind="resident", subject_id=resident.id))
    first = client.get(PAGE, headers=HTML)
    assert f"{PAGE_SIZE + 3} 件" in first.text and first.text.count("住民票の写しの交付") == PAGE_SIZE
    second = client.get(PAGE, params={"offset": PAGE_SIZE}, headers=HTML)
    assert second.text.count("住民票の写しの交付") == 3


def test_only_the_resident_opens_the_page_and_it_is_linked(
    client: TestClient, database: Database, resident: service.ResidentRecord
) -> None:
    assert client.get(PAGE, headers=HTML).status_code == 401
    login_as(client, database, staff())
    assert client.get(PAGE, headers=HTML).status_code == 403
    login_as(client, database, Principal(kind="resident", subject_id=resident.id))
    for page in ("/identity/history", "/mesh/history"):
        assert f'href="{PAGE}"' in client.get(page, headers=HTML).text
