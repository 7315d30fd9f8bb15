"""What every use case of the catalog shares: the shipped vocabularies, the search form of a
text, the procedure rows the web layer hands in, and the catalog's not-found errors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tsunagu.catalog.definitions import Catalog, Text, shipped
from tsunagu.core.errors import NotFound, ValidationFailed
from tsunagu.core.textsearch import fold

__all__ = [
    "ACCESS_RIGHT",
    "DATA_THEME",
    "FILE_TYPE",
    "FORMATS",
    "FREQUENCY",
    "IANA",
    "DatasetNotFound",
    "DistributionNotFound",
    "ProcedureRow",
    "ProcedureSource",
    "UnknownFilter",
    "catalog",
    "fold",
]

DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
IANA = "https://www.iana.org/assignments/media-types/"
FORMATS = ("CSV", "JSON", "JSON-LD", "API")


class DatasetNotFound(NotFound):
    code = "catalog-dataset-not-found"
    title = "Dataset not found"


class DistributionNotFound(NotFound):
    code = "catalog-file-not-found"
    title = "File not found"


class UnknownFilter(ValidationFailed):
    code = "catalog-unknown-filter"
    title = "Unknown filter value"


@dataclass(frozen=True)
class ProcedureRow:
    """One procedure as the procedure part publishes it (handed in by the web layer)."""

    id: str
    name: Text
    summary: Text
    legal_basis: tuple[str, ...]
    office: str
    applicants: tuple[str, ...]


ProcedureSource = Callable[[], Sequence[ProcedureRow]]


def catalog() -> Catalog:
    """The shipped definitions: the controlled vocabularies and the registries' own datasets
    (what :func:`publishing.register_shipped` writes into the database at seed time)."""
    return shipped()
