"""The catalog's DCAT against the DCAT-AP 3.0.0 SHACL shapes (SEMIC) with pySHACL: the whole
catalog (every dataset, its distributions and data services, the dataset series, the base
registries as BRegDCAT-AP describes them) and each dataset alone, in each of the three RDF
syntaxes served by content negotiation at the dataset's own URI. A document missing a mandatory
property or typing a value wrongly is reported, so the check can fail."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS

from tsunagu.catalog import shacl

BASE = "http://127.0.0.1:8000"  # settings.public_url in the tests
CV = Namespace("http://data.europa.eu/m8g/")
CPSV = Namespace("http://purl.org/vocab/cpsv#")
SYNTAXES = {"application/ld+json": "json-ld", "text/turtle": "turtle", "application/rdf+xml": "xml"}


def _catalog(client: TestClient) -> dict[str, Any]:
    answer = client.get("/api/v1/catalog/dcat.jsonld")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


def test_the_shapes_file_is_the_published_one() -> None:
    digest = hashlib.sha256(shacl.SHAPES_FILE.read_bytes()).hexdigest()
    assert digest == "e706a80b5431299bda8bcc8fbd436b64834de6d5e2b79fa9ed1c49cc070a48ed"  # shapes/README.md
    shapes = shacl.shapes()
    sh = Namespace("http://www.w3.org/ns/shacl#")
    targets = set(shapes.objects(None, sh.targetClass))
    assert {DCAT.Catalog, DCAT.Dataset, DCAT.Distribution, DCAT.DataService, DCAT.DatasetSeries} <= targets


def test_the_whole_catalog_conforms_to_dcat_ap(client: TestClient) -> None:
    document = _catalog(client)
    assert shacl.validate(document) == []
    graph = Graph().parse(data=client.get("/api/v1/catalog/dcat.jsonld").text, format="json-ld")
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert URIRef(f"{BASE}/catalog/addresses") in datasets
    assert set(graph.subjects(RDF.type, DCAT.DataService))  # the APIs, validated with the rest


def test_the_monthly_address_data_is_a_release_of_a_series(client: TestClient) -> None:
    graph = Graph().parse(data=client.get("/api/v1/catalog/dcat.jsonld").text, format="json-ld")
    addresses = URIRef(f"{BASE}/catalog/addresses")
    series = graph.value(addresses, DCAT.inSeries)
    assert series == URIRef(f"{BASE}/catalog/addresses/series")
    assert (series, RDF.type, DCAT.DatasetSeries) in graph
    assert graph.value(series, DCAT.last) == addresses
    version = graph.value(addresses, DCAT.version)
    modified = graph.value(addresses, DCTERMS.modified)
    assert isinstance(version, Literal) and str(modified).startswith(str(version)) and len(str(version)) == 7
    assert graph.value(URIRef(f"{BASE}/catalog/procedures"), DCAT.inSeries) is None  # not scheduled


def test_base_registries_are_described_as_bregdcat_ap(client: TestClient) -> None:
    graph = Graph().parse(data=client.get("/api/v1/catalog/dcat.jsonld").text, format="json-ld")
    registry = URIRef(f"{BASE}/catalog/addresses/registry")
    assert (URIRef(f"{BASE}/catalog"), DCAT.catalog, registry) in graph
    assert (registry, RDF.type, DCAT.Catalog) in graph and (registry, RDF.type, CV.Output) in graph
    assert (registry, DCAT.dataset, URIRef(f"{BASE}/catalog/addresses")) in graph
    service = next(graph.subjects(CPSV.produces, registry))
    assert (service, RDF.type, CPSV.PublicService) in graph
    authority = graph.value(service, CV.hasCompetentAuthority)
    assert (authority, RDF.type, CV.PublicOrganisation) in graph
    assert URIRef(f"{BASE}/catalog/corporations/registry") in set(graph.objects(None, DCAT.catalog))


@pytest.mark.parametrize("media_type", list(SYNTAXES))
def test_each_dataset_conforms_in_every_syntax_at_its_own_uri(client: TestClient, media_type: str) -> None:
    for dataset_id in ("addresses", "corporations", "residents", "population", "procedures", "mesh-services"):
        answer = client.get(f"/catalog/{dataset_id}", headers={"accept": media_type})
        assert answer.status_code == 200, (dataset_id, media_type)
        assert answer.headers["content-type"].startswith(media_type)
        graph = Graph().parse(data=answer.text, format=SYNTAXES[media_type])
        assert (URIRef(f"{BASE}/catalog/{dataset_id}"), RDF.type, DCAT.Dataset) in graph
        assert shacl.validate_graph(graph) == [], (dataset_id, media_type)


def test_a_dataset_without_a_title_or_with_a_literal_licence_is_reported(client: TestClient) -> None:
    document = _catalog(client)
    broken = copy.deepcopy(document)
    dataset = next(d for d in broken["dcat:dataset"] if d["@id"].endswith("/catalog/addresses"))
    del dataset["dct:description"]
    dataset["dcat:distribution"][0]["dct:license"] = "CC BY 4.0"
    problems = shacl.validate(broken)
    paths = {(p.focus.rsplit("/", 1)[-1], p.path.rsplit("/", 1)[-1]) for p in problems}
    assert ("addresses", "description") in paths
    assert any(p.path.endswith("/license") and p.severity == "Violation" for p in problems)


@pytest.mark.parametrize("media_type", list(SYNTAXES))
def test_the_series_and_registry_uris_answer_their_own_dcat(client: TestClient, media_type: str) -> None:
    for path, kind in (
        ("/catalog/addresses/series", DCAT.DatasetSeries),
        ("/catalog/addresses/registry", DCAT.Catalog),
    ):
        answer = client.get(path, headers={"accept": media_type})
        assert answer.status_code == 200, (path, answer.text)
        graph = Graph().parse(data=answer.text, format=SYNTAXES[media_type])
        assert (URIRef(BASE + path), RDF.type, kind) in graph
        assert shacl.validate_graph(graph) == [], path
    page = client.get("/catalog/addresses/series", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/catalog/addresses"
    assert (
        client.get("/catalog/procedures/series", headers={"accept": "application/ld+json"}).status_code == 404
    )
    assert client.get("/catalog/procedures/registry").status_code == 404
