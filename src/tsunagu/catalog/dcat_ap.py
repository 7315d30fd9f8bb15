"""The DCAT-AP 3 profile layer over the catalog's DCAT (JSON-LD as ``service.dcat_*`` builds it):

- **Ranges stated.** Every resource a property names is typed with the class DCAT-AP 3 gives that
  property's range (a licence is a ``dct:LicenseDocument``, a media type a ``dct:MediaType``, a
  law an ``eli:LegalResource``…), so that the SHACL shapes' class constraints hold without the
  reader having to load the vocabularies.
- **Dataset series and versions.** A dataset released on a schedule (monthly, like the address
  data) belongs to a ``dcat:DatasetSeries`` at ``/catalog/{id}/series``; the release in the
  catalog carries ``dcat:inSeries`` and ``dcat:version`` (its release month, e.g. ``2026-10``), and
  the series names it as ``dcat:first``/``dcat:last``. The catalog holds only the current
  release, so the series has one member; past releases are not kept.
- **Base registries (BRegDCAT-AP).** Each base registry is described as BRegDCAT-AP models it: a
  registry catalogue (``dcat:Catalog`` and ``cv:Output``) listing its dataset, produced by a
  registry service (``cpsv:PublicService``) whose competent authority (``cv:hasCompetentAuthority``)
  is the publisher as a ``cv:PublicOrganisation``; the registry catalogues hang off the catalog
  by ``dcat:catalog``.
"""

from __future__ import annotations

import copy
from typing import Any

from tsunagu.catalog.definitions import Text, shipped

FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
#: releases on a schedule form a series; their version is the release's month or day
SERIES_FREQUENCIES = {FREQUENCY + "MONTHLY": 7, FREQUENCY + "QUARTERLY": 7, FREQUENCY + "ANNUAL": 4}
#: the class DCAT-AP 3 gives each property's range (shapes: dcat-ap-SHACL, sh:class)
RANGES = {
    "dct:license": "dct:LicenseDocument",
    "dcat:mediaType": "dct:MediaType",
    "dct:format": "dct:MediaTypeOrExtent",
    "dct:accessRights": "dct:RightsStatement",
    "dct:accrualPeriodicity": "dct:Frequency",
    "dcat:theme": "skos:Concept",
    "dcat:landingPage": "foaf:Document",
    "foaf:homepage": "foaf:Document",
    "dcatap:applicableLegislation": "eli:LegalResource",
    "dcat:accessURL": "rdfs:Resource",
    "dcat:downloadURL": "rdfs:Resource",
    "dcat:endpointURL": "rdfs:Resource",
    "dcat:endpointDescription": "rdfs:Resource",
}
PREFIXES = {
    "eli": "http://data.europa.eu/eli/ontology#",
    "cv": "http://data.europa.eu/m8g/",
    "cpsv": "http://purl.org/vocab/cpsv#",
}
#: the base registries the catalog describes (ベース・レジストリ), by dataset id
BASE_REGISTRIES = {
    "addresses": (
        Text(ja="アドレス・ベース・レジストリ", en="Address base registry"),
        Text(ja="住所の整備・提供事務", en="Maintaining and providing the address registry"),
    ),
    "corporations": (
        Text(ja="法人ベース・レジストリ（法人番号）", en="Corporate base registry (corporate numbers)"),
        Text(ja="法人番号の指定・公表事務", en="Assigning and publishing corporate numbers"),
    ),
    "residents": (
        Text(ja="住民基本台帳", en="Resident register"),
        Text(ja="住民基本台帳事務", en="Keeping the resident register"),
    ),
}


def _lang(text: Text) -> list[dict[str, str]]:
    return [{"@value": text.ja, "@language": "ja"}, {"@value": text.en, "@language": "en"}]


def profile(document: dict[str, Any]) -> dict[str, Any]:
    """The DCAT-AP 3 document for a ``dcat:Catalog`` or ``dcat:Dataset`` document (not changed)."""
    found = copy.deepcopy(document)
    found["@context"] = {**found.get("@context", {}), **PREFIXES}
    datasets = found.get("dcat:dataset", []) if found.get("@type") == "dcat:Catalog" else [found]
    series = [s for d in datasets if (s := _series(d))]
    if found.get("@type") == "dcat:Catalog":
        found["dcat:dataset"] = [*datasets, *series]
        registries = [r for d in datasets if (r := _base_registry(d))]
        if registries:
            found["dcat:catalog"] = registries
    elif series:
        found["dcat:inSeries"] = series[0]
    _type_ranges(found)
    return found


def _type_ranges(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _type_ranges(item)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key.startswith("@"):
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, dict) and key in RANGES and "@value" not in item:
                _add_type(item, RANGES[key])
                if key == "dcat:theme":
                    _label_theme(item)
            _type_ranges(item)


def _add_type(node: dict[str, Any], cls: str) -> None:
    types = node.get("@type", [])
    types = [types] if isinstance(types, str) else list(types)
    if cls not in types:
        node["@type"] = [*types, cls] if types else cls


def _label_theme(node: dict[str, Any]) -> None:
    """An EU data theme named with its label (DCAT-AP: a concept has a skos:prefLabel)."""
    code = str(node.get("@id", "")).removeprefix(DATA_THEME)
    label = shipped().vocabularies.themes.get(code)
    if label and "skos:prefLabel" not in node:
        node["skos:prefLabel"] = _lang(label)


def _series(dataset: dict[str, Any]) -> dict[str, Any] | None:
    """The series a scheduled release belongs to; the dataset gets its version and membership."""
    frequency = dataset.get("dct:accrualPeriodicity", {}).get("@id", "")
    modified = dataset.get("dct:modified", {}).get("@value", "")
    if frequency not in SERIES_FREQUENCIES or not modified:
        return None
    uri = f"{dataset['@id']}/series"
    dataset["dcat:version"] = modified[: SERIES_FREQUENCIES[frequency]]
    dataset["dcat:inSeries"] = {"@id": uri}
    return {
        "@id": uri,
        "@type": ["dcat:DatasetSeries", "dcat:Dataset"],  # a series is a dataset (DCAT 3)
        "dct:title": [
            {
                "@value": t["@value"] + ("（各回の公開）" if t["@language"] == "ja" else " (releases)"),
                "@language": t["@language"],
            }
            for t in dataset.get("dct:title", [])
        ],
        "dct:description": [
            {
                "@value": "定期的に公開する版の系列です。現在の版: " + dataset["dcat:version"]
                if t["@language"] == "ja"
                else "The series of scheduled releases. Current release: " + dataset["dcat:version"],
                "@language": t["@language"],
            }
            for t in dataset.get("dct:title", [])
        ],
        "dct:accrualPeriodicity": {"@id": frequency},
        "dct:publisher": dataset.get("dct:publisher"),
        "dct:modified": dataset.get("dct:modified"),
        "dcat:first": {"@id": dataset["@id"]},
        "dcat:last": {"@id": dataset["@id"]},
    }


def _base_registry(dataset: dict[str, Any]) -> dict[str, Any] | None:
    """A base registry as BRegDCAT-AP describes it: the registry catalogue listing the dataset,
    produced by the registry service of the competent authority."""
    identifier = dataset.get("dct:identifier", "")
    if identifier not in BASE_REGISTRIES:
        return None
    name, service = BASE_REGISTRIES[identifier]
    publisher = dict(dataset.get("dct:publisher", {}))
    authority = {**publisher, "@type": ["foaf:Agent", "cv:PublicOrganisation"]}
    registry = f"{dataset['@id']}/registry"
    return {
        "@id": registry,
        "@type": ["dcat:Catalog", "cv:Output"],
        "dct:identifier": f"{identifier}-registry",
        "dct:title": _lang(name),
        "dct:description": dataset.get("dct:description"),
        "dct:publisher": authority,
        "dcatap:applicableLegislation": dataset.get("dcatap:applicableLegislation", []),
        "dcat:dataset": {"@id": dataset["@id"]},
        "foaf:homepage": {"@id": dataset["@id"]},
        "dct:isReferencedBy": {
            "@id": f"{registry}#service",
            "@type": "cpsv:PublicService",
            "dct:identifier": f"{identifier}-registry-service",
            "dct:title": _lang(service),
            "dct:description": _lang(service),
            "cpsv:produces": {"@id": registry},
            "cv:hasCompetentAuthority": {"@id": authority.get("@id")},
        },
    }


def series_document(dataset_document: dict[str, Any]) -> dict[str, Any] | None:
    """The series a profiled dataset document belongs to, as a document of its own (its URI)."""
    series = dataset_document.get("dcat:inSeries")
    if not isinstance(series, dict) or "@type" not in series:
        return None
    return {"@context": dataset_document["@context"], **series}


def registry_document(dataset_document: dict[str, Any]) -> dict[str, Any] | None:
    """The base registry (BRegDCAT-AP) a dataset is the data of, as a document of its own."""
    registry = _base_registry(copy.deepcopy(dataset_document))
    if registry is None:
        return None
    registry["dcat:dataset"] = {k: v for k, v in dataset_document.items() if k != "@context"}  # in full
    _type_ranges(registry)
    return {"@context": dataset_document["@context"], **registry}
