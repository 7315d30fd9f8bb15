"""JSON shapes of the address registry API (they appear in OpenAPI)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from tsunagu.core.pagination import Page
from tsunagu.registry.addresses import service

ATTRIBUTION_FIELD = Field(default=service.ATTRIBUTION, description="Data credit (CC BY 4.0).")


class TownOut(BaseModel):
    id: int
    prefecture_code: str
    prefecture: str
    municipality_code: str
    municipality: str
    town: str
    koaza: str
    lat: float | None
    lng: float | None
    postcodes: list[str]

    @classmethod
    def of(cls, record: service.TownRecord) -> TownOut:
        return cls.model_validate(record, from_attributes=True)


class TownPage(Page[TownOut]):
    attribution: str = ATTRIBUTION_FIELD


class MunicipalityOut(BaseModel):
    code: str
    name: str
    prefecture_code: str
    prefecture: str
    designated_city_code: str | None = Field(None, description="The 政令市 of a ward.")
    attribution: str = ATTRIBUTION_FIELD


class StructuredAddressOut(BaseModel):
    prefecture: str
    prefecture_code: str
    municipality: str
    municipality_code: str | None
    town: str
    town_id: int | None
    koaza: str = Field("", description="小字, when the text named one the registry knows.")
    chome: int | None
    banchi: str
    go: str
    building: str
    postcode: str | None
    label: str


class NormalizeIn(BaseModel):
    address: str = Field(min_length=1, max_length=500, examples=["東京都千代田区霞が関2-1-1"])


class NormalizeBatchIn(BaseModel):
    addresses: list[str] = Field(
        min_length=1, max_length=10_000, examples=[["京都市中京区寺町通御池上る上本能寺前町488", "南区"]]
    )


class CandidateOut(BaseModel):
    prefecture: str
    prefecture_code: str
    municipality: str
    municipality_code: str
    town: str
    town_id: int | None

    @classmethod
    def of(cls, candidate: service.Candidate) -> CandidateOut:
        return cls.model_validate(candidate, from_attributes=True)


class NormalizedOut(BaseModel):
    input: str
    level: str = Field(description="unmatched, prefecture, municipality, town or block")
    address: StructuredAddressOut | None
    lat: float | None
    lng: float | None
    remainder: str = Field(
        "", description="Text after the deepest level matched (building, room, or what could not be matched)."
    )
    skipped: list[str] = Field(
        default_factory=list,
        description="Parts read past: a Kyoto street part (寺町通御池上る), a 郡 not in the name.",
    )
    candidates: list[CandidateOut] = Field(
        default_factory=list, description="When ambiguous: every place the text may mean, with its codes."
    )
    explanation: list[str] = Field(default_factory=list, description="How each level was matched.")
    attribution: str = ATTRIBUTION_FIELD

    @classmethod
    def of(cls, result: service.NormalizedAddress) -> NormalizedOut:
        found = result.address
        structured = (
            None
            if found is None
            else StructuredAddressOut(
                prefecture=found.prefecture,
                prefecture_code=found.prefecture_code,
                municipality=found.municipality,
                municipality_code=found.municipality_code,
                town=found.town,
                town_id=found.town_id,
                koaza=found.koaza,
                chome=found.chome,
                banchi=found.banchi,
                go=found.go,
                building=found.building,
                postcode=found.postcode,
                label=found.label(),
            )
        )
        return cls(
            input=result.input,
            level=result.level,
            address=structured,
            lat=result.lat,
            lng=result.lng,
            remainder=result.remainder,
            skipped=list(result.skipped),
            candidates=[CandidateOut.of(c) for c in result.candidates],
            explanation=list(result.explanation),
        )


class PostcodeOut(BaseModel):
    postcode: str
    towns: list[TownOut]
    attribution: str = ATTRIBUTION_FIELD
