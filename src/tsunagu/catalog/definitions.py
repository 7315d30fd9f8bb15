"""The catalog's datasets as data: ``definitions/datasets/*.yaml`` checked against the
controlled vocabularies of ``definitions/vocabularies.yaml`` (publishers, licences, themes,
update frequencies) when they are loaded. A file that names an unknown licence, theme,
publisher or table, or lacks a mandatory property, stops the load with a message naming it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tsunagu.core.errors import ConfigurationError

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
Format = Literal["CSV", "JSON", "JSON-LD", "API"]
#: the tables the service knows how to export (service.TABLES) and count (service.COUNTS)
TABLE_NAMES = ("address-municipalities", "address-towns", "corporations", "population", "procedures")
JSONLD_TABLES = ("address-municipalities",)  # tables also published as linked data (JSON-LD)
COUNT_NAMES = ("address-municipalities", "address-towns", "corporations", "procedures")


class CatalogDefinitionInvalid(ConfigurationError):
    code = "catalog-definition-invalid"
    title = "Catalog definition invalid"


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Frozen):
    ja: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def text(self, locale: str) -> str:
        return self.en if locale == "en" else self.ja


class Keywords(Frozen):
    ja: tuple[str, ...] = Field(min_length=1)
    en: tuple[str, ...] = Field(min_length=1)


class Publisher(Frozen):
    name: Text
    homepage: str
    organizations: tuple[str, ...] = ()  # the organizations whose publisher staff (公開) write for it


class License(Frozen):
    title: Text
    url: str
    open: bool


class Vocabularies(Frozen):
    publishers: dict[str, Publisher]
    licenses: dict[str, License]
    themes: dict[str, Text]
    frequencies: dict[str, Text]


class Contact(Frozen):
    name: Text
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Distribution(Frozen):
    id: str = Field(pattern=SLUG.pattern)
    title: Text
    format: Format
    table: str | None = None  # a table the service exports (CSV)
    datapackage: bool = False  # the dataset's Frictionless data package descriptor
    url: str | None = None  # an API's address (absolute path on this deployment, or a URL)
    documentation: str | None = None

    @field_validator("table")
    @classmethod
    def _known_table(cls, value: str | None) -> str | None:
        if value is not None and value not in TABLE_NAMES:
            raise ValueError(f"unknown table {value!r} (known: {', '.join(TABLE_NAMES)})")
        return value

    @model_validator(mode="after")
    def _table_formats(self) -> Distribution:
        if self.table and self.format not in ("CSV", "JSON-LD"):
            raise ValueError(f"a table is published as CSV or JSON-LD, not {self.format}")
        if self.table and self.format == "JSON-LD" and self.table not in JSONLD_TABLES:
            raise ValueError(
                f"table {self.table!r} has no JSON-LD form (those that do: {', '.join(JSONLD_TABLES)})"
            )
        return self

    @property
    def media_type(self) -> str:
        return {
            "CSV": "text/csv",
            "JSON": "application/json",
            "JSON-LD": "application/ld+json",
            "API": "application/json",
        }[self.format]


class Temporal(Frozen):
    """The period the data cover (dct:temporal); an open end is still running."""

    start: date
    end: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Temporal:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")
        return self


class Dataset(Frozen):
    id: str = Field(pattern=SLUG.pattern)
    title: Text
    description: Text
    publisher: str
    legal_basis: tuple[Text, ...] = Field(min_length=1)
    license: str
    credit: Text | None = None
    frequency: str
    modified: date
    spatial: Text
    temporal: Temporal | None = None
    themes: tuple[str, ...] = Field(min_length=1)
    keywords: Keywords
    readings: tuple[str, ...] = ()  # kana readings of the title and keywords, for search
    contact: Contact
    access: Literal["open", "restricted"]
    record_counts: tuple[str, ...] = ()
    distributions: tuple[Distribution, ...] = ()

    @field_validator("record_counts")
    @classmethod
    def _known_counts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            if name not in COUNT_NAMES:
                raise ValueError(f"unknown record count {name!r} (known: {', '.join(COUNT_NAMES)})")
        return value

    def distribution(self, distribution_id: str) -> Distribution | None:
        return next((d for d in self.distributions if d.id == distribution_id), None)

    @property
    def tables(self) -> tuple[Distribution, ...]:
        """The CSV tables (what the data package describes)."""
        return tuple(d for d in self.distributions if d.table and d.format == "CSV")

    @property
    def formats(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d.format for d in self.distributions))


class Catalog(Frozen):
    vocabularies: Vocabularies
    datasets: tuple[Dataset, ...]

    def dataset(self, dataset_id: str) -> Dataset | None:
        return next((d for d in self.datasets if d.id == dataset_id), None)


def _read(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CatalogDefinitionInvalid(f"{path.name}: cannot be read as YAML: {error}") from error


def _messages(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in error.errors())


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a dataset's references: ``unknown`` names a term outside the
    controlled vocabularies, ``invalid`` breaks a rule of the catalog."""

    field: str
    kind: Literal["unknown", "invalid"]
    message: str


def reference_problems(dataset: Dataset, vocabularies: Vocabularies) -> list[Problem]:
    found: list[Problem] = []
    for name, value, known in (
        ("publisher", dataset.publisher, vocabularies.publishers),
        ("license", dataset.license, vocabularies.licenses),
        ("frequency", dataset.frequency, vocabularies.frequencies),
    ):
        if value not in known:
            found.append(Problem(name, "unknown", f"unknown {name} {value!r}"))
    found += [
        Problem("themes", "unknown", f"unknown theme {theme!r}")
        for theme in dataset.themes
        if theme not in vocabularies.themes
    ]
    ids = [d.id for d in dataset.distributions]
    found += [
        Problem("distributions", "invalid", f"distribution id {i!r} appears twice")
        for i in sorted({i for i in ids if ids.count(i) > 1})
    ]
    for distribution in dataset.distributions:
        kinds = sum([distribution.table is not None, distribution.datapackage, distribution.url is not None])
        if kinds != 1:
            found.append(
                Problem(
                    "distributions",
                    "invalid",
                    f"distribution {distribution.id!r} needs exactly one of table, datapackage, url",
                )
            )
    licence = vocabularies.licenses.get(dataset.license)
    is_open = licence.open if licence else True
    if dataset.access == "restricted" and (dataset.tables or is_open):
        found.append(
            Problem(
                "access", "invalid", "a restricted dataset has a closed license and no downloadable table"
            )
        )
    if dataset.access == "open" and not dataset.distributions:
        found.append(Problem("distributions", "invalid", "an open dataset needs at least one distribution"))
    if any(d.datapackage for d in dataset.distributions) and not dataset.tables:
        found.append(Problem("distributions", "invalid", "a data package needs at least one table"))
    return found


def _check_references(dataset: Dataset, vocabularies: Vocabularies, where: str) -> None:
    problems = reference_problems(dataset, vocabularies)
    if problems:
        raise CatalogDefinitionInvalid(f"{where}: " + "; ".join(p.message for p in problems), file=where)


def load(directory: Path = DEFINITIONS_DIR) -> Catalog:
    """Read and check every dataset file; the first invalid one stops the load."""
    try:
        vocabularies = Vocabularies.model_validate(_read(directory / "vocabularies.yaml"))
    except ValidationError as error:
        raise CatalogDefinitionInvalid(f"vocabularies.yaml: {_messages(error)}") from error
    datasets: list[Dataset] = []
    for path in sorted((directory / "datasets").glob("*.yaml")):
        try:
            dataset = Dataset.model_validate(_read(path))
        except ValidationError as error:
            raise CatalogDefinitionInvalid(f"{path.name}: {_messages(error)}", file=path.name) from error
        _check_references(dataset, vocabularies, path.name)
        if any(d.id == dataset.id for d in datasets):
            raise CatalogDefinitionInvalid(
                f"{path.name}: dataset id {dataset.id!r} appears twice", file=path.name
            )
        datasets.append(dataset)
    return Catalog(vocabularies=vocabularies, datasets=tuple(datasets))


@lru_cache(maxsize=4)
def shipped(directory: Path = DEFINITIONS_DIR) -> Catalog:
    """The catalog shipped with the package, loaded once per process."""
    return load(directory)
