"""Pydantic shapes of the catalog's own API (``/api/v1/catalog``)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from tsunagu.catalog import apis, codelists, dictionary, service
from tsunagu.catalog.definitions import Text
from tsunagu.core.pagination import Page


class Named(BaseModel):
    id: str
    name: Text


class LicenseOut(BaseModel):
    id: str
    title: Text
    url: str
    open: bool


class ThemeOut(Named):
    uri: str


class ContactOut(BaseModel):
    name: Text
    email: str


class DistributionOut(BaseModel):
    id: str
    title: Text
    format: str
    media_type: str
    url: str
    download: bool


class QualityOut(BaseModel):
    """The metadata quality score (MQA dimensions and weights): points per dimension and in all."""

    score: int
    maximum: int
    rating: str  # 優良 | 良好 | 可 | 不十分 (Excellent, Good, Sufficient, Bad)
    dimensions: dict[str, tuple[int, int]]  # dimension → (points, most there are)

    @classmethod
    def of(cls, quality: service.Quality) -> QualityOut:
        return cls(
            score=quality.score,
            maximum=service.MAXIMUM,
            rating=quality.rating,
            dimensions={name: quality.of(name) for name in service.DIMENSIONS},
        )


class DatasetOut(BaseModel):
    id: str
    title: Text
    description: Text
    publisher: Named
    legal_basis: list[Text]
    license: LicenseOut
    credit: Text | None
    frequency: Named
    modified: date
    spatial: Text
    themes: list[ThemeOut]
    keywords: dict[str, list[str]]
    contact: ContactOut
    access: Literal["open", "restricted"]
    distributions: list[DistributionOut]
    record_counts: dict[str, int] | None = None
    temporal: dict[str, date | None] | None = None
    quality: QualityOut | None = None

    @classmethod
    def of(
        cls,
        dataset: service.Dataset,
        base_url: str,
        record_counts: dict[str, int] | None = None,
        quality: service.Quality | None = None,
    ) -> DatasetOut:
        v = service.catalog().vocabularies
        lic = v.licenses[dataset.license]
        return cls(
            id=dataset.id,
            title=dataset.title,
            description=dataset.description,
            publisher=Named(id=dataset.publisher, name=v.publishers[dataset.publisher].name),
            legal_basis=list(dataset.legal_basis),
            license=LicenseOut(id=dataset.license, title=lic.title, url=lic.url, open=lic.open),
            credit=dataset.credit,
            frequency=Named(id=dataset.frequency, name=v.frequencies[dataset.frequency]),
            modified=dataset.modified,
            spatial=dataset.spatial,
            themes=[ThemeOut(id=t, name=v.themes[t], uri=service.DATA_THEME + t) for t in dataset.themes],
            keywords={"ja": list(dataset.keywords.ja), "en": list(dataset.keywords.en)},
            contact=ContactOut(name=dataset.contact.name, email=dataset.contact.email),
            access=dataset.access,
            distributions=[
                DistributionOut(
                    id=d.id,
                    title=d.title,
                    format=d.format,
                    media_type=d.media_type,
                    url=service.distribution_url(base_url, dataset, d),
                    download=d.format != "API",
                )
                for d in dataset.distributions
            ],
            record_counts=record_counts,
            temporal=dataset.temporal.model_dump() if dataset.temporal else None,
            quality=QualityOut.of(quality) if quality else None,
        )


class FacetOut(BaseModel):
    value: str
    name: Text
    count: int
    selected: bool


class DatasetPage(Page[DatasetOut]):
    facets: dict[str, list[FacetOut]]


class UsageOut(BaseModel):
    kind: dictionary.UsageKind
    where: str
    name: str
    title: str


class TermOut(BaseModel):
    scheme: dictionary.Scheme
    term: str


class DictionaryEntryOut(BaseModel):
    id: str
    name: Text
    definition: Text
    type: str
    format: str
    code_list: str | None
    terms: list[TermOut]
    personal: bool
    uses: list[UsageOut]

    @classmethod
    def of(cls, entry: dictionary.Entry) -> DictionaryEntryOut:
        item = entry.item
        return cls(
            id=entry.id,
            name=item.name,
            definition=item.definition,
            type=item.type,
            format=item.format,
            code_list=item.code_list,
            personal=item.personal,
            terms=[TermOut(scheme=t.scheme, term=t.term) for t in item.terms],
            uses=[UsageOut(kind=u.kind, where=u.where, name=u.name, title=u.title) for u in entry.uses],
        )


class DictionaryPage(Page[DictionaryEntryOut]):
    pass


class CodeListSummary(BaseModel):
    id: str
    title: Text
    description: Text
    publisher: Text
    source: str
    version: str
    valid_from: date
    valid_to: date | None
    size: int

    @classmethod
    def of(cls, found: codelists.CodeList) -> CodeListSummary:
        return cls(
            id=found.id,
            title=found.title,
            description=found.description,
            publisher=found.publisher,
            source=found.source,
            version=found.version,
            valid_from=found.valid_from,
            valid_to=found.valid_to,
            size=len(found.codes),
        )


class CodeListOut(CodeListSummary):
    codes: list[codelists.Code]

    @classmethod
    def of(cls, found: codelists.CodeList) -> CodeListOut:
        return cls(**CodeListSummary.of(found).model_dump(), codes=list(found.codes))


class CodeListPage(Page[CodeListSummary]):
    pass


class _FromAttributes(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class MemberOut(_FromAttributes):
    code: str
    name: Text


class ServiceItemOut(_FromAttributes):
    name: str
    type: str
    title: str
    dictionary_item: str | None = None


class CallerOut(_FromAttributes):
    basis_id: str
    title: str
    law: str
    consumer: MemberOut
    items: list[str]
    by_consent: bool
    revoked: bool


class MeshServiceOut(_FromAttributes):
    provider: MemberOut
    code: str
    version: str
    title: str
    items: list[ServiceItemOut]
    response_schema: dict[str, Any]
    callers: list[CallerOut]


class OperationOut(_FromAttributes):
    method: str
    path: str
    summary: str


class RestApiOut(_FromAttributes):
    tag: str
    operations: list[OperationOut]


class ApiCatalogOut(BaseModel):
    mesh_services: list[MeshServiceOut]
    rest_apis: list[RestApiOut]
    openapi: str


def mesh_service_out(service: apis.MeshService, items: dict[str, str]) -> MeshServiceOut:
    """A mesh service with each item linked to its data dictionary entry (``items``: use key → entry)."""
    found = MeshServiceOut.model_validate(service)
    for item in found.items:
        key = f"{service.provider.code}:{service.code}.{item.name}"
        item.dictionary_item = items.get(key) or items.get(item.name)
    return found
