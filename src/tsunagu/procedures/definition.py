"""A validated procedure definition in memory (the typed twin of procedure.schema.json)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DataType = Literal[
    "person_name",
    "date",
    "wareki_date",
    "address",
    "postcode",
    "phone",
    "corporate_number",
    "individual_number",
    "text",
    "choice",
    "integer",
    "boolean",
    "file",
    "household_members",
    "household_member",
    "document",
]
ResponsibleRule = Literal[
    "municipality_of_current_address", "municipality_of_destination", "municipality_of_head_office", "fixed"
]
ApplicantKind = Literal["resident", "business", "sole_proprietor", "proxy"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Localized(Frozen):
    ja: str
    en: str

    def text(self, locale: str) -> str:
        return self.en if locale == "en" else self.ja


class Responsible(Frozen):
    rule: ResponsibleRule
    organization: str | None = None
    office: Localized | None = None


class Eligibility(Frozen):
    summary: Localized
    rule: dict[str, Any]


class ChoiceOption(Frozen):
    value: str
    label: Localized


class DayWindow(Frozen):
    min_days: int | None = None
    max_days: int | None = None


class FieldWindow(DayWindow):
    field: str


class DateRule(Frozen):
    """Which days a date field accepts (e.g. 転出: from 14 days ago to 30 days ahead)."""

    from_today: DayWindow | None = None
    from_field: FieldWindow | None = None


class RequiredIf(Frozen):
    field: str
    equals: str


class FormField(Frozen):
    name: str
    type: DataType
    label: Localized
    help: Localized | None = None
    required: bool = True
    max_length: int | None = None
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    options: tuple[ChoiceOption, ...] = ()
    max_bytes: int | None = None
    content_types: tuple[str, ...] = ()
    required_if: RequiredIf | None = None
    dates: DateRule | None = None
    unit: Literal["yen"] | None = None  # shown as 1,000万円; the value stays an exact integer


class Prefill(Frozen):
    """A field filled from a mesh service item (once-only: the person is not asked again)."""

    service: str
    item: str
    item_type: DataType
    field: str


class EvidenceItem(Frozen):
    item: str
    item_type: DataType
    field: str | None = None


class Evidence(Frozen):
    """Registry data fetched through the mesh instead of a paper attachment (添付書類の省略)."""

    service: str
    provider: str | None = None
    legal_basis_id: str
    legal_basis: Localized
    replaces: Localized
    items: tuple[EvidenceItem, ...]


class Publication(Frozen):
    """An approved business application is made public (法人活動情報) under ``legal_basis``."""

    title: Localized
    legal_basis: Localized


class Fee(Frozen):
    amount_yen: int
    payment: Literal["before", "after"]
    per: Localized | None = None


class Appointment(Frozen):
    required: bool
    place: Localized | None = None
    bring: tuple[Localized, ...] = ()


class IssuedDocument(Frozen):
    document: Localized
    signed: bool


class WorkflowStep(Frozen):
    id: str
    name: Localized
    role: str


class Notice(Frozen):
    """処分通知: title and body with ``{placeholder}``s filled at decision time."""

    title: Localized
    body: Localized


class Procedure(Frozen):
    id: str
    inventory_id: str | None = None
    name: Localized
    name_kana: str = ""
    keywords: tuple[str, ...] = ()
    summary: Localized
    help: Localized | None = None
    legal_basis: tuple[Localized, ...]
    responsible: Responsible
    applicants: tuple[ApplicantKind, ...]
    eligibility: Eligibility | None = None
    fields: tuple[FormField, ...]
    prefill: tuple[Prefill, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    publication: Publication | None = None
    fee: Fee | None = None
    appointment: Appointment | None = None
    issues: IssuedDocument | None = None
    workflow: tuple[WorkflowStep, ...]
    single_open: bool = False
    on_approval: Literal["resident_move_out"] | None = None
    processing_days: int
    life_events: tuple[str, ...]
    notice: Notice
    revision: str = Field(description="SHA-256 of the file this version was loaded from.")

    def field(self, name: str) -> FormField | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def prefilled_fields(self) -> frozenset[str]:
        return frozenset(p.field for p in self.prefill)

    @property
    def has_files(self) -> bool:
        return any(f.type == "file" for f in self.fields)
