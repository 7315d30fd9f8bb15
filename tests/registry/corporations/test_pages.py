"""The corporations search page keeps its filters when paging."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from tests.plumbing import find_plumbing

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


def test_a_closed_corporation_in_the_results_shows_its_date_in_wareki(
    client: TestClient, database: Database
) -> None:
    """The results said 閉鎖 2022-06-24 beside records whose own page says 令和4年6月24日."""
    with database.session() as db:
        service.load_synthetic(db, 60, 3)
    page = client.get(
        "/registry/corporations", params={"closed": "yes"}, headers={"accept": "text/html"}
    ).text
    visible = re.sub(r"<[^>]+>", " ", page)
    assert re.search(r"閉鎖 (令和|平成|昭和)\d+年\d+月\d+日", visible), visible[:2000]
    assert find_plumbing(visible) == []
