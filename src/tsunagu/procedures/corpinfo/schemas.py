"""JSON shapes of the open corporate information API (法人活動情報)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from tsunagu.procedures.corpinfo.service import BasicInformation, CorporateActivity, PublicFiling, Record
from tsunagu.registry.corporations.service import CorporationRecord


class CorporationSummaryOut(BaseModel):
    corporate_number: str = Field(description="法人番号 (13 digits)", examples=["6010001000001"])
    name: str = Field(description="商号又は名称")
    kind: str = Field(description="法人種別 (株式会社, 合同会社, …)")
    location: str = Field(description="本店又は主たる事務所の所在地")
    postal_code: str
    status: Literal["active", "closed", "deleted"]
    close_date: dt.date | None = Field(description="登記記録の閉鎖等年月日 (closed corporations)")
    close_cause: str = Field(description="閉鎖等の事由 (清算の結了等, 合併による解散等, …)")
    update_date: dt.date

    @classmethod
    def of(cls, record: CorporationRecord) -> CorporationSummaryOut:
        return cls(
            corporate_number=record.number,
            name=record.name,
            kind=record.kind_label,
            location=record.address,
            postal_code=record.post_code,
            status=record.status,
            close_date=record.close_date,
            close_cause=record.close_cause_label,
            update_date=record.update_date,
        )


class BasicInformationOut(CorporationSummaryOut):
    furigana: str
    capital_yen: int | None = Field(description="資本金の額 (登記), null when not registered here")
    date_of_establishment: dt.date | None = Field(description="会社成立の年月日 (登記)")
    representatives: list[str] = Field(description="代表者: 役職 氏名 (登記); never an address")
    business_purposes: list[str] = Field(description="目的 (登記)")

    @classmethod
    def of_basic(cls, basic: BasicInformation) -> BasicInformationOut:
        return cls(
            **CorporationSummaryOut.of(basic.corporation).model_dump(),
            furigana=basic.corporation.furigana,
            capital_yen=basic.capital_yen,
            date_of_establishment=basic.established_on,
            representatives=list(basic.representatives),
            business_purposes=list(basic.purposes),
        )


class RecordOut(BaseModel):
    """A subsidy (補助金) or a procurement contract (調達)."""

    date: dt.date = Field(description="交付決定日 (subsidy) or 契約日 (procurement)")
    title: str
    target: str = Field(description="補助対象事業 (subsidies; empty for procurement)")
    amount_yen: int | None
    government_department: str = Field(description="交付元 or 調達機関")
    source: str

    @classmethod
    def of(cls, record: Record) -> RecordOut:
        return cls(
            date=record.on,
            title=record.title,
            target=record.target,
            amount_yen=record.amount_yen,
            government_department=record.government_department,
            source=record.source,
        )


class FilingOut(BaseModel):
    """届出・認定: an approved application whose result is public."""

    date_of_approval: dt.date
    title: str
    legal_basis: str = Field(description="Why this result is public")
    organization_code: str
    receipt_number: str

    @classmethod
    def of(cls, filing: PublicFiling) -> FilingOut:
        return cls(
            date_of_approval=filing.approved_on,
            title=filing.title,
            legal_basis=filing.legal_basis,
            organization_code=filing.organization_code,
            receipt_number=filing.receipt_number,
        )


class ActivityOut(BaseModel):
    """法人活動情報 of one corporation: the latest 20 subsidies and procurements (the totals say
    whether there are more: page them at /subsidies and /procurements)."""

    basic: BasicInformationOut
    filings: list[FilingOut]
    subsidies: list[RecordOut]
    subsidies_total: int
    procurements: list[RecordOut]
    procurements_total: int

    @classmethod
    def of(cls, found: CorporateActivity) -> ActivityOut:
        return cls(
            basic=BasicInformationOut.of_basic(found.basic),
            filings=[FilingOut.of(f) for f in found.filings],
            subsidies=[RecordOut.of(r) for r in found.subsidies],
            subsidies_total=found.subsidies_total,
            procurements=[RecordOut.of(r) for r in found.procurements],
            procurements_total=found.procurements_total,
        )
