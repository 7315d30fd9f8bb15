"""The corporations search page keeps its filters when paging."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tsunagu.core.database import Database
from tsunagu.registry.corporations import service


def test_search_pages_keep_the_filters(client: TestClient, database: Database) -> None:
    with database.session() as db:
        service.load_synthetic(db, 60, 3)
    page = client.get(
        "/registry/corporations", params={"name": "株式会社", "closed": "no"}, headers={"accept": "text/html"}
    ).text
    name = "%E6%A0%AA%E5%BC%8F%E4%BC%9A%E7%A4%BE"  # 株式会社
    assert f"?name={name}&amp;kana=&amp;prefecture=&amp;municipality=&amp;closed=no&amp;offset=" in page
