"""The catalog as DCAT: the JSON-LD parsed by ``rdflib`` (a real RDF library), then the triples
that DCAT-AP asks for are read back from the graph."""

from __future__ import annotations

from xml.etree import ElementTree

from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS

from tsunagu.catalog import service
from tsunagu.core.database import Database
from tsunagu.registry.addresses import service as addresses

BASE = "http://127.0.0.1:8000"


def _graph(client: TestClient, path: str) -> Graph:
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/ld+json"
    return Graph().parse(data=answer.text, format="json-ld")


def test_the_catalog_parses_as_dcat(client: TestClient) -> None:
    graph = _graph(client, "/api/v1/catalog/dcat.jsonld")
    top = URIRef(f"{BASE}/catalog")
    registries = set(graph.objects(top, DCAT.catalog))  # base registries' catalogues (BRegDCAT-AP)
    assert set(graph.subjects(RDF.type, DCAT.Catalog)) == {top, *registries}
    series = set(graph.subjects(RDF.type, DCAT.DatasetSeries))  # a series is a dcat:Dataset too
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset)) - series
    assert set(graph.objects(top, DCAT.dataset)) == datasets | series
    assert len(datasets) == len(service.catalog().datasets)

    addresses = URIRef(f"{BASE}/catalog/addresses")
    assert addresses in datasets
    titles = set(graph.objects(addresses, DCTERMS.title))
    assert Literal("住所（アドレス・ベース・レジストリ）", lang="ja") in titles
    assert Literal("Addresses (address base registry)", lang="en") in titles
    assert (addresses, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in graph
    publisher = graph.value(addresses, DCTERMS.publisher)
    assert Literal("デジタル庁", lang="ja") in set(graph.objects(publisher, FOAF.name))
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert (addresses, DCAT.theme, URIRef(service.DATA_THEME + "REGI")) in graph
    assert (
        addresses,
        DCTERMS.accrualPeriodicity,
        URIRef("http://publications.europa.eu/resource/authority/frequency/MONTHLY"),
    ) in graph
    modified = graph.value(addresses, DCTERMS.modified)
    assert isinstance(modified, Literal) and str(modified) == "2026-10-01"
    assert Literal("郵便番号", lang="ja") in set(graph.objects(addresses, DCAT.keyword))
    contact = graph.value(addresses, DCAT.contactPoint)
    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    assert graph.value(contact, vcard.hasEmail) == URIRef("mailto:base-registry@example.go.jp")

    downloads = {str(graph.value(d, DCAT.downloadURL)) for d in graph.objects(addresses, DCAT.distribution)}
    assert f"{BASE}/api/v1/catalog/datasets/addresses/files/towns.csv" in downloads
    assert f"{BASE}/api/v1/catalog/datasets/addresses/files/municipalities.csv" in downloads
    for distribution in graph.objects(addresses, DCAT.distribution):
        assert (distribution, RDF.type, DCAT.Distribution) in graph
        assert graph.value(distribution, DCAT.accessURL) is not None
        assert graph.value(distribution, DCTERMS.license) is not None
    api = [d for d in graph.objects(addresses, DCAT.distribution) if graph.value(d, DCAT.accessService)]
    assert len(api) == 1 and graph.value(api[0], DCAT.downloadURL) is None


def test_a_closed_register_is_described_without_downloads(client: TestClient) -> None:
    graph = _graph(client, "/api/v1/catalog/datasets/residents/dcat.jsonld")
    residents = URIRef(f"{BASE}/catalog/residents")
    assert (residents, RDF.type, DCAT.Dataset) in graph
    assert list(graph.objects(residents, DCAT.distribution)) == []
    assert (
        residents,
        DCTERMS.accessRights,
        URIRef("http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC"),
    ) in graph


def test_the_downloads_named_in_dcat_answer(client: TestClient) -> None:
    graph = _graph(client, "/api/v1/catalog/dcat.jsonld")
    urls = {str(o) for o in graph.objects(None, DCAT.downloadURL)}
    assert len(urls) >= 4
    for url in urls:
        assert client.get(url.removeprefix(BASE)).status_code == 200, url


def test_the_page_uris_answer_json_ld_when_asked(client: TestClient) -> None:
    """Each dataset's URI in the DCAT is its page; asking it for JSON-LD gets the DCAT."""
    answer = client.get("/catalog/corporations", headers={"accept": "application/ld+json"})
    assert answer.headers["content-type"] == "application/ld+json"
    graph = Graph().parse(data=answer.text, format="json-ld")
    corporations = URIRef(f"{BASE}/catalog/corporations")
    assert (corporations, RDF.type, DCAT.Dataset) in graph
    assert Literal("国税庁", lang="ja") in set(
        graph.objects(graph.value(corporations, DCTERMS.publisher), FOAF.name)
    )
    whole = client.get("/catalog", headers={"accept": "application/ld+json"})
    whole_graph = Graph().parse(data=whole.text, format="json-ld")
    assert (URIRef(f"{BASE}/catalog"), RDF.type, DCAT.Catalog) in whole_graph
    assert client.get("/catalog/corporations").headers["content-type"].startswith("text/html")


def test_turtle_is_the_same_graph_as_the_json_ld(client: TestClient) -> None:
    for path in ("/api/v1/catalog/dcat", "/api/v1/catalog/datasets/addresses/dcat"):
        ttl = client.get(path + ".ttl")
        assert ttl.headers["content-type"] == "text/turtle; charset=utf-8"
        from_turtle = Graph().parse(data=ttl.text, format="turtle")
        from_jsonld = Graph().parse(data=client.get(path + ".jsonld").text, format="json-ld")
        assert len(from_turtle) == len(from_jsonld) > 50
        assert isomorphic(from_turtle, from_jsonld), path
    negotiated = client.get("/catalog/procedures", headers={"accept": "text/turtle"})
    assert negotiated.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=negotiated.text, format="turtle")
    assert (URIRef(f"{BASE}/catalog/procedures"), RDF.type, DCAT.Dataset) in graph


def test_the_municipalities_as_linked_data(loaded: Database, client: TestClient) -> None:
    answer = client.get("/api/v1/catalog/datasets/addresses/files/municipalities.jsonld")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/ld+json"
    graph = Graph().parse(data=answer.text, format="json-ld")
    schema = Namespace("http://schema.org/")
    with loaded.session() as db:
        municipalities = addresses.list_municipalities(db)
    named = {s for s in graph.subjects(RDF.type, schema.AdministrativeArea) if isinstance(s, URIRef)}
    assert len(named) == len(municipalities) > 0
    chiyoda = URIRef(f"{BASE}/api/v1/registry/addresses/municipalities/131016")
    assert graph.value(chiyoda, schema.name) == Literal("千代田区", lang="ja")
    tokyo = graph.value(chiyoda, schema.containedInPlace)
    assert graph.value(tokyo, schema.name) == Literal("東京都", lang="ja")
    ward = URIRef(f"{BASE}/api/v1/registry/addresses/municipalities/011011")
    assert graph.value(ward, schema.containedInPlace) == URIRef(
        f"{BASE}/api/v1/registry/addresses/municipalities/011002"
    )
    # the URI names the registry's own API answer for that municipality
    assert client.get(str(chiyoda).removeprefix(BASE)).json()["name"] == "千代田区"


def test_rdf_xml_is_the_same_graph_and_plain_xml(client: TestClient) -> None:
    """RDF/XML for harvesters that read only that: well-formed XML to a plain XML parser, and the
    same graph as the JSON-LD; the page URIs answer it by content negotiation too."""
    for path in ("/api/v1/catalog/dcat", "/api/v1/catalog/datasets/addresses/dcat"):
        xml = client.get(path + ".rdf")
        assert xml.headers["content-type"] == "application/rdf+xml; charset=utf-8"
        root = ElementTree.fromstring(xml.content)
        assert root.tag == "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"
        from_xml = Graph().parse(data=xml.text, format="xml")
        from_jsonld = Graph().parse(data=client.get(path + ".jsonld").text, format="json-ld")
        assert isomorphic(from_xml, from_jsonld), path
    negotiated = client.get("/catalog/addresses", headers={"accept": "application/rdf+xml"})
    assert negotiated.headers["content-type"].startswith("application/rdf+xml")
    graph = Graph().parse(data=negotiated.text, format="xml")
    assert (URIRef(f"{BASE}/catalog/addresses"), RDF.type, DCAT.Dataset) in graph
    codes = client.get("/catalog/codes/sex", headers={"accept": "application/rdf+xml"})
    assert (URIRef(f"{BASE}/catalog/codes/sex/2"), SKOS.notation, Literal("2")) in Graph().parse(
        data=codes.text, format="xml"
    )
