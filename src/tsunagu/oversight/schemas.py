"""API shapes of the oversight part."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tsunagu.oversight import costs, feedback, kpis, layouts, links, service_kpis
from tsunagu.oversight.models import OversightInventoryProcedure, OversightInventorySurvey


class SurveyOut(BaseModel):
    survey_year: int = Field(description="Fiscal year of the survey (its volumes count the year before).")
    layout: str = Field(description="R6 (38 columns) or R7 (46 columns).")
    rows: int
    source_name: str
    imported_at: datetime
    normalized: list[dict[str, Any]] = Field(description="What the import normalized: kind, count, example.")

    @classmethod
    def of(cls, survey: OversightInventorySurvey) -> SurveyOut:
        return cls(
            survey_year=survey.survey_year,
            layout=survey.layout,
            rows=survey.rows,
            source_name=survey.source_name,
            imported_at=survey.imported_at,
            normalized=survey.normalized,
        )


class LinkedEntryOut(BaseModel):
    procedure_id: str = Field(description="手続ID of the national inventory.")
    name: str
    ministry: str
    law_name: str
    basis: str = Field(description="根拠条項号 as published.")
    cited: str = Field(description="The article of the definition's legal_basis it rests on.")


class ProcedureLinkOut(BaseModel):
    procedure: str = Field(description="Id of this platform's procedure.")
    survey_year: int | None
    method: str = Field(description="explicit (inventory_id), legal_basis, ambiguous or none.")
    entries: list[LinkedEntryOut] = Field(
        description="The linked entry; every candidate when ambiguous (none is claimed)."
    )
    missing_id: str = Field("", description="An inventory_id of the definition not in this year.")

    @classmethod
    def of(cls, link: links.Link) -> ProcedureLinkOut:
        return cls(
            procedure=link.procedure,
            survey_year=link.survey_year,
            method=link.method,
            entries=[
                LinkedEntryOut(
                    procedure_id=e.procedure_id,
                    name=e.name,
                    ministry=e.ministry,
                    law_name=e.law_name,
                    basis=e.basis,
                    cited=e.cited,
                )
                for e in link.entries
            ],
            missing_id=link.missing_id,
        )


class ImportOut(BaseModel):
    survey_year: int
    layout: str
    rows: int
    replaced: int = Field(description="Rows of that survey year before the import.")
    normalized: list[dict[str, Any]]
    notes: list[str]
    links: list[ProcedureLinkOut] = Field(
        default_factory=list, description="This platform's procedures linked to the year's entries."
    )


def _split(value: str) -> list[str]:
    return [v for v in value.split(";") if v]


class InventoryEntryOut(BaseModel):
    survey_year: int
    procedure_id: str = Field(description="手続ID of the national inventory.")
    ministry: str
    name: str
    law_name: str
    procedure_type: str = Field(description="手続類型 as '<code> <name>' ('' when the survey gives none).")
    online_status: str = Field(
        description="オンライン化の実施状況 as '<code> <name>' ('' when not answered)."
    )
    total_count: int | None = Field(description="総手続件数 (null: unknown, not zero).")
    online_count: int | None
    offline_count: int | None
    attachments: list[str]
    life_events: list[str]
    served_by: list[str] = Field(
        default_factory=list, description="Ids of this platform's procedures linked to the entry."
    )
    details: dict[str, str] = Field(default_factory=dict, description="Every other non-empty column.")

    @classmethod
    def of(
        cls, row: OversightInventoryProcedure, served: list[str] | None = None, details: bool = False
    ) -> InventoryEntryOut:
        status = row.online_status
        return cls(
            survey_year=row.survey_year,
            procedure_id=row.procedure_id,
            ministry=row.ministry,
            name=row.name,
            law_name=row.law_name,
            procedure_type=f"{row.type_code} {layouts.PROCEDURE_TYPES[row.type_code]}"
            if row.type_code
            else "",
            online_status=f"{status} {layouts.ONLINE_STATUSES[status]}" if status else "",
            total_count=row.total_count,
            online_count=row.online_count,
            offline_count=row.offline_count,
            attachments=_split(row.attachments),
            life_events=_split(row.life_events),
            served_by=served or [],
            details=row.details if details else {},
        )


class InventoryPage(BaseModel):
    survey_year: int | None
    items: list[InventoryEntryOut]
    total: int
    limit: int
    offset: int


class FiguresOut(BaseModel):
    procedures: int
    online_available: int
    total_volume: int
    rate_by_types: float | None = Field(description="Online-available procedures / all procedures.")
    rate_by_volume: float | None = Field(description="Volume of online-available procedures / all volume.")
    use_rate: float | None = Field(description="Online volume / volume, among online-available procedures.")
    with_attachments: int
    replaceable: int = Field(description="Procedures asking for an attachment a registry look-up replaces.")
    replaceable_share: float | None

    @classmethod
    def of(cls, f: kpis.Figures) -> FiguresOut:
        return cls(
            procedures=f.procedures,
            online_available=f.online_available,
            total_volume=f.total_volume,
            rate_by_types=f.rate_by_types,
            rate_by_volume=f.rate_by_volume,
            use_rate=f.use_rate,
            with_attachments=f.with_attachments,
            replaceable=f.replaceable,
            replaceable_share=f.replaceable_share,
        )


class YearKpisOut(BaseModel):
    survey_year: int
    overall: FiguresOut
    change_points: dict[str, float | None] = Field(
        description="Change of each rate from the previous survey year, in percentage points."
    )
    ministries: dict[str, FiguresOut]


class ParetoItemOut(BaseModel):
    rank: int
    procedure_id: str
    name: str
    ministry: str
    total_count: int
    cumulative_share: float


class ParetoOut(BaseModel):
    survey_year: int
    total_volume: int
    procedures_with_volume: int
    items: list[ParetoItemOut]


class ProgressOut(BaseModel):
    name: str
    kind: str = Field(description="national (FY2020 → FY2025) or local (FY2018 → FY2026).")
    baseline_year: int
    target_year: int
    baseline: int | None = Field(description="運用等経費 + 改修経費 in the baseline year (thousand yen).")
    latest_year: int | None
    latest: int | None
    reduction: float | None = Field(description="Achieved reduction from the baseline (0.3 = 30%).")
    goal: int | None
    projection: int | None = Field(description="Least-squares projection for the target year.")
    on_track: bool | None
    systems: int
    cloud_systems: int

    @classmethod
    def of(cls, p: costs.Progress) -> ProgressOut:
        return cls(
            name=p.name,
            kind=p.kind,
            baseline_year=p.target.baseline_year,
            target_year=p.target.target_year,
            baseline=p.baseline,
            latest_year=p.latest_year,
            latest=p.by_year[p.latest_year] if p.latest_year is not None else None,
            reduction=p.reduction,
            goal=p.goal,
            projection=p.projection,
            on_track=p.on_track,
            systems=p.systems,
            cloud_systems=p.cloud_systems,
        )


class CostReportOut(BaseModel):
    overall: list[ProgressOut]
    organizations: list[ProgressOut]
    risers: list[dict[str, Any]] = Field(description="Systems whose counted cost rose since the baseline.")
    systems: int


class ServiceKpisOut(BaseModel):
    procedure_id: str
    submitted: int = Field(description="Applications submitted.")
    digital_take_up: float | None = Field(description="Share sent online rather than recorded at a counter.")
    prefilled_share: float | None = Field(description="Share with fields prefilled from a registry look-up.")
    proxy_share: float | None = Field(description="Share made by a proxy (代理).")
    decided: int
    in_time_share: float | None = Field(description="Share of decisions within the 標準処理期間.")
    average_days: float | None = Field(description="Average days from submission to decision.")
    withdrawn: int

    @classmethod
    def of(cls, f: service_kpis.ServiceFigures) -> ServiceKpisOut:
        return cls(
            procedure_id=f.procedure_id,
            submitted=f.submitted,
            digital_take_up=f.digital_take_up,
            prefilled_share=f.prefilled_share,
            proxy_share=f.proxy_share,
            decided=f.decided,
            in_time_share=f.in_time_share,
            average_days=f.average_days,
            withdrawn=f.withdrawn,
        )


class DropOffOut(BaseModel):
    step: str = Field(description="The step reached (review, submitted).")
    lost: int = Field(description="Times the step before was reached and this one not.")
    share: float | None = Field(description="lost ÷ the step before.")


class UsabilityOut(BaseModel):
    procedure_id: str
    started: int = Field(description="Times the form was opened (anonymous count).")
    reviewed: int = Field(description="Times the review page was reached.")
    submitted: int = Field(description="Times an application was sent from the form.")
    completion_rate: float | None = Field(description="submitted ÷ started (GOV.UK's completion rate).")
    drop_off: list[DropOffOut]
    answers: dict[int, int] = Field(
        description="Survey answers per level, 5 very satisfied … 1 very dissatisfied."
    )
    satisfied_share: float | None = Field(description="Share answering 5 or 4 (GOV.UK's user satisfaction).")
    estimated_seconds: float | None = Field(
        description="Keystroke-level estimate of the time to fill in the form on a phone."
    )

    @classmethod
    def of(cls, u: feedback.Usability) -> UsabilityOut:
        started, reviewed, submitted = u.funnel.reached
        return cls(
            procedure_id=u.procedure_id,
            started=started,
            reviewed=reviewed,
            submitted=submitted,
            completion_rate=u.funnel.completion_rate,
            drop_off=[DropOffOut(step=s, lost=n, share=share) for s, n, share in u.funnel.drop_off()],
            answers=u.satisfaction.answers,
            satisfied_share=u.satisfaction.satisfied_share,
            estimated_seconds=None if u.seconds is None else round(u.seconds, 1),
        )
