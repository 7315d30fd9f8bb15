"""Every integer and date a client sends has a range: out of it is a 422 naming the parameter.

On the main of 2026-12-04 (30f2d71) ``offset`` ≥ 2^63 overflowed the database's integer on the
list endpoints and ``appointments/schedule?day=9999-12-31`` (or ``0001-01-01``) overflowed the
next day's arithmetic: 500s, in the API and on the staff page.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.core import sessions
from tsunagu.core.database import Database

HTML = {"accept": "text/html"}
CLERK = sessions.Principal(
    kind="staff",
    subject_id="clerk-1",
    display_name="窓口",
    organization_code="131016",
    roles=frozenset({"閲覧", "住基", "審査"}),
)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/procedures",
        "/api/v1/registry/corporations",
        "/api/v1/procedures/appointments/slots?organization=131016&",
    ],
)
@pytest.mark.parametrize("offset", [2**63, 2**64 + 1, 2**31])
def test_a_huge_offset_is_a_422_on_offset(client: TestClient, path: str, offset: int) -> None:
    separator = "" if path.endswith("&") else "?"
    response = client.get(f"{path}{separator}offset={offset}")
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["location"] == ["query", "offset"]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2200-01-01"])
def test_a_day_out_of_range_is_a_422_in_the_api_and_on_the_page(
    client: TestClient, database: Database, day: str
) -> None:
    login_as(client, database, CLERK)
    response = client.get(f"/api/v1/procedures/appointments/schedule?day={day}")
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["location"] == ["query", "day"]
    page = client.get(f"/staff/appointments?day={day}", headers=HTML)
    assert page.status_code == 422
    assert "入力内容を確認してください" in page.text


def test_a_day_in_range_is_answered(client: TestClient, database: Database) -> None:
    login_as(client, database, CLERK)
    assert client.get("/api/v1/procedures/appointments/schedule?day=2199-12-31").status_code == 200
    assert client.get("/api/v1/procedures/appointments/schedule?day=1868-01-01").status_code == 200
