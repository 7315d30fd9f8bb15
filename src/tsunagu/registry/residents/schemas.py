"""JSON in and out of the resident registry API. 個人番号 appears only in ``OwnRecordOut``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from tsunagu.core.sessions import Principal
from tsunagu.core.types.individual_number import IndividualNumber
from tsunagu.core.types.name import InvalidName, PersonName
from tsunagu.core.types.wareki import JapaneseDate
from tsunagu.registry.residents import service
from tsunagu.registry.residents.numbers import vault


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

    id: int
    kind: str = Field(
        description="birth, move_in, address_change, move_out, death, name_change or head_change."
    )
    effective_date: date
    recorded_at: datetime
    actor: str
    legal_basis: str
    details: dict[str, str] = Field(
        description="What the 届出 said beyond the record: previous_address and certificate (転入), "
        "reason (氏名変更), previous_head (世帯主変更)."
    )
    record: ResidentOut

    @classmethod
    def of(cls, change: service.ChangeRecord) -> ChangeOut:
        return cls(
            id=change.id,
            kind=change.kind,
            effective_date=change.effective_date,
            recorded_at=change.recorded_at,
            actor=change.actor,
            legal_basis=change.legal_basis,
            details=dict(change.details),
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
    role: str = Field(description="The reader's staff role (閲覧, 住基); empty when not recorded.")
    purpose: str
    accessed_at: datetime

    @classmethod
    def of(cls, access: service.AccessRecord) -> AccessOut:
        return cls.model_validate(access, from_attributes=True)


class OwnRecordOut(ResidentOut):
    """What a resident sees of themself: the record, their 個人番号 and who read the record."""

    individual_number: str
    accesses: list[AccessOut]


# ------------------------------------------------------------- registrations (届出)
# Each ``…In`` both documents the API body and validates the staff forms, and ``register``
# hands it to the service: the JSON API and the pages run the same rules.


class RegistrationIn(BaseModel, ABC):
    new_person: ClassVar[bool] = False  # ``where`` is a municipality (出生・転入), else a resident

    @abstractmethod
    def register(self, db: Session, where: str, actor: str) -> service.ResidentRecord:
        """Hand the 届出 to the service; ``where`` is the municipality (new person) or the resident."""

    def request(self, db: Session) -> dict[str, Any]:
        """What an Idempotency-Key is checked against: the body as JSON."""
        return self.model_dump(mode="json")

    def municipality_of(self, db: Session, where: str) -> str:
        """The municipality whose registrar may make this 届出 (``where``'s, for a new person)."""
        return where if self.new_person else service.require_resident(db, where).municipality_code

    def rehearse(self, db: Session, where: str, registrar: Principal) -> None:
        """Try every rule of the service and roll back (the confirmation page)."""
        actor = service.require_registrar(registrar, self.municipality_of(db, where))
        trial = db.begin_nested()
        try:
            self.register(db, where, actor)
        finally:
            trial.rollback()

    def register_once(
        self, db: Session, where: str, registrar: Principal, key: str | None
    ) -> tuple[service.ChangeRecord, bool]:
        """``register`` once per registrar and Idempotency-Key (the API's and the forms' alike)."""
        request = {"form": type(self).__name__, "where": where, "body": self.request(db)}
        municipality = self.municipality_of(db, where)
        return service.register_once(
            db,
            registrar,
            municipality,
            key=key,
            request=request,
            register=lambda actor: self.register(db, where, actor),
        )


class AddressChangeIn(RegistrationIn):
    """転居届."""

    town_id: int = Field(description="町字 id of the address registry, in the same municipality.")
    banchi: str = Field("", max_length=20, description="番地, e.g. 3.")
    go: str = Field("", max_length=20, description="号, e.g. 5.")
    building: str = Field("", max_length=200, description="Building and room.")
    effective_date: JapaneseDate = Field(description="The day of the move (異動日); not in the future.")
    legal_basis: str | None = Field(None, max_length=100, description="Default: 住民基本台帳法第23条.")

    def register(self, db: Session, where: str, actor: str) -> service.ResidentRecord:
        return service.change_address(
            db,
            where,
            service.Residence(self.town_id, self.banchi, self.go, self.building),
            effective_date=self.effective_date,
            actor=actor,
            legal_basis=self.legal_basis,
        )


class NameFields(BaseModel):
    family_name: str = Field(max_length=50, description="氏.")
    given_name: str = Field(max_length=50, description="名.")
    family_kana: str = Field(max_length=50, description="氏のフリガナ (hiragana is accepted).")
    given_kana: str = Field(max_length=50, description="名のフリガナ.")

    def person_name(self) -> PersonName:
        """The checked name; a failure names the body's field (``family_name``, …)."""
        try:
            return PersonName(self.family_name, self.given_name, self.family_kana, self.given_kana)
        except InvalidName as exc:
            field = {"family": "family_name", "given": "given_name"}.get(exc.field, exc.field)
            raise InvalidName(field, exc.detail) from None


class ResidenceFields(BaseModel):
    town_id: int | None = Field(None, description="町字 id of the address registry, in this municipality.")
    banchi: str = Field("", max_length=20, description="番地, e.g. 3.")
    go: str = Field("", max_length=20, description="号, e.g. 5.")
    building: str = Field("", max_length=200, description="Building and room.")

    def residence(self) -> service.Residence | None:
        return service.Residence(self.town_id, self.banchi, self.go, self.building) if self.town_id else None


class NewPersonFields(NameFields):
    new_person: ClassVar[bool] = True
    birth_date: JapaneseDate = Field(description="生年月日; not in the future.")
    sex: Literal["1", "2", "9", "0"] = Field(description="ISO 5218: 1 male, 2 female, 9 n/a, 0 unknown.")
    household_id: str | None = Field(
        None, max_length=32, description="世帯 to join; without it the person starts a new household."
    )
    relationship: str = Field(service.HEAD, min_length=1, max_length=20, description="続柄 to the head.")
    legal_basis: str | None = Field(None, max_length=100, description="Default: the 届出's article.")


class BirthIn(NewPersonFields, ResidenceFields, RegistrationIn):
    """出生届: into an existing household (``household_id``, at its address) or a new one
    (``town_id``…, the newborn is 世帯主). The 個人番号 is assigned by the registry."""

    relationship: str = Field("子", min_length=1, max_length=20, description="続柄 to the head, e.g. 子.")

    def register(self, db: Session, where: str, actor: str) -> service.ResidentRecord:
        person = service.NewResident(
            name=self.person_name(),
            birth_date=self.birth_date,
            sex=self.sex,
            individual_number=service.assign_individual_number(db, where),
            household_id=self.household_id or None,
            relationship=self.relationship,
        )
        return service.register_birth(
            db,
            where,
            person,
            actor=actor,
            legal_basis=self.legal_basis,
            residence=None if self.household_id else self.residence(),
        )


class MoveInIn(NewPersonFields, ResidenceFields, RegistrationIn):
    """転入届: a person moving in from another municipality."""

    town_id: int = Field(description="New 町字 id of the address registry, in this municipality.")
    individual_number: IndividualNumber = Field(description="個人番号 (12 digits), from the card.")
    previous_address: str = Field(
        min_length=1, max_length=200, description="前住所 in another municipality; normalized."
    )
    certificate: str = Field("", max_length=50, description="転出証明書 reference, if presented.")
    effective_date: JapaneseDate = Field(description="転入日 (the day of the move); not in the future.")

    def request(self, db: Session) -> dict[str, Any]:
        # The JSON form masks the 個人番号; its keyed hash tells two numbers apart without keeping it.
        number = vault(db).lookup_hash(self.individual_number.reveal())
        return super().request(db) | {"individual_number": number}

    def register(self, db: Session, where: str, actor: str) -> service.ResidentRecord:
        person = service.NewResident(
            name=self.person_name(),
            birth_date=self.birth_date,
            sex=self.sex,
            individual_number=self.individual_number,
            household_id=self.household_id or None,
            relationship=self.relationship if self.household_id else service.HEAD,
        )
        return service.register_move_in(
            db,
            where,
            person,
            service.Residence(self.town_id, self.banchi, self.go, self.building),
            moved_in_on=self.effective_date,
            actor=actor,
            legal_basis=self.legal_basis,
            previous_address=self.previous_address,
            certificate=self.certificate,
        )


InformantQualification = Literal[
    "cohabiting-relative",
    "other-cohabitant",
    "landlord-or-manager",
    "other-relative",
    "guardian",
    "curator",
    "assistant",
    "voluntary-guardian",
    "voluntary-guardian-designate",
]


class DeathIn(RegistrationIn):
    """死亡届."""

    date_of_death: JapaneseDate = Field(description="死亡日; not in the future.")
    new_head_id: str | None = Field(
        None, max_length=32, description="The member who becomes 世帯主 when the head died."
    )
    informant_qualification: InformantQualification = Field(
        description="届出人の資格 (戸籍法第87条): cohabiting-relative 同居の親族, other-cohabitant "
        "その他の同居者, landlord-or-manager 家主・地主・管理人, other-relative 同居の親族以外の親族, "
        "guardian 後見人, curator 保佐人, assistant 補助人, voluntary-guardian 任意後見人, "
        "voluntary-guardian-designate 任意後見受任者."
    )
    informant_id: str | None = Field(
        None,
        max_length=32,
        description="The 届出人's resident id when they live in this municipality (name and address "
        "then come from their record; a cohabiting one lives in the deceased's 世帯).",
    )
    informant_name: str = Field("", max_length=200, description="届出人の氏名 (without informant_id).")
    informant_address: str = Field("", max_length=300, description="届出人の住所 (without informant_id).")
    informant_relationship: str = Field(
        "", max_length=50, description="続柄 to the deceased (妻, 長男…); required for relatives."
    )
    legal_basis: str | None = Field(None, max_length=100, description="Default: 住民基本台帳法第8条.")

    def register(self, db: Session, where: str, actor: str) -> service.ResidentRecord:
        return service.register_death(
            db,
            where,
            date_of_death=self.date_of_death,
            actor=actor,
            legal_basis=self.legal_basis,
            new_head_id=self.new_head_id or None,
            informant=service.Informant(
                self.informant_qualification,
                self.informant_id or None,
                self.informant_name,
                self.informant_address,
                self.informant_relationship,
            ),
        )


class NameChangeIn(NameFields, RegistrationIn):
    """氏名変更 (after a 戸籍 event)."""

    reason: str = Field(min_length=1, max_length=100, description="The 戸籍 event, e.g. 婚姻.")
    effective_date: JapaneseDate = Field(description="The day of the change; not in the future.")
    legal_basis: str | None = Field(None, max_length=100, description="Default: 住民基本台帳法第9条第2項.")

    def register(self, db: Session, where: str, actor: str) -> service.ResidentRecord:
        return service.change_name(
            db,
            where,
            self.person_name(),
            effective_date=self.effective_date,
            actor=actor,
            legal_basis=self.legal_basis,
            reason=self.reason,
        )


class MoveOutIn(RegistrationIn):
    """転出届."""

    destination: str = Field(min_length=1, max_length=300, description="転出先 address.")
    effective_date: JapaneseDate = Field(description="転出予定日 / 転出日; not in the future.")
    legal_basis: str | None = Field(None, max_length=100, description="Default: 住民基本台帳法第24条.")

    def register(self, db: Session, where: str, actor: str) -> service.ResidentRecord:
        return service.move_out(
            db,
            where,
            destination=self.destination,
            effective_date=self.effective_date,
            actor=actor,
            legal_basis=self.legal_basis,
        )
