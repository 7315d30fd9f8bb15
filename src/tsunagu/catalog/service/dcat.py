"""The catalog as DCAT (DCAT-AP 3, JSON-LD; Turtle and RDF/XML are the same graph) and each
dataset as schema.org ``Dataset`` for search engines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tsunagu.catalog.dcat_ap import profile
from tsunagu.catalog.definitions import Dataset, Distribution, Text
from tsunagu.catalog.service.common import ACCESS_RIGHT, DATA_THEME, FILE_TYPE, FREQUENCY, IANA, catalog
from tsunagu.catalog.service.search import catalog_modified, published_datasets
from tsunagu.catalog.service.tables import distribution_url

__all__ = ["CONTEXT", "dataset_uri", "dcat_catalog", "dcat_dataset", "dcat_of", "schema_org"]

# ---------------------------------------------------------------- DCAT (JSON-LD)

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcatap": "http://data.europa.eu/r5r/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


def _lang(text: Text) -> list[dict[str, str]]:
    return [{"@value": text.ja, "@language": "ja"}, {"@value": text.en, "@language": "en"}]


def dataset_uri(base_url: str, dataset: Dataset) -> str:
    return f"{base_url.rstrip('/')}/catalog/{dataset.id}"


def _dcat_distribution(base_url: str, dataset: Dataset, distribution: Distribution) -> dict[str, Any]:
    url = distribution_url(base_url, dataset, distribution)
    licence = catalog().vocabularies.licenses[dataset.license]
    node: dict[str, Any] = {
        "@id": f"{dataset_uri(base_url, dataset)}#{distribution.id}",
        "@type": "dcat:Distribution",
        "dct:title": _lang(distribution.title),
        "dcat:accessURL": {"@id": url},
        "dcat:mediaType": {"@id": IANA + distribution.media_type},
        "dct:format": {
            "@id": FILE_TYPE
            + ("JSON" if distribution.format == "API" else distribution.format.replace("-", "_"))
        },
        "dct:license": {"@id": licence.url},
    }
    if distribution.format == "API":
        node["dcat:accessService"] = {
            "@type": "dcat:DataService",
            "dct:title": _lang(distribution.title),
            "dcat:endpointURL": {"@id": url},
            "dcat:endpointDescription": {"@id": f"{base_url.rstrip('/')}/api/v1/openapi.json"},
        }
    else:
        node["dcat:downloadURL"] = {"@id": url}
    return node


def _dcat_dataset(base_url: str, dataset: Dataset) -> dict[str, Any]:
    v = catalog().vocabularies
    publisher = v.publishers[dataset.publisher]
    node: dict[str, Any] = {
        "@id": dataset_uri(base_url, dataset),
        "@type": "dcat:Dataset",
        "dct:identifier": dataset.id,
        "dct:title": _lang(dataset.title),
        "dct:description": _lang(dataset.description),
        "dct:publisher": {
            "@id": publisher.homepage,
            "@type": "foaf:Agent",
            "foaf:name": _lang(publisher.name),
        },
        "dct:license": {"@id": v.licenses[dataset.license].url},
        "dct:accessRights": {"@id": ACCESS_RIGHT + ("PUBLIC" if dataset.access == "open" else "NON_PUBLIC")},
        "dct:accrualPeriodicity": {"@id": FREQUENCY + dataset.frequency},
        "dct:modified": {"@value": dataset.modified.isoformat(), "@type": "xsd:date"},
        "dct:spatial": {"@type": "dct:Location", "skos:prefLabel": _lang(dataset.spatial)},
        "dcat:theme": [{"@id": DATA_THEME + t} for t in dataset.themes],
        "dcat:keyword": (
            [{"@value": k, "@language": "ja"} for k in dataset.keywords.ja]
            + [{"@value": k, "@language": "en"} for k in dataset.keywords.en]
        ),
        "dcat:contactPoint": {
            "@type": "vcard:Kind",
            "vcard:fn": _lang(dataset.contact.name),
            "vcard:hasEmail": {"@id": f"mailto:{dataset.contact.email}"},
        },
        "dcatap:applicableLegislation": [
            {"@type": "rdfs:Resource", "rdfs:label": _lang(b)} for b in dataset.legal_basis
        ],
        "dcat:landingPage": {"@id": dataset_uri(base_url, dataset)},
        "dcat:distribution": [_dcat_distribution(base_url, dataset, d) for d in dataset.distributions],
    }
    if dataset.credit:
        node["dct:rights"] = _lang(dataset.credit)
    if dataset.temporal:
        period: dict[str, Any] = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@value": dataset.temporal.start.isoformat(), "@type": "xsd:date"},
        }
        if dataset.temporal.end:
            period["dcat:endDate"] = {"@value": dataset.temporal.end.isoformat(), "@type": "xsd:date"}
        node["dct:temporal"] = period
    return node


def dcat_dataset(base_url: str, dataset: Dataset) -> dict[str, Any]:
    return profile({"@context": CONTEXT, **_dcat_dataset(base_url, dataset)})  # DCAT-AP 3


def dcat_catalog(db: Session, base_url: str) -> dict[str, Any]:
    """The published datasets as one DCAT ``dcat:Catalog`` in JSON-LD, modified on the day of
    the catalog's last change (any dataset or code list written, published or withdrawn)."""
    return dcat_of(base_url, published_datasets(db), catalog_modified(db))


def dcat_of(base_url: str, datasets: Sequence[Dataset], modified: date) -> dict[str, Any]:
    base = base_url.rstrip("/")
    platform = Text(ja="つなぐ データカタログ", en="Tsunagu data catalog")
    return profile(
        {  # DCAT-AP 3: ranges typed, dataset series, base registries (BRegDCAT-AP)
            "@context": CONTEXT,
            "@id": f"{base}/catalog",
            "@type": "dcat:Catalog",
            "dct:title": _lang(platform),
            "dct:description": _lang(
                Text(
                    ja="つなぐが保有・公開するベース・レジストリとデータセットの目録です。",
                    en="The base registries and datasets Tsunagu holds or publishes.",
                )
            ),
            "dct:publisher": {
                "@id": catalog().vocabularies.publishers["digital-agency"].homepage,
                "@type": "foaf:Agent",
                "foaf:name": _lang(catalog().vocabularies.publishers["digital-agency"].name),
            },
            "dct:modified": {"@value": modified.isoformat(), "@type": "xsd:date"},
            "foaf:homepage": {"@id": f"{base}/catalog"},
            "dcat:dataset": [_dcat_dataset(base_url, d) for d in datasets],
        }
    )


def schema_org(base_url: str, dataset: Dataset) -> dict[str, Any]:
    """schema.org ``Dataset`` for search engines (embedded in the dataset page)."""
    v = catalog().vocabularies
    publisher = v.publishers[dataset.publisher]
    found: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": dataset.title.ja,
        "alternateName": dataset.title.en,
        "description": dataset.description.ja,
        "url": dataset_uri(base_url, dataset),
        "identifier": dataset_uri(base_url, dataset),
        "keywords": [*dataset.keywords.ja, *dataset.keywords.en],
        "inLanguage": ["ja", "en"],
        "license": v.licenses[dataset.license].url,
        "isAccessibleForFree": dataset.access == "open",
        "publisher": {
            "@type": "GovernmentOrganization",
            "name": publisher.name.ja,
            "url": publisher.homepage,
        },
        "dateModified": dataset.modified.isoformat(),
        "spatialCoverage": dataset.spatial.ja,
        "distribution": [
            {
                "@type": "DataDownload",
                "name": d.title.ja,
                "encodingFormat": d.media_type,
                "contentUrl": distribution_url(base_url, dataset, d),
            }
            for d in dataset.distributions
            if d.format != "API"
        ],
    }
    if dataset.credit:
        found["creditText"] = dataset.credit.ja
    if dataset.temporal:  # ISO 8601 interval, open-ended with ".."
        end = dataset.temporal.end.isoformat() if dataset.temporal.end else ".."
        found["temporalCoverage"] = f"{dataset.temporal.start.isoformat()}/{end}"
    return found
