"""The dashboard by place: the conformance part's migration overview on a prefecture tile map made
from the address registry (real towns of a sample), filters by prefecture and municipality, and the
English page with English charts and 年度 as FY."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from tests.registry.addresses.conftest import SAMPLE

from tsunagu.conformance import pmo
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.oversight import maps
from tsunagu.registry.addresses import service as addresses

from .test_web import HTML, _load_two_years


@pytest.fixture
def places(database: Database) -> list[addresses.MunicipalityRecord]:
    """The sample's prefectures and municipalities, each with the 20 areas' migration status."""
    with database.session() as db:
        addresses.load(db, SilentProgress(), towns_file=SAMPLE)
        found = addresses.list_municipalities(db)
        pmo.seed(
            db,
            [pmo.Municipality(m.code, m.name, m.prefecture) for m in found],
            7,
            SilentProgress(),
            today=date(2026, 12, 1),
        )
    return found


def _svg(page: str, chart_id: str) -> ET.Element:
    start = page.index(f'aria-labelledby="{chart_id}-t')
    start = page.rindex("<svg", 0, start)
    return ET.fromstring(page[start : page.index("</svg>", start) + len("</svg>")])


def test_the_map_shades_each_prefecture_and_links_to_it(
    client: TestClient, places: list[addresses.MunicipalityRecord]
) -> None:
    page = client.get("/dashboard", headers=HTML).text
    svg = _svg(page, "chart-map")
    ns = "{http://www.w3.org/2000/svg}"
    links = svg.findall(f"{ns}a")
    prefectures = sorted({m.prefecture for m in places})
    assert sorted(a.get("aria-label", "").split(" ")[0] for a in links) == prefectures
    for a in links:
        name = a.get("aria-label", "").split(" ")[0]
        assert a.get("href") == f"/dashboard?prefecture={quote(name)}"
        fill = a.find(f"{ns}rect").get("fill")  # type: ignore[union-attr]
        assert fill in maps.CLASSES  # every sample prefecture has statuses: none is "no data"
    table = list(csv.reader(io.StringIO(client.get("/dashboard/places.csv").content.decode("utf-8-sig"))))
    assert table[0] == ["地域", "対象", "移行済", "移行率", "予定より遅れ"]
    by_name = {row[0]: row for row in table[1:]}
    assert sorted(by_name) == prefectures
    tokyo = [m for m in places if m.prefecture == "東京都"]
    assert by_name["東京都"][1] == str(20 * len(tokyo))  # 20 標準化対象事務 per municipality
    assert "地方公共団体の基幹業務システムの標準化" in page and "Geolonia" in page


def test_a_prefecture_then_a_municipality_narrows_the_overview(
    client: TestClient, places: list[addresses.MunicipalityRecord]
) -> None:
    tokyo = client.get("/dashboard", params={"prefecture": "東京都"}, headers=HTML).text
    assert 'aria-labelledby="chart-map-t' not in tokyo  # the municipalities as a table instead
    chiyoda = next(m for m in places if m.name == "千代田区")
    assert f'<option value="{chiyoda.code}">千代田区</option>' in tokyo
    assert "東京都の市区町村別の移行状況" in tokyo and "全国の地図に戻る" in tokyo
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/dashboard/places.csv", params={"prefecture": "東京都"}).text.lstrip("\ufeff")
            )
        )
    )
    assert sorted(r[0] for r in rows[1:]) == sorted(m.name for m in places if m.prefecture == "東京都")
    one = client.get(
        "/dashboard/migration.csv", params={"prefecture": "東京都", "municipality": chiyoda.code}
    )
    areas = list(csv.reader(io.StringIO(one.text.lstrip("\ufeff"))))[1:]
    assert len(areas) == 20 and all(row[1] == "1" for row in areas)  # one municipality, each area once
    unknown = client.get(
        "/dashboard", params={"prefecture": "架空県", "municipality": chiyoda.code}, headers=HTML
    )
    assert unknown.status_code == 200 and 'aria-labelledby="chart-map-t' in unknown.text  # shows all of Japan


def test_the_english_dashboard_speaks_english_with_fiscal_years(
    client: TestClient, database: Database, places: list[addresses.MunicipalityRecord]
) -> None:
    _load_two_years(client, database)
    client.cookies.set("tsunagu_lang", "en")
    page = client.get("/dashboard", headers=HTML).text
    for title in (
        "Online availability over time",
        "Migration rate by prefecture (map)",
        "Migration rate by standardized business",
    ):
        assert title in page
    assert "オンライン化の推移" not in page and "都道府県別の移行率" not in page
    trend = list(csv.reader(io.StringIO(client.get("/dashboard/trend.csv").content.decode("utf-8-sig"))))
    assert trend[1][0] == "FY2024" and trend[0][0] != "調査年度"
    assert "Child allowance" in client.get("/dashboard/migration.csv").text
