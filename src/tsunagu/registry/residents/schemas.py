"""JSON in and out of the resident registry API. 個人番号 appears only in ``OwnRecordOut``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from tsunagu.registry.residents import service


class AddressOut(BaseModel):
    prefecture: str
    municipality: str
    town: str
    chome: int | None
    koaza: str
    banchi: str
    go: str
    building: str
    prefecture_code: str
    municipality_code: str
    town_id: int | None
    label: str = Field(description="One line, e.g. 東京都千代田区飯田橋三丁目3-5 飯田橋ハイツ 101.")


class ResidentOut(BaseModel):
    """住民票の記載事項 (without 個人番号)."""

    id: str
    municipality_code: str
    family_name: str
    given_name: str
    family_kana: str
    given_kana: str
    birth_date: date
    sex: str = Field(description="ISO 5218: 1 male, 2 female, 9 not applicable, 0 unknown.")
    address: AddressOut
    household_id: str
    relationship: str = Field(description="続柄 to the head of household, e.g. 世帯主, 妻, 子.")
    status: Literal["resident", "moved_out", "deceased"]
    status_date: date | None
    destination: str = Field(description="転出先 when moved out.")

    @classmethod
    def of(cls, record: service.ResidentRecord) -> ResidentOut:
        a = record.address
        return cls(
            id=record.id,
            municipality_code=record.municipality_code,
            family_name=record.name.family,
            given_name=record.name.given,
            family_kana=record.name.family_kana,
            given_kana=record.name.given_kana,
            birth_date=record.birth_date,
            sex=record.sex,
            address=AddressOut(
                prefecture=a.prefecture,
                municipality=a.municipality,
                town=a.town,
                chome=a.chome,
                koaza=a.koaza,
                banchi=a.banchi,
                go=a.go,
                building=a.building,
                prefecture_code=a.prefecture_code,
                municipality_code=record.municipality_code,
                town_id=a.town_id,
                label=a.label(),
            ),
            household_id=record.household_id,
            relationship=record.relationship,
            status=record.status,
            status_date=record.status_date,
            destination=record.destination,
        )


class ChangeOut(BaseModel):
    """One history entry (異動履歴) with the record as it became."""

    kind: str = Field(description="birth, move_in, address_change, move_out, death or name_change.")
    effective_date: date
    recorded_at: datetime
    actor: str
    legal_basis: str
    record: ResidentOut

    @classmethod
    def of(cls, change: service.ChangeRecord) -> ChangeOut:
        return cls(
            kind=change.kind,
            effective_date=change.effective_date,
            recorded_at=change.recorded_at,
            actor=change.actor,
            legal_basis=change.legal_basis,
            record=ResidentOut.of(change.record),
        )


class HouseholdMemberOut(BaseModel):
    id: str
    family_name: str
    given_name: str
    relationship: str
    birth_date: date


class ResidentDetailOut(ResidentOut):
    household: list[HouseholdMemberOut]
    history: list[ChangeOut]


class AccessOut(BaseModel):
    actor: str
    organization_code: str
    purpose: str
    accessed_at: datetime

    @classmethod
    def of(cls, access: service.AccessRecord) -> AccessOut:
        return cls(
            actor=access.actor,
            organization_code=access.organization_code,
            purpose=access.purpose,
            accessed_at=access.accessed_at,
        )


class OwnRecordOut(ResidentOut):
    """What a resident sees of themself: the record, their 個人番号 and who read the record."""

    individual_number: str
    accesses: list[AccessOut]


class AddressChangeIn(BaseModel):
    """転居届."""

    town_id: int = Field(description="町字 id of the address registry, in the same municipality.")
    banchi: str = Field("", max_length=20, description="番地, e.g. 3.")
    go: str = Field("", max_length=20, description="号, e.g. 5.")
    building: str = Field("", max_length=200, description="Building and room.")
    effective_date: date = Field(description="The day of the move (異動日); not in the future.")
    legal_basis: str | None = Field(None, max_length=100, description="Default: 住民基本台帳法第23条.")


class MoveOutIn(BaseModel):
    """転出届."""

    destination: str = Field(min_length=1, max_length=300, description="転出先 address.")
    effective_date: date = Field(description="転出予定日 / 転出日; not in the future.")
    legal_basis: str | None = Field(None, max_length=100, description="Default: 住民基本台帳法第24条.")
