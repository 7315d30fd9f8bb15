"""The oversight pages and API: the public dashboard (SVG charts, tables, CSV), the inventory
search and a procedure's history, the import for staff with the oversight role, problems as
problem+json or a page with every bad line."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.core import sessions
from tsunagu.core.database import Database
from tsunagu.core.settings import Settings
from tsunagu.oversight import layouts, links
from tsunagu.oversight.api import OVERSIGHT_ROLE
from tsunagu.oversight.service import demo_systems_csv
from tsunagu.procedures.loader import SHIPPED_DIR
from tsunagu.web.app import create_app

from .files import R7_ROWS, csv_bytes, r6_rows

HTML = {"accept": "text/html"}


def _overseer(
    client: TestClient, database: Database, roles: frozenset[str] = frozenset({OVERSIGHT_ROLE})
) -> None:
    login_as(
        client,
        database,
        sessions.Principal(
            kind="staff",
            subject_id="staff-1",
            display_name="監理 花子",
            organization_code="digital-agency",
            roles=roles,
        ),
    )


def _upload(client: TestClient, name: str, data: bytes, year: str = "") -> httpx.Response:
    answer: httpx.Response = client.post(
        "/api/v1/oversight/inventory/surveys",
        files={"file": (name, data)},
        data={"survey_year": year} if year else {},
    )
    return answer


def _load_two_years(client: TestClient, database: Database) -> None:
    _overseer(client, database)
    assert _upload(client, "r6.csv", csv_bytes(layouts.R6_COLUMNS, r6_rows())).status_code == 201
    answer = _upload(client, "r7.csv", csv_bytes(layouts.R7_COLUMNS, R7_ROWS))
    assert answer.status_code == 201, answer.text
    assert answer.json()["layout"] == "R7"


def test_import_needs_the_oversight_role(client: TestClient, database: Database) -> None:
    assert _upload(client, "r7.csv", b"x").status_code == 403  # no CSRF token
    _overseer(client, database, frozenset({"管理"}))
    refused = _upload(client, "r7.csv", csv_bytes(layouts.R7_COLUMNS, R7_ROWS))
    assert refused.status_code == 403


def test_a_bad_file_is_a_problem_with_every_line(client: TestClient, database: Database) -> None:
    _overseer(client, database)
    rows = [dict(r) for r in R7_ROWS]
    rows[0]["総手続件数"] = "７５００"
    rows[2]["所管府省庁"] = "未来省"
    answer = _upload(client, "r7.csv", csv_bytes(layouts.R7_COLUMNS, rows))
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert body["code"] == "inventory-rejected"
    assert [(e["line"], e["column"]) for e in body["errors"]] == [(3, "総手続件数"), (5, "所管府省庁")]
    not_excel = _upload(client, "r7.xlsx", csv_bytes(layouts.R7_COLUMNS, R7_ROWS))
    assert not_excel.status_code == 422 and "Excel" in not_excel.json()["detail"]


def test_the_dashboard_draws_charts_with_tables_and_csv(client: TestClient, database: Database) -> None:
    _load_two_years(client, database)
    page = client.get("/dashboard", headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert text.count('<svg xmlns="http://www.w3.org/2000/svg"') == 3  # trend, ministries, pareto
    for svg in text.split('<svg xmlns="http://www.w3.org/2000/svg"')[1:]:
        ET.fromstring('<svg xmlns="http://www.w3.org/2000/svg"' + svg.split("</svg>")[0] + "</svg>")
    assert "50.0%" in text  # 2 of 4 procedures of 2025 are online
    assert "前年度から +25.0 ポイント" in text  # 1 of 4 in 2024
    trend = client.get("/dashboard/trend.csv")
    assert trend.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(trend.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["調査年度", "手続数", "オンライン化率（手続数）"]
    assert rows[1:] == [
        ["令和6年度", "4", "25.0%", "76.1%", "75.0%"],
        ["令和7年度", "4", "50.0%", "99.9%", "61.9%"],
    ]
    one = client.get("/dashboard", params={"ministry": "国土交通省"}, headers=HTML)
    assert "令和7年度調査・国土交通省・1 手続" in one.text


def test_search_filters_and_a_procedures_history(
    app: FastAPI, client: TestClient, database: Database
) -> None:
    _load_two_years(client, database)
    app.state.oversight_served = lambda: [links.Served("tenshutsu", (), "200002")]  # by inventory_id
    found = client.get(
        "/api/v1/oversight/inventory/procedures", params={"attachment": "住民票", "online_status": "1"}
    ).json()
    assert [i["procedure_id"] for i in found["items"]] == ["200002"]
    assert found["items"][0]["served_by"] == ["tenshutsu"]
    events = client.get("/api/v1/oversight/inventory/procedures", params={"life_event": "引越し"}).json()
    assert events["total"] == 1
    served = client.get("/api/v1/oversight/inventory/procedures", params={"served_only": "true"}).json()
    assert [i["procedure_id"] for i in served["items"]] == ["200002"]
    largest = client.get("/api/v1/oversight/inventory/procedures", params={"min_volume": 100000}).json()
    assert [i["procedure_id"] for i in largest["items"]] == ["200002", "200001"]
    history = client.get("/api/v1/oversight/inventory/procedures/200001").json()
    assert [(h["survey_year"], h["online_status"]) for h in history] == [
        (2024, "2 未実施"),
        (2025, "1 実施済"),
    ]
    page = client.get("/inventory/200002", headers=HTML)
    assert "つなぐで申請できます" in page.text and 'href="/procedures/tenshutsu"' in page.text
    form = {
        "q": "道路運送車両法",
        "year": "",
        "ministry": "",
        "type": "",
        "online_status": "",
        "life_event": "",
        "attachment": "",
        "min_volume": "",
    }  # the form sends its empty fields too
    listing = client.get("/inventory", params=form, headers=HTML)
    assert listing.status_code == 200 and "変更登録" in listing.text and "1 件" in listing.text
    bad = client.get("/api/v1/oversight/inventory/procedures", params={"min_volume": "-1"})
    assert bad.status_code == 422


def test_the_console_imports_and_lists_problems(client: TestClient, database: Database) -> None:
    _overseer(client, database)
    page = client.get("/oversight", headers=HTML)
    assert page.status_code == 200 and "棚卸データの取り込み" in page.text
    rows = [dict(r) for r in R7_ROWS]
    rows[1]["手続ID"] = "200001"
    refused = client.post(
        "/oversight/inventory", headers=HTML, files={"file": ("r7.csv", csv_bytes(layouts.R7_COLUMNS, rows))}
    )
    assert refused.status_code == 422 and "4行目" in refused.text and "3行目と重複" in refused.text
    done = client.post(
        "/oversight/inventory",
        data={"survey_year": "2025"},
        headers=HTML,
        files={"file": ("r7.csv", csv_bytes(layouts.R7_COLUMNS, R7_ROWS))},
    )
    assert done.status_code == 200 and "4 件を取り込みました" in done.text
    assert "府省庁名を一覧の名称にそろえました" in done.text
    systems = client.post(
        "/oversight/systems", headers=HTML, files={"file": ("systems.csv", demo_systems_csv())}
    )
    assert systems.status_code == 200 and "42 システム" in systems.text
    report = client.get("/api/v1/oversight/costs").json()
    national = next(p for p in report["overall"] if p["kind"] == "national")
    assert national["baseline_year"] == 2020 and national["target_year"] == 2025 and national["reduction"] > 0


def test_a_definitions_inventory_id_links_both_ways(
    tmp_path: Path, settings: Settings, database: Database
) -> None:
    """The YAML's inventory_id, through the live catalogue, links the procedure page to its
    inventory entry and the entry (and the search) back to the procedure."""
    directory = tmp_path / "definitions"
    directory.mkdir()
    text = (SHIPPED_DIR / "tenshutsu.yaml").read_text(encoding="utf-8")
    linked_text = text.replace("id: tenshutsu\n", 'id: tenshutsu\ninventory_id: "200002"\n', 1)
    (directory / "tenshutsu.yaml").write_text(linked_text, encoding="utf-8")
    linked = settings.model_copy(update={"procedures_dir": directory})
    with TestClient(create_app(linked, database)) as client:
        _load_two_years(client, database)
        page = client.get("/procedures/tenshutsu", headers=HTML)
        assert 'href="/inventory/200002"' in page.text
        entry = client.get("/inventory/200002", headers=HTML)
        assert "つなぐで申請できます" in entry.text and "転出届" in entry.text
        served = client.get("/api/v1/oversight/inventory/procedures", params={"served_only": "true"}).json()
        assert [(i["procedure_id"], i["served_by"]) for i in served["items"]] == [("200002", ["tenshutsu"])]


def test_the_console_says_import_problems_in_english_on_english_pages(
    client: TestClient, database: Database
) -> None:
    _overseer(client, database)
    client.cookies.set("tsunagu_lang", "en")
    rows = [dict(r) for r in R7_ROWS]
    rows[1]["手続ID"] = "200001"
    rows[2]["総手続件数"] = "1,500"
    rows[3]["所管府省庁"] = "未来省"
    refused = client.post(
        "/oversight/inventory", headers=HTML, files={"file": ("r7.csv", csv_bytes(layouts.R7_COLUMNS, rows))}
    )
    assert refused.status_code == 422
    text = refused.text
    assert '"r7.csv" cannot be imported (3 problems, listed below). Nothing was imported.' in text.replace(
        "&#34;", '"'
    )
    assert "has thousands separators (write 1500)" in text
    assert "repeats line 3" in text and "list of ministries" in text
    assert "読み込めません" not in text and "重複しています" not in text
    not_excel = client.post(
        "/oversight/inventory", headers=HTML, files={"file": ("r7.xlsx", b"\xd0\xcf\x11\xe0 old workbook")}
    )
    assert not_excel.status_code == 422 and "it is the old Excel format (.xls)" in not_excel.text
    bad_year = client.post(
        "/oversight/inventory", data={"survey_year": "R7"}, headers=HTML, files={"file": ("r7.csv", b"x")}
    )
    assert "Enter the survey year as four digits" in bad_year.text
    api = client.post(
        "/api/v1/oversight/inventory/surveys", files={"file": ("r7.csv", csv_bytes(layouts.R7_COLUMNS, rows))}
    ).json()
    first = api["errors"][0]
    assert first["template"] == "手続ID「%(value)s」が%(first)s行目と重複しています"
    assert first["params"] == {"value": "200001", "first": 3} and "3行目と重複" in first["message"]
