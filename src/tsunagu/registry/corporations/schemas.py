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
        return cls(
            number=record.number,
            name=record.name,
            furigana=record.furigana,
            en_name=record.en_name,
            kind=record.kind,
            kind_label=record.kind_label,
            prefecture_code=record.prefecture_code,
            prefecture_name=record.prefecture_name,
            city_code=record.city_code,
            city_name=record.city_name,
            municipality_code=record.municipality_code,
            street_number=record.street_number,
            address=record.address,
            post_code=record.post_code,
            assignment_date=record.assignment_date,
            update_date=record.update_date,
            status=record.status,
            close_date=record.close_date,
            close_cause=record.close_cause,
            close_cause_label=record.close_cause_label,
            successor_number=record.successor_number,
        )


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
        return cls(
            process=change.process,
            process_label=change.process_label,
            correction=change.correction,
            update_date=change.update_date,
            change_date=change.change_date,
            name=change.name,
            furigana=change.furigana,
            address=change.address,
            post_code=change.post_code,
            close_date=change.close_date,
            close_cause=change.close_cause,
            successor_number=change.successor_number,
            change_cause=change.change_cause,
        )


class CorporationDetailOut(CorporationOut):
    municipality_name: str | None = Field(description="The municipality's name in the address registry")
    history: list[CorporationChangeOut] = Field(description="Every published change, oldest first")
