"""The public catalog pages: search that folds kana and width, facets by name, a dataset page
with live counts and downloads; Japanese first, English by the language cookie; no codes shown."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from tsunagu.core.database import Database

CODES = ("digital-agency", "national-tax-agency", "cc-by-4.0", "REGI", "GOVE", "MONTHLY", "mesh-services")


class _Text(HTMLParser):
    """The text a person reads (not attributes, not the skip link's target names)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S))
    return " ".join(" ".join(parser.parts).split())


def test_the_list_shows_every_dataset_by_name(client: TestClient) -> None:
    page = client.get("/catalog")
    assert page.status_code == 200
    text = visible(page.text)
    for title in (
        "住所（アドレス・ベース・レジストリ）",
        "法人（法人番号）",
        "住民基本台帳",
        "行政手続の一覧",
        "公共サービスメッシュの提供サービス",
    ):
        assert title in text
    assert "デジタル庁" in text and "地域・都市" in text and "非公開（説明のみ）" in text
    assert not [code for code in CODES if code in text]


def test_search_in_kana_and_full_width_finds_the_registry(client: TestClient) -> None:
    for q in ("ジュウショ", "じゅうしょ", "ｼﾞｭｳｼｮ"):
        text = visible(client.get("/catalog", params={"q": q}).text)
        assert "住所（アドレス・ベース・レジストリ）" in text and "法人（法人番号）" not in text, q
        assert "1 件" in text
    nothing = visible(client.get("/catalog", params={"q": "宇宙"}).text)
    assert "該当するデータはありませんでした" in nothing


def test_facets_are_links_that_narrow_and_clear(client: TestClient) -> None:
    html = client.get("/catalog").text
    link = re.search(r'<a href="([^"]+)">\s*国税庁</a>', html)
    assert link is not None
    narrowed = client.get(link.group(1).replace("&amp;", "&"))
    text = visible(narrowed.text)
    assert "法人（法人番号）" in text and "住所（アドレス・ベース・レジストリ）" not in text
    assert "選択中・押すと解除" in text
    cleared = re.search(r'<a href="([^"]+)" aria-current="true">', narrowed.text)
    assert cleared is not None and cleared.group(1) == "/catalog"
    # an unknown value in an address typed by hand finds nothing, and the page still answers
    assert "該当するデータはありませんでした" in visible(client.get("/catalog?theme=SPACE").text)


def test_a_dataset_page_names_everything_and_counts_live(loaded: Database, client: TestClient) -> None:
    page = client.get("/catalog/addresses")
    assert page.status_code == 200
    text = visible(page.text)
    for expected in (
        "デジタル庁",
        "クリエイティブ・コモンズ 表示 4.0 国際",
        "毎月",
        "2026年10月1日",
        "町字の数",
        "市区町村一覧（CSV）",
        "町字一覧（CSV）",
        "Geolonia 住所データ（CC BY 4.0）",
        "デジタル社会形成基本法第31条",
        "base-registry@example.go.jp",
    ):
        assert expected in text, expected
    assert re.search(r"町字の数 [\d,]+ 件", text)
    towns = "http://127.0.0.1:8000/api/v1/catalog/datasets/addresses/files/towns.csv"
    assert f'href="{towns}" download' in page.text
    assert not [code for code in CODES if code in text]
    closed = visible(client.get("/catalog/residents").text)
    assert "公開していません" in closed and "ダウンロードできるファイルはありません" in closed


def test_english(client: TestClient) -> None:
    client.cookies.set("tsunagu_lang", "en")
    text = visible(client.get("/catalog").text)
    assert "Data catalog" in text and "Addresses (address base registry)" in text and "Publisher" in text
    detail = visible(client.get("/catalog/corporations").text)
    assert "National Tax Agency" in detail and "Daily" in detail and "Number of corporations" in detail


def test_an_unknown_dataset_is_a_page_not_found(client: TestClient) -> None:
    page = client.get("/catalog/no-such-data", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")


def test_a_dataset_page_carries_schema_org_for_search_engines(client: TestClient) -> None:
    html = client.get("/catalog/addresses").text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    assert block is not None
    described = json.loads(block.group(1))
    assert described["@type"] == "Dataset" and described["name"] == "住所（アドレス・ベース・レジストリ）"
    assert described["publisher"]["name"] == "デジタル庁"
    assert described["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert {d["encodingFormat"] for d in described["distribution"]} == {
        "text/csv",
        "application/json",
        "application/ld+json",
    }
