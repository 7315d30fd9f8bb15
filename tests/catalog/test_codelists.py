"""Code lists: read from the code where they live there, versions and validity periods, refused
when codes repeat with overlapping validity; CSV, JSON and SKOS (checked by rdflib)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import rdflib
import rdflib.compare
from fastapi.testclient import TestClient
from pydantic import ValidationError
from rdflib.namespace import SKOS
from tests.catalog.test_pages import visible

from tsunagu.catalog import codelists
from tsunagu.catalog.definitions import Text
from tsunagu.core.database import Database
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.types.local_government_code import LocalGovernmentCode
from tsunagu.core.types.sex import Sex
from tsunagu.registry.corporations import nta_format


def test_lists_come_from_where_the_codes_live() -> None:
    sex = codelists.code_list("sex")
    assert [c.code for c in sex.codes] == [s.value for s in Sex]
    assert sex.label_of("2").ja == "女"
    kinds = codelists.code_list("corporation-kind")
    assert {c.code: c.label.ja for c in kinds.codes} == nta_format.KINDS
    assert len(codelists.code_list("prefecture").codes) == 47


def test_eras_have_validity_periods_that_meet() -> None:
    eras = codelists.code_list("era")
    assert eras.valid_on("H", date(2019, 4, 30)) and not eras.valid_on("H", date(2019, 5, 1))
    assert eras.valid_on("R", date(2019, 5, 1)) and [c.code for c in eras.current(date(1989, 1, 7))] == ["S"]
    assert codelists.code_list("prefecture").valid_on("47", date(1972, 5, 15))
    assert not codelists.code_list("prefecture").valid_on("47", date(1972, 5, 14))


def _list(*codes: codelists.Code) -> codelists.CodeList:
    return codelists.CodeList(
        id="test",
        title=Text(ja="て", en="T"),
        description=Text(ja="て", en="T"),
        publisher=Text(ja="て", en="T"),
        version="1",
        valid_from=date(2020, 1, 1),
        codes=codes,
    )


def test_duplicate_codes_and_overlapping_validity_are_refused() -> None:
    label = Text(ja="あ", en="A")
    with pytest.raises(ValidationError, match="code '1' appears twice with overlapping validity"):
        _list(codelists.Code(code="1", label=label), codelists.Code(code="1", label=label))
    with pytest.raises(ValidationError, match="code '1' appears twice with overlapping validity"):
        _list(
            codelists.Code(code="1", label=label, valid_from=date(2020, 1, 1), valid_to=date(2021, 1, 1)),
            codelists.Code(code="1", label=label, valid_from=date(2021, 1, 1)),
        )
    with pytest.raises(
        ValidationError, match=r"code '2' ends \(2020-01-01\) before it starts \(2021-01-01\)"
    ):
        _list(codelists.Code(code="2", label=label, valid_from=date(2021, 1, 1), valid_to=date(2020, 1, 1)))
    # a code reused after the first use ended (a merged municipality's code, given again) is history
    reused = _list(
        codelists.Code(code="1", label=label, valid_from=date(2020, 1, 1), valid_to=date(2020, 12, 31)),
        codelists.Code(code="1", label=Text(ja="い", en="B"), valid_from=date(2021, 1, 1)),
    )
    assert reused.label_of("1", date(2021, 6, 1)).ja == "い"


def test_the_municipal_list_needs_the_registry(loaded: Database) -> None:
    with pytest.raises(ValidationFailed, match="read from the address registry"):
        codelists.code_list("local-government")
    with loaded.session() as db:
        found = codelists.code_list("local-government", db)
    codes = [c.code for c in found.codes]
    assert "131016" in codes and "130001" in codes  # 千代田区 and 東京都 itself
    assert all(LocalGovernmentCode(c) == c for c in codes)  # every check digit right


def test_api_lists_search_and_downloads(client: TestClient) -> None:
    listed = client.get("/api/v1/catalog/codelists").json()
    ids = {c["id"] for c in listed["items"]}
    assert {"sex", "era", "prefecture", "relationship", "application-status", "applicant-kind"} <= ids
    assert "local-government" not in ids  # the empty database holds no municipalities
    assert [
        c["id"] for c in client.get("/api/v1/catalog/codelists", params={"q": "平成"}).json()["items"]
    ] == ["era"]
    status = client.get("/api/v1/catalog/codelists/application-status").json()
    assert {c["code"]: c["label"]["ja"] for c in status["codes"]}["under_review"] == "審査中"
    rows = list(csv.reader(io.StringIO(client.get("/api/v1/catalog/codelists/era/codes.csv").text)))
    assert (
        rows[0] == list(codelists.CSV_HEADER) and ["H", "平成", "Heisei", "1989-01-08", "2019-04-30"] in rows
    )
    missing = client.get("/api/v1/catalog/codelists/shoe-sizes")
    assert missing.status_code == 404 and missing.json()["code"] == "catalog-code-list-not-found"
    not_loaded = client.get("/api/v1/catalog/codelists/local-government")
    assert not_loaded.status_code == 404 and "not loaded" in not_loaded.json()["detail"]


def test_skos_in_json_ld_and_turtle_is_the_same_graph(client: TestClient) -> None:
    jsonld = rdflib.Graph().parse(
        data=client.get("/api/v1/catalog/codelists/era/skos.jsonld").text, format="json-ld"
    )
    turtle = rdflib.Graph().parse(
        data=client.get("/api/v1/catalog/codelists/era/skos.ttl").text, format="turtle"
    )
    assert rdflib.compare.isomorphic(jsonld, turtle)
    scheme = rdflib.URIRef("http://127.0.0.1:8000/catalog/codes/era")
    concepts = set(jsonld.objects(scheme, SKOS.hasTopConcept))
    assert len(concepts) == 5
    heisei = rdflib.URIRef(f"{scheme}/H")
    assert (heisei, SKOS.notation, rdflib.Literal("H")) in jsonld
    assert (heisei, SKOS.prefLabel, rdflib.Literal("平成", lang="ja")) in jsonld
    # content negotiation at the page's URI
    negotiated = client.get("/catalog/codes/era", headers={"accept": "text/turtle"})
    assert negotiated.headers["content-type"].startswith("text/turtle")


def test_pages(loaded: Database, client: TestClient) -> None:
    text = visible(client.get("/catalog/codes", params={"q": "続柄 妻"}).text)
    assert "世帯主との続柄" in text and "1 件" in text and "ISO/IEC 5218" not in text
    page = visible(client.get("/catalog/codes/local-government").text)
    assert "千代田区" in page and "131016" in page and "総務省" in page
    era = visible(client.get("/catalog/codes/era").text)
    assert ("平成" in era and "1989年1月8日" in era) or "平成元年1月8日" in era
