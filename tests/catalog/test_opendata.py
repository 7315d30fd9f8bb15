"""Open-data files as real tools read them: the CSVs and their datapackage.json, downloaded from
the app and validated by the ``frictionless`` library (a differential check against a peer)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import frictionless
import pytest
from fastapi.testclient import TestClient

from tsunagu.catalog import service
from tsunagu.catalog.service import tables
from tsunagu.core.database import Database
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.corporations import service as corporations

FILES = "/api/v1/catalog/datasets/{}/files/{}"


def _download(client: TestClient, dataset: str, target: Path) -> dict[str, object]:
    target.mkdir()
    package = client.get(FILES.format(dataset, "datapackage.json"))
    assert package.status_code == 200
    descriptor = package.json()
    (target / "datapackage.json").write_text(package.text, encoding="utf-8")
    for resource in descriptor["resources"]:
        answer = client.get(FILES.format(dataset, resource["path"]))
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "text/csv; charset=utf-8"
        assert "attachment" in answer.headers["content-disposition"]
        (target / resource["path"]).write_bytes(answer.content)
    return dict(descriptor)


def test_the_address_files_pass_frictionless_validate(
    loaded: Database, client: TestClient, tmp_path: Path
) -> None:
    descriptor = _download(client, "addresses", tmp_path / "addresses")
    report = frictionless.validate(str(tmp_path / "addresses" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert [r["path"] for r in descriptor["resources"]] == ["municipalities.csv", "towns.csv"]  # type: ignore[index]
    with loaded.session() as db:
        municipalities = addresses.list_municipalities(db)
        towns = addresses.search_towns(db, addresses.TownFilter(), limit=1, offset=0)[1]
    assert report.tasks[0].stats["rows"] == len(municipalities) > 0
    assert report.tasks[1].stats["rows"] == towns > 100
    # codes keep their leading zeros and the header is the first line, in UTF-8 without a BOM
    raw = (tmp_path / "addresses" / "municipalities.csv").read_bytes()
    assert raw.startswith("全国地方公共団体コード,都道府県コード".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    chiyoda = next(r for r in rows if r["市区町村名"] == "千代田区")
    assert chiyoda["全国地方公共団体コード"] == "131016" and chiyoda["都道府県名"] == "東京都"
    sapporo_ward = next(r for r in rows if r["市区町村名"] == "札幌市中央区")
    assert sapporo_ward["都道府県コード"] == "01" and sapporo_ward["政令指定都市コード"] == "011002"


def test_the_procedure_list_passes_frictionless_validate(client: TestClient, tmp_path: Path) -> None:
    _download(client, "procedures", tmp_path / "procedures")
    descriptor = str(tmp_path / "procedures" / "datapackage.json")
    report = frictionless.validate(descriptor)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = frictionless.Package(descriptor).get_resource("procedures").read_rows()
    assert {"転出届", "住民票の写しの交付請求"} & {row["手続名"] for row in rows}
    assert len(rows) == len(client.app.state.catalog_procedures()) >= 5  # type: ignore[attr-defined]
    tenshutsu = next(row for row in rows if row["手続ID"] == "tenshutsu")
    assert "住民基本台帳法第24条" in tenshutsu["根拠法令"] and "住民" in tenshutsu["申請できる人"]


def test_a_broken_file_is_caught_by_the_same_check(
    loaded: Database, client: TestClient, tmp_path: Path
) -> None:
    """The check has teeth: a municipality code without its leading zero fails frictionless."""
    _download(client, "addresses", tmp_path / "addresses")
    path = tmp_path / "addresses" / "municipalities.csv"
    original = path.read_bytes()
    path.write_bytes(original.replace(b"\r\n011002,", b"\r\n11002,", 1))
    assert path.read_bytes() != original
    report = frictionless.validate(str(tmp_path / "addresses" / "datapackage.json"))
    assert not report.valid
    assert "constraint-error" in {e.type for e in report.tasks[0].errors}


def test_the_csv_is_streamed_in_chunks(loaded: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "CHUNK_ROWS", 100)
    chunks = list(service.csv_stream(loaded, service.TABLES["address-towns"], lambda: []))
    lines = [c.decode("utf-8").count("\r\n") for c in chunks]
    assert len(chunks) > 3
    assert max(lines) <= 101  # a chunk holds at most CHUNK_ROWS rows (the first also the header)
    with loaded.session() as db:
        towns = addresses.search_towns(db, addresses.TownFilter(), limit=1, offset=0)[1]
    assert sum(lines) == towns + 1


def test_unknown_files_and_datasets_are_problems(client: TestClient) -> None:
    missing = client.get(FILES.format("addresses", "stars.csv"))
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.json()["code"] == "catalog-file-not-found"
    closed = client.get(FILES.format("residents", "datapackage.json"))
    assert closed.json()["code"] == "catalog-file-not-found"
    assert client.get(FILES.format("nothing", "towns.csv")).json()["code"] == "catalog-dataset-not-found"


def test_the_descriptor_credits_the_address_data(client: TestClient) -> None:
    descriptor = json.loads(client.get(FILES.format("addresses", "datapackage.json")).text)
    assert descriptor["licenses"][0]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    assert descriptor["sources"][0]["title"] == addresses.ATTRIBUTION


def test_the_corporations_file_passes_frictionless_validate(
    database: Database, client: TestClient, tmp_path: Path
) -> None:
    """Read in batches by 法人番号 (more rows than one batch), every published corporation once."""
    with database.session() as db:
        corporations.load_synthetic(db, 2500, seed=7)
        published = corporations.search(db, limit=1)[1]
    descriptor = _download(client, "corporations", tmp_path / "corporations")
    assert [r["path"] for r in descriptor["resources"]] == ["corporations.csv"]  # type: ignore[index]
    report = frictionless.validate(str(tmp_path / "corporations" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert report.tasks[0].stats["rows"] == published > service.CHUNK_ROWS
    text = (tmp_path / "corporations" / "corporations.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    numbers = [r["法人番号"] for r in rows]
    assert numbers == sorted(set(numbers))  # each once, in order
    with database.session() as db:
        first = corporations.require_corporation(db, numbers[0])
    assert rows[0]["商号又は名称"] == first.name and rows[0]["法人種別"] == first.kind_label
