"""This platform's procedures linked to the national inventory by their legal basis: the articles a
definition cites against the survey's 法令名 + 根拠条項号, in files written in the published R6 and
R7 layouts. Near misses (another article of the same law, the same article of another law, an
article's branch 第24条の2, the 施行規則 of the same law) must not link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tsunagu.cli.main import app
from tsunagu.core.database import Database
from tsunagu.core.settings import get_settings
from tsunagu.oversight import generator, inventory, layouts, legal_basis, links
from tsunagu.oversight.legal_basis import Citation

from .files import csv_bytes
from .test_web import HTML, _overseer


def _row(procedure_id: str, ministry: str, name: str, law: str, article: str, **more: str) -> dict[str, Any]:
    return {
        "手続ID": procedure_id,
        "所管府省庁": ministry,
        "手続名": name,
        "法令名": law,
        "根拠条項号": article,
        "手続類型": more.get("type", "1 申請等"),
        "手続主体": "5 国民等",
        "手続の受け手": "3 地方等",
        "府省共通手続": "✕（府省庁共通手続でない）",
        "オンライン化の実施状況": "1 実施済",
        "総手続件数": "1000",
    }


#: rows as the survey writes them: kanji numerals, full-width digits, 項 after the article
R7_SURVEY = [
    _row("300001", "総務省", "転出届", "住民基本台帳法", "第二十四条"),
    _row("300002", "総務省", "転入届", "住民基本台帳法", "第２２条第１項"),
    _row("300003", "総務省", "転居届", "住民基本台帳法", "第二十三条"),  # another article
    _row("300004", "総務省", "転入届の特例", "住民基本台帳法", "第二十四条の二第一項"),  # a branch
    _row("300005", "こども家庭庁", "児童手当の認定の請求", "児童手当法", "第七条第一項"),
    _row(
        "300006",
        "こども家庭庁",
        "児童手当の認定の通知",
        "児童手当法",
        "第七条第一項",
        type="2-1 申請等に基づく処分通知等",
    ),
    _row(
        "300007", "こども家庭庁", "児童手当の額の改定の請求", "児童手当法", "第九条第一項"
    ),  # another article
    _row(
        "300008", "こども家庭庁", "児童扶養手当の認定の請求", "児童扶養手当法", "第七条"
    ),  # another law, same article
    _row(
        "300009", "こども家庭庁", "児童手当の受給資格の届出", "児童手当法施行規則", "第七条"
    ),  # its 施行規則
    _row("300010", "厚生労働省", "要介護認定の申請", "介護保険法", "第二十七条第一項"),
    _row("300011", "厚生労働省", "要介護認定の更新の申請", "介護保険法", "第二十八条第二項"),
    _row("300012", "厚生労働省", "要支援認定の申請", "介護保険法", "第三十二条第一項"),
    _row("300013", "財務省", "内国普通法人等の設立の届出", "法人税法", "第百四十八条第一項"),
]


def _served(procedure: str, *basis: str, inventory_id: str | None = None) -> links.Served:
    return links.Served(procedure, basis, inventory_id)


def _import(database: Database, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    with database.session() as db:
        inventory.import_inventory(db, "survey.csv", csv_bytes(columns, rows), actor="test")


@pytest.mark.parametrize(
    ("text", "law", "expected"),
    [
        ("児童手当法第7条（認定）", "", ["児童手当法第7条"]),
        ("第七条第一項", "児童手当法", ["児童手当法第7条第1項"]),
        ("第２４条の２", "住民基本台帳法", ["住民基本台帳法第24条の2"]),
        ("第三百十七条の二", "地方税法", ["地方税法第317条の2"]),
        ("第百四十八条", "法人税法（昭和四十年法律第三十四号）", ["法人税法第148条"]),
        (
            "厚生年金保険法第6条・第27条、同法施行規則第13条（新規適用の届出）",
            "",
            ["厚生年金保険法第6条", "厚生年金保険法第27条", "厚生年金保険法施行規則第13条"],
        ),
        (
            "行政手続における特定の個人を識別するための番号の利用等に関する法律第19条第8号",
            "",
            ["行政手続における特定の個人を識別するための番号の利用等に関する法律第19条第8号"],
        ),
        ("横須賀市市税条例（法人の設立等の申告）", "", []),  # an ordinance cited by name only
        ("附則第三条", "児童手当法", ["児童手当法附則第3条"]),
    ],
)
def test_citations_fold_the_ways_articles_are_written(text: str, law: str, expected: list[str]) -> None:
    assert [c.text() for c in legal_basis.citations(text, law)] == expected


def test_an_article_covers_its_paragraphs_but_not_another_paragraph() -> None:
    cited = Citation("児童手当法", "7")
    assert cited.covers(Citation("児童手当法", "7", "1"))
    assert not Citation("児童手当法", "7", "2").covers(Citation("児童手当法", "7", "1"))
    assert not cited.covers(Citation("児童手当法", "7-2"))
    assert not cited.covers(Citation("児童扶養手当法", "7"))


def test_procedures_link_by_legal_basis_in_the_r7_layout(database: Database) -> None:
    _import(database, layouts.R7_COLUMNS, R7_SURVEY)
    served = [
        _served("tenshutsu", "住民基本台帳法第24条（転出届）", "住民基本台帳法第24条の2（特例）"),
        _served("tennyu", "住民基本台帳法第22条（転入届）"),
        _served("jido", "児童手当法第7条（認定）", "児童手当法第4条（支給要件）"),
        _served("kaigo", "介護保険法第27条（要介護認定）", "介護保険法第32条（要支援認定）"),
        _served("hojin", "法人税法第148条（内国普通法人等の設立の届出）"),
        _served("jorei", "千代田区子ども医療費の助成に関する条例"),
    ]
    with database.session() as db:
        found = links.links(db, served)
    # the 24条 row and the 24条の2 row are both cited by 転出届's definition: both are candidates
    assert found["tenshutsu"].method == "ambiguous"
    assert [e.procedure_id for e in found["tenshutsu"].entries] == ["300001", "300004"]
    assert (found["tennyu"].method, found["tennyu"].entry and found["tennyu"].entry.procedure_id) == (
        "legal_basis",
        "300002",
    )
    jido = found["jido"]
    # not the 第9条 row, not 児童扶養手当法第7条, not the 施行規則's 第7条, and the 申請 rather than
    # the 処分通知 resting on the same article
    assert jido.method == "legal_basis"
    assert jido.entry is not None and jido.entry.procedure_id == "300005"
    assert jido.entry.cited == "児童手当法第7条" and jido.entry.basis == "第七条第一項"
    assert found["kaigo"].method == "ambiguous"
    assert {e.procedure_id for e in found["kaigo"].entries} == {"300010", "300012"}  # not 第28条
    assert found["hojin"].entry is not None and found["hojin"].entry.procedure_id == "300013"
    assert found["jorei"].method == "none" and not found["jorei"].entries
    assert links.linked_ids(found) == {"300002": ["tennyu"], "300005": ["jido"], "300013": ["hojin"]}


def test_inventory_id_overrides_and_a_missing_one_is_said(database: Database) -> None:
    _import(database, layouts.R7_COLUMNS, R7_SURVEY)
    with database.session() as db:
        found = links.links(
            db,
            [
                _served("tenshutsu", "住民基本台帳法第24条", inventory_id="300001"),
                _served("jido", "児童手当法第7条", inventory_id="999999"),
            ],
        )
    assert found["tenshutsu"].method == "explicit"
    assert found["tenshutsu"].entry is not None and found["tenshutsu"].entry.cited == ""
    assert (found["jido"].method, found["jido"].missing_id) == ("legal_basis", "999999")


def test_the_r6_layout_links_with_its_law_number_column(database: Database) -> None:
    rows = [
        {
            **{k: v for k, v in r.items() if k in layouts.R6_COLUMNS},
            "府省共通手続": "×（府省共通手続でない）",
            "法令番号": "昭和四十六年法律第七十三号",
        }
        for r in R7_SURVEY
        if r["法令名"] == "児童手当法"
    ]
    rows[0]["法令名"] = "児童手当法（昭和四十六年法律第七十三号）"  # a note in the name is folded away
    _import(database, layouts.R6_COLUMNS, rows)
    with database.session() as db:
        found = links.links(db, [_served("jido", "児童手当法第七条")])
    assert found["jido"].entry is not None and found["jido"].entry.procedure_id == "300005"


def test_the_import_reports_the_links(database: Database) -> None:
    with database.session() as db:
        report = inventory.import_inventory(
            db,
            "survey.csv",
            csv_bytes(layouts.R7_COLUMNS, R7_SURVEY),
            actor="test",
            served=[_served("hojin", "法人税法第148条")],
        )
    assert report.links["hojin"].method == "legal_basis"


def test_the_generated_inventory_links_the_shipped_procedures(database: Database) -> None:
    """The demo's file: its first rows are the served procedures, the made-up rows never rest on an
    article a served procedure cites."""
    cited = legal_basis.citations("健康保険法第3条・第48条")
    data = generator.csv_bytes(layouts.R7, 2025, 3000, reserved=cited)
    with database.session() as db:
        inventory.import_inventory(db, "demo.csv", data, actor="test")
        found = links.links(
            db,
            [
                _served("tenshutsu", "住民基本台帳法第24条（転出届）"),
                _served("shinki", "健康保険法第3条・第48条", "厚生年金保険法施行規則第13条"),
                _served("jido", "児童手当法第7条（認定）"),
            ],
        )
    assert all(link.method == "legal_basis" for link in found.values()), found
    names = {p: link.entry.name for p, link in found.items() if link.entry}
    assert names == {"tenshutsu": "転出届", "shinki": "新規適用の届出", "jido": "児童手当の認定の請求"}


def _web_rows() -> list[dict[str, Any]]:
    return [r for r in R7_SURVEY if r["手続ID"] != "300004"]  # without the 第24条の2 row


def test_the_web_import_shows_the_links_and_every_page_follows_them(
    client: TestClient, database: Database
) -> None:
    """With the shipped definitions: the console says how each procedure was linked; the procedure
    page names its entry; the inventory marks the entries served and the candidates."""
    _overseer(client, database)
    done = client.post(
        "/oversight/inventory",
        headers=HTML,
        files={"file": ("r7.csv", csv_bytes(layouts.R7_COLUMNS, _web_rows()))},
    )
    assert done.status_code == 200, done.text
    console = done.text
    assert "つなぐの手続と棚卸データの対応" in console and "根拠法令の条項による" in console
    assert "住民基本台帳法第24条" in console and "根拠法令の条項が同じ手続が複数あります" in console
    page = client.get("/procedures/tenshutsu", headers=HTML).text
    assert (
        'href="/inventory/300001"' in page
        and "根拠法令の条項（住民基本台帳法第24条）で対応づけています" in page
    )
    ambiguous = client.get("/procedures/kaigo-nintei", headers=HTML).text
    assert "根拠法令の条項が同じ手続が 2 件あります" in ambiguous and 'href="/inventory/300012"' in ambiguous
    listing = client.get("/inventory", params={"q": "住民基本台帳法"}, headers=HTML).text
    assert "つなぐで申請できます" in listing and "つなぐで申請できる手続" in listing
    kaigo = client.get("/inventory", params={"q": "介護保険法"}, headers=HTML).text
    assert "つなぐの手続の候補" in kaigo
    entry = client.get("/inventory/300010", headers=HTML).text
    assert "つなぐの手続の候補" in entry and "/procedures/kaigo-nintei" in entry
    found = {link["procedure"]: link for link in client.get("/api/v1/oversight/inventory/links").json()}
    assert found["tenshutsu"]["method"] == "legal_basis"
    assert found["jido-teate-nintei"]["entries"][0]["basis"] == "第七条第一項"
    assert found["kodomo-iryohi-josei"]["method"] == "none"
    served = client.get("/api/v1/oversight/inventory/procedures", params={"served_only": "true"}).json()
    assert {"300001", "300002", "300005", "300013"} <= {i["procedure_id"] for i in served["items"]}


def test_the_api_import_answers_with_the_links(client: TestClient, database: Database) -> None:
    _overseer(client, database)
    answer = client.post(
        "/api/v1/oversight/inventory/surveys",
        files={"file": ("r7.csv", csv_bytes(layouts.R7_COLUMNS, _web_rows()))},
    )
    assert answer.status_code == 201, answer.text
    found = {link["procedure"]: link for link in answer.json()["links"]}
    assert found["hojin-setsuritsu-todokede"]["entries"][0]["procedure_id"] == "300013"


def test_the_cli_import_prints_the_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: Database
) -> None:
    monkeypatch.setenv("TSUNAGU_DATABASE_URL", database.url)
    get_settings.cache_clear()
    try:
        survey = tmp_path / "r7.csv"
        survey.write_bytes(csv_bytes(layouts.R7_COLUMNS, _web_rows()))
        result = CliRunner().invoke(
            app, ["oversight", "import-inventory", str(survey)], env={"COLUMNS": "200"}
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "転出届: 300001 転出届 — 根拠法令の条項による（住民基本台帳法第24条）" in result.output
    assert (
        "要介護・要支援認定の申請: 根拠法令の条項が同じ手続が複数あります: 300010 要介護認定の申請"
        in result.output
    )
