"""The publisher console's pages (/staff/catalog): a municipality's publisher writes a dataset on a
form, gets each problem beside its field in Japanese with every value kept and nothing saved,
then saves a draft, publishes it (the public catalog finds it) and sees the history."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.catalog.models import CatalogDataset
from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal

PUBLISHER = Principal(
    kind="staff", subject_id="chiyoda.publisher", organization_code="131016", roles=frozenset({"公開"})
)
FORM = {
    "id": "chiyoda-toilets",
    "title_ja": "公衆トイレ一覧",
    "title_en": "Public toilets",
    "description_ja": "千代田区内の公衆トイレの場所と設備です。",
    "description_en": "Where the public toilets in Chiyoda City are.",
    "publisher": "chiyoda",
    "themes": ["GOVE", "REGI"],
    "keywords_ja": "公衆トイレ、バリアフリー",
    "keywords_en": "public toilets",
    "readings": "こうしゅうといれ",
    "license": "cc-by-4.0",
    "frequency": "IRREG",
    "access": "open",
    "spatial_ja": "東京都千代田区",
    "spatial_en": "Chiyoda City",
    "temporal_start": "2025-04-01",
    "legal_basis_ja": "官民データ活用推進基本法第11条",
    "legal_basis_en": "Basic Act on the Advancement of Utilizing Public and Private Sector Data, Article 11",
    "contact_name_ja": "千代田区 環境政策課",
    "contact_name_en": "Chiyoda City environment",
    "contact_email": "kankyo@example.lg.jp",
    "dist_0_title_ja": "公衆トイレ一覧（CSV）",
    "dist_0_title_en": "Public toilets (CSV)",
    "dist_0_format": "CSV",
    "dist_0_url": "https://www.city.chiyoda.lg.jp/opendata/toilets.csv",
}


@pytest.fixture
def staff(client: TestClient, database: Database) -> TestClient:
    login_as(client, database, PUBLISHER)
    return client


def test_a_refused_form_keeps_the_values_and_marks_the_fields(staff: TestClient, database: Database) -> None:
    bad = {
        **FORM,
        "description_ja": "",
        "description_en": "",
        "dist_0_url": "www.city.chiyoda.lg.jp/toilets.csv",
    }
    page = staff.post("/staff/catalog/new", data=bad)
    assert page.status_code == 422
    html = page.text
    assert 'id="description_ja" name="description_ja" rows="4" aria-invalid="true"' in html
    assert "入力してください（DCAT の必須項目です）。" in html
    assert 'value="公衆トイレ一覧"' in html and 'value="www.city.chiyoda.lg.jp/toilets.csv"' in html  # kept
    assert re.search(r'value="REGI" checked', html)
    wrong_url = staff.post(
        "/staff/catalog/new", data={**FORM, "dist_0_url": "www.city.chiyoda.lg.jp/toilets.csv"}
    )
    assert wrong_url.status_code == 422
    assert (
        'id="dist_0_url" name="dist_0_url" type="url" '
        'value="www.city.chiyoda.lg.jp/toilets.csv" aria-invalid="true"' in wrong_url.text
    )
    assert "https:// で始まるアドレス" in wrong_url.text
    with database.session() as db:
        assert db.get(CatalogDataset, "chiyoda-toilets") is None  # nothing saved


def test_write_publish_and_find(staff: TestClient) -> None:
    saved = staff.post("/staff/catalog/new", data=FORM, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/staff/catalog/chiyoda-toilets"
    draft = staff.get("/staff/catalog/chiyoda-toilets").text
    assert "下書き" in draft and "作成" in draft
    assert "公衆トイレ一覧" in staff.get("/staff/catalog").text
    assert "公衆トイレ" not in staff.get("/catalog", params={"q": "こうしゅうといれ"}).text
    staff.post("/staff/catalog/chiyoda-toilets/publish")
    assert "公衆トイレ一覧" in staff.get("/catalog", params={"q": "コウシュウトイレ"}).text
    public = staff.get("/catalog/chiyoda-toilets").text
    assert "東京都千代田区" in public and "2025年4月1日" in public
    again = staff.post("/staff/catalog/new", data=FORM)
    assert again.status_code == 409 and "この識別子のデータセットはすでにあります" in again.text


def test_a_registry_dataset_is_shown_but_not_editable(client: TestClient, database: Database) -> None:
    admin = Principal(
        kind="staff", subject_id="da.admin", organization_code="digital-agency", roles=frozenset({"管理"})
    )
    login_as(client, database, admin)
    page = client.get("/staff/catalog/addresses").text
    assert (
        "レジストリが登録したもので、ここでは変更できません" in page
        and '<form method="post" action="/staff/catalog/addresses"' not in page
    )
    viewer = Principal(kind="staff", subject_id="v", organization_code="131016", roles=frozenset({"閲覧"}))
    login_as(client, database, viewer)
    assert client.get("/staff/catalog", headers={"accept": "text/html"}).status_code == 403
