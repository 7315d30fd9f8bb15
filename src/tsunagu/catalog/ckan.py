"""The catalog in CKAN's shapes, so that CKAN clients and harvesters read it unchanged: package
and organization dictionaries as CKAN 2.10's Action API returns them, and the ``fq`` filter
syntax (``field:value`` terms joined by spaces or ``AND``) that clients send to package_search."""

from __future__ import annotations

import re
from typing import Any

from tsunagu.catalog import service
from tsunagu.catalog.definitions import Dataset

#: CKAN's search fields → the catalog's facets (``tags`` matches a keyword exactly)
FQ_FIELDS: dict[str, service.FacetName] = {
    "organization": "publisher",
    "owner_org": "publisher",
    "groups": "theme",
    "res_format": "format",
    "license_id": "license",
}
FACET_FIELDS = {
    "organization": "publisher",
    "groups": "theme",
    "res_format": "format",
    "license_id": "license",
    "tags": "tags",
}
TERM = re.compile(r'\s*(?:AND\s+)?(\+?)([a-z_]+):(?:"([^"]*)"|(\S+))\s*')


class BadQuery(Exception):
    """An ``fq`` term CKAN would not understand either (answered as CKAN's Validation Error)."""


def parse_fq(fq: str) -> tuple[dict[service.FacetName, list[str]], list[str]]:
    """``organization:digital-agency res_format:"CSV" tags:住所`` → facet filters and tags."""
    facets: dict[service.FacetName, list[str]] = {}
    tags: list[str] = []
    position = 0
    text = fq.strip()
    while position < len(text):
        match = TERM.match(text, position)
        if not match or match.end() == position:
            raise BadQuery(f"cannot read the filter query at {text[position:]!r}")
        name, value = match.group(2), match.group(3) if match.group(3) is not None else match.group(4)
        if name == "tags":
            tags.append(value)
        elif name in FQ_FIELDS:
            facets.setdefault(FQ_FIELDS[name], []).append(value)
        else:
            raise BadQuery(f"unknown field {name!r} in the filter query")
        position = match.end()
    return facets, tags


def organization(key: str, package_count: int | None = None) -> dict[str, Any]:
    publisher = service.catalog().vocabularies.publishers[key]
    found: dict[str, Any] = {
        "id": key,
        "name": key,
        "title": publisher.name.ja,
        "display_name": publisher.name.ja,
        "description": publisher.name.en,
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": None,
    }
    if package_count is not None:
        found["package_count"] = package_count
    return found


def package(dataset: Dataset, base_url: str) -> dict[str, Any]:
    v = service.catalog().vocabularies
    lic = v.licenses[dataset.license]
    modified = f"{dataset.modified.isoformat()}T00:00:00"
    tags = [*dataset.keywords.ja, *dataset.keywords.en]
    resources = [
        {
            "id": f"{dataset.id}--{d.id}",
            "package_id": dataset.id,
            "name": d.title.ja,
            "description": d.title.en,
            "url": service.distribution_url(base_url, dataset, d),
            "format": d.format,
            "mimetype": d.media_type,
            "position": i,
            "state": "active",
            "url_type": None,
            "created": modified,
            "last_modified": modified,
        }
        for i, d in enumerate(dataset.distributions)
    ]
    extras = {
        "title_en": dataset.title.en,
        "notes_en": dataset.description.en,
        "frequency": v.frequencies[dataset.frequency].ja,
        "legal_basis": "；".join(b.ja for b in dataset.legal_basis),
        "spatial": dataset.spatial.ja,
        "access": dataset.access,
        "dcat_uri": service.dataset_uri(base_url, dataset),
    }
    if dataset.credit:
        extras["credit"] = dataset.credit.ja
    return {
        "id": dataset.id,
        "name": dataset.id,
        "title": dataset.title.ja,
        "notes": dataset.description.ja,
        "type": "dataset",
        "state": "active",
        "private": False,
        "version": None,
        "url": service.dataset_uri(base_url, dataset),
        "license_id": dataset.license,
        "license_title": lic.title.ja,
        "license_url": lic.url,
        "isopen": lic.open,
        "owner_org": dataset.publisher,
        "organization": organization(dataset.publisher),
        "author": v.publishers[dataset.publisher].name.ja,
        "author_email": None,
        "maintainer": dataset.contact.name.ja,
        "maintainer_email": dataset.contact.email,
        "metadata_created": modified,
        "metadata_modified": modified,
        "tags": [
            {"id": t, "name": t, "display_name": t, "state": "active", "vocabulary_id": None} for t in tags
        ],
        "num_tags": len(tags),
        "groups": [
            {
                "id": t,
                "name": t,
                "title": v.themes[t].ja,
                "display_name": v.themes[t].ja,
                "description": v.themes[t].en,
                "image_display_url": "",
            }
            for t in dataset.themes
        ],
        "resources": resources,
        "num_resources": len(resources),
        "extras": [{"key": k, "value": value} for k, value in extras.items()],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
