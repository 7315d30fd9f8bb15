"""JSON shapes of the public corporate registry API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from tsunagu.registry.corporations.service import CorporationChangeRecord, CorporationRecord


class CorporationOut(BaseModel):
    number: str = Field(description="法人番号 (13 digits)", examples=["1000011000005"])
    name: str = Field(description="商号又は名称")
    furigana: str
    en_name: str
    kind: str = Field(description="法人種別 code (301 株式会社, 305 合同会社, …)")
    kind_label: str
    prefecture_code: str
    prefecture_name: str
    city_code: str
    city_name: str
    municipality_code: str = Field(
        description="全国地方公共団体コード of the head office (empty: abroad or unknown)"
    )
    street_number: str
    address: str = Field(description="所在地 as one line")
    post_code: str
    assignment_date: date | None
    update_date: date
    status: Literal["active", "closed", "deleted"]
    close_date: date | None
    close_cause: str = Field(description="登記記録の閉鎖等の事由 code (01, 11, 21, 31) or empty")
    close_cause_label: str
    successor_number: str = Field(description="承継先法人番号, e.g. after a merger")

    @classmethod
    def of(cls, record: CorporationRecord) -> CorporationOut:
        return cls.model_validate(record, from_attributes=True)


class CorporationChangeOut(BaseModel):
    process: str = Field(
        description="処理区分 (01 新規, 11 商号変更, 12 国内所在地変更, 21 閉鎖, 71 吸収合併, …)"
    )
    process_label: str
    correction: bool
    update_date: date
    change_date: date | None
    name: str
    furigana: str
    address: str
    post_code: str
    close_date: date | None
    close_cause: str
    successor_number: str
    change_cause: str

    @classmethod
    def of(cls, change: CorporationChangeRecord) -> CorporationChangeOut:
        return cls.model_validate(change, from_attributes=True)


class CorporationDetailOut(CorporationOut):
    municipality_name: str | None = Field(description="The municipality's name in the address registry")
    history: list[CorporationChangeOut] = Field(description="Every published change, oldest first")


class ChangeIn(BaseModel):
    """変更の登記: ``kind`` and the fields of that kind (the others are ignored)."""

    kind: Literal["trade_name", "head_office", "representative", "dissolution"]
    effective_on: date = Field(description="変更年月日 (not in the future)")
    name: str = Field("", max_length=300, description="trade_name: 新しい商号")
    furigana: str = Field("", max_length=500)
    municipality_code: str = Field("", max_length=6, description="head_office: 全国地方公共団体コード")
    street_number: str = Field("", max_length=300)
    post_code: str = Field("", max_length=8)
    resigning: int | None = Field(
        None, ge=1, le=2**31 - 1, description="representative: the officer id who 退任 (none: one is added)"
    )
    title: str = Field("", max_length=30)
    person_name: str = Field("", max_length=200)
    address: str = Field("", max_length=300)
    liquidator_name: str = Field("", max_length=200, description="dissolution: 代表清算人 (optional)")
    liquidator_address: str = Field("", max_length=300)


class OfficerOut(BaseModel):
    id: int
    title: str
    name: str
    appointed_on: date


class ChangeOut(BaseModel):
    """The corporation's 登記事項 after the change; its event waits in the outbox for the mesh."""

    number: str
    name: str
    head_office: str
    status: Literal["active", "dissolved", "closed"]
    dissolved_on: date | None
    representatives: list[OfficerOut]
