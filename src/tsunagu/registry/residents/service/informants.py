"""死亡届の届出人: who reported a death, in the capacity 戸籍法第87条 gives them.

第1項: 同居の親族, その他の同居者, 家主・地主・家屋若しくは土地の管理人 (in this order of duty);
第2項: 同居の親族以外の親族, 後見人, 保佐人, 補助人, 任意後見人, 任意後見受任者 (may report). A
resident of the registry is named by their record (name and address from it, never typed again);
anyone else by name and address as the form says. Relatives give their 続柄 to the deceased.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.messages import N_
from tsunagu.core.types.text import normalize_width
from tsunagu.registry.residents.errors import InformantNotCohabiting, InformantNotResident, InformantRequired
from tsunagu.registry.residents.models import DeathInformant, Resident
from tsunagu.registry.residents.service.reading import get_resident

#: 届出人の資格 as the 死亡届 lists them (戸籍法第87条), in the law's order
INFORMANT_QUALIFICATIONS = {
    "cohabiting-relative": N_("同居の親族"),
    "other-cohabitant": N_("その他の同居者"),
    "landlord-or-manager": N_("家主・地主・家屋管理人・土地管理人"),
    "other-relative": N_("同居の親族以外の親族"),
    "guardian": N_("後見人"),
    "curator": N_("保佐人"),
    "assistant": N_("補助人"),
    "voluntary-guardian": N_("任意後見人"),
    "voluntary-guardian-designate": N_("任意後見受任者"),
}
RELATIVES = frozenset({"cohabiting-relative", "other-relative"})
COHABITING = frozenset({"cohabiting-relative", "other-cohabitant"})


@dataclass(frozen=True)
class Informant:
    """The 届出人 as declared: a capacity, and a resident or a name and address."""

    qualification: str
    resident_id: str | None = None
    name: str = ""
    address: str = ""
    relationship: str = ""  # 続柄 to the deceased (妻, 長男…), for relatives


@dataclass(frozen=True)
class ReportedBy:
    """The recorded 届出人 of one death."""

    qualification: str
    informant_id: str | None
    name: str
    address: str
    relationship: str

    @property
    def qualification_label(self) -> str:
        return INFORMANT_QUALIFICATIONS[self.qualification]


def record_informant(db: Session, deceased: Resident, informant: Informant) -> dict[str, str]:
    """Check and store the 届出人 of ``deceased``'s death; the history entry's details of it."""
    if informant.qualification not in INFORMANT_QUALIFICATIONS:
        raise InformantRequired("informant_qualification", "choose the informant's capacity (資格)")
    name, address = normalize_width(informant.name).strip(), normalize_width(informant.address).strip()
    relationship = normalize_width(informant.relationship).strip()
    person = get_resident(db, informant.resident_id) if informant.resident_id else None
    if informant.resident_id:
        if (
            person is None
            or person.status != "resident"
            or person.id == deceased.id
            or person.municipality_code != deceased.municipality_code
        ):
            raise InformantNotResident("informant_id", "the informant is not a living resident here")
        if informant.qualification in COHABITING and person.household_id != deceased.household_id:
            raise InformantNotCohabiting("informant_id", "a cohabiting informant lives in the same 世帯")
        name, address = person.name.full, person.address.label()
    if not name:
        raise InformantRequired("informant_name", "name the informant (届出人の氏名)")
    if not address:
        raise InformantRequired("informant_address", "give the informant's address (届出人の住所)")
    if informant.qualification in RELATIVES and not relationship:
        raise InformantRequired("informant_relationship", "a relative gives the 続柄 to the deceased")
    db.add(
        DeathInformant(
            resident_id=deceased.id,
            qualification=informant.qualification,
            informant_id=person.id if person else None,
            name=name,
            address=address,
            relationship=relationship,
            recorded_at=clock.now(),
        )
    )
    label = INFORMANT_QUALIFICATIONS[informant.qualification]
    return {
        "informant": f"{name}（{label}{'・' + relationship if relationship else ''}）",
        "informant_address": address,
    }


def informant_of(db: Session, deceased_id: str) -> ReportedBy | None:
    """Who reported the death of ``deceased_id`` (None for a death recorded without one)."""
    row = db.get(DeathInformant, deceased_id)
    if row is None:
        return None
    return ReportedBy(row.qualification, row.informant_id, row.name, row.address, row.relationship)


def deaths_reported_by(db: Session, informant_id: str) -> list[str]:
    """The deceased whose death ``informant_id`` reported as a resident."""
    return list(
        db.scalars(select(DeathInformant.resident_id).where(DeathInformant.informant_id == informant_id))
    )
