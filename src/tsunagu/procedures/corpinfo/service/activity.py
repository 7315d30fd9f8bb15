"""法人活動情報 by 法人番号 (Gビズインフォ-style): basic information from the corporate registry,
the filings made here that are public (a procedure's ``publication``), subsidies and procurement.

Everything here is public: only what the 法人番号 registry publishes, the 登記事項 anyone may
obtain (capital, establishment, representatives' names — never their addresses), and records
published by law or by the body that made them. A deleted 法人番号 is not shown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, literal_column, select, union_all
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.types.corporate_number import CorporateNumber
from tsunagu.mesh import corporate
from tsunagu.procedures.corpinfo.models import CorpinfoProcurement, CorpinfoSubsidy
from tsunagu.procedures.corpinfo.service.awards import Kind
from tsunagu.procedures.definition import Procedure
from tsunagu.procedures.models import ProceduresApplication, ProceduresAudit
from tsunagu.registry.corporations import service as corporations

__all__ = [
    "BasicInformation",
    "CorporateActivity",
    "PublicFiling",
    "Record",
    "activity",
    "all_filings",
    "awards",
    "basic_information",
    "filings",
    "search",
]


@dataclass(frozen=True)
class BasicInformation:
    """基本情報: the 法人番号 registry's 基本3情報 and status, with public 登記事項 when held."""

    corporation: corporations.CorporationRecord
    capital_yen: int | None
    established_on: date | None
    representatives: tuple[str, ...]  # 役職 氏名 of the current representatives
    purposes: tuple[str, ...]


@dataclass(frozen=True)
class Record:
    """A subsidy (補助金) or procurement (調達) award; ``on`` is the 交付決定日 or 契約日."""

    on: date
    title: str
    target: str
    amount_yen: int | None
    government_department: str
    source: str


@dataclass(frozen=True)
class PublicFiling:
    """届出・認定: an approved application made through the platform whose result is public."""

    procedure_id: str
    title: str
    title_en: str
    legal_basis: str
    organization_code: str
    receipt_number: str
    approved_on: date


@dataclass(frozen=True)
class CorporateActivity:
    basic: BasicInformation
    filings: tuple[PublicFiling, ...]
    subsidies: tuple[Record, ...]
    procurements: tuple[Record, ...]
    subsidies_total: int
    procurements_total: int


def basic_information(db: Session, number: str) -> BasicInformation:
    """The corporation's public basic information; a bad check digit or a deleted number refused."""
    record, matters = corporations.public_profile(db, number)
    if record.status == "deleted":
        raise corporations.CorporationNotFound(f"the corporate number {record.number} was deleted")
    return BasicInformation(
        corporation=record,
        capital_yen=matters.capital_yen if matters else None,
        established_on=matters.established_on if matters else None,
        representatives=matters.representatives if matters else (),
        purposes=matters.purposes if matters else (),
    )


def _award_statement(model: type[CorpinfoSubsidy] | type[CorpinfoProcurement], day: Any) -> Select[Any]:
    """One page of a corporation's records with the total as a window count, built once: a
    look-up served at volume binds only the number and the page."""
    target = CorpinfoSubsidy.target if model is CorpinfoSubsidy else literal_column("''").label("target")
    kind = "subsidies" if model is CorpinfoSubsidy else "procurements"
    return (
        select(
            literal_column(f"'{kind}'").label("kind"),
            day,
            model.title,
            target,
            model.amount_yen,
            model.government_department,
            model.source,
            func.count().over(),
        )
        .where(model.corporate_number == bindparam("number"))
        .order_by(day.desc(), model.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


_AWARDS: dict[str, tuple[Select[Any], Select[Any]]] = {
    kind: (
        _award_statement(model, day),
        select(func.count()).select_from(model).where(model.corporate_number == bindparam("number")),
    )
    for kind, model, day in (
        ("subsidies", CorpinfoSubsidy, CorpinfoSubsidy.approved_on),
        ("procurements", CorpinfoProcurement, CorpinfoProcurement.ordered_on),
    )
}


def awards(
    db: Session, kind: Kind, number: str, *, limit: int = 50, offset: int = 0
) -> tuple[list[Record], int]:
    """補助金情報 (``subsidies``) or 調達情報 (``procurements``) of one corporation, newest first, and
    how many there are — in one statement (the total rides along as a window count); only a page
    past the last record asks for the total on its own."""
    page, count = _AWARDS[kind]
    number = str(CorporateNumber(number))
    found = db.execute(page, {"number": number, "limit": limit, "offset": offset}).all()
    total = int(found[0][-1]) if found else 0
    if not found and offset:  # past the last record: the total on its own
        total = db.scalar(count, {"number": number}) or 0
    return [Record(*row[1:-1]) for row in found], total


#: the latest page of both kinds in one statement (the look-up by 法人番号)
_LATEST = union_all(*(page.subquery().select() for page, _count in _AWARDS.values()))


def _latest_awards(db: Session, number: str, latest: int) -> dict[str, tuple[list[Record], int]]:
    """The ``latest`` subsidies and procurements of one corporation, and how many of each."""
    found: dict[str, tuple[list[Record], int]] = {"subsidies": ([], 0), "procurements": ([], 0)}
    for row in db.execute(_LATEST, {"number": number, "limit": latest, "offset": 0}):
        records, _total = found[row[0]]
        records.append(Record(*row[1:-1]))
        found[row[0]] = (records, int(row[-1]))
    return found


def _published(procedures: Mapping[str, Procedure]) -> dict[str, Procedure]:
    return {pid: p for pid, p in procedures.items() if p.publication is not None}


_FILINGS = (
    select(
        ProceduresApplication.procedure_id,
        ProceduresApplication.organization_code,
        ProceduresApplication.receipt_number,
        ProceduresApplication.subject_id,
        func.max(ProceduresAudit.at),
    )
    .join(ProceduresAudit, ProceduresAudit.application_id == ProceduresApplication.id)
    .where(
        ProceduresApplication.applicant_kind == "business",
        ProceduresApplication.status == "approved",
        ProceduresApplication.procedure_id.in_(bindparam("procedures", expanding=True)),
        ProceduresAudit.to_status == "approved",
    )
    .group_by(
        ProceduresApplication.procedure_id,
        ProceduresApplication.organization_code,
        ProceduresApplication.receipt_number,
        ProceduresApplication.subject_id,
    )
    .order_by(func.max(ProceduresAudit.at).desc(), ProceduresApplication.receipt_number)
)
_FILINGS_OF = _FILINGS.where(ProceduresApplication.subject_id == bindparam("subject"))


def _filing_rows(
    db: Session, published: Mapping[str, Procedure], number: str | None
) -> Iterator[tuple[str, PublicFiling]]:
    if not published:
        return
    query = _FILINGS if number is None else _FILINGS_OF
    found = db.execute(
        query,
        {"procedures": sorted(published)}
        | ({} if number is None else {"subject": corporate.subject_of(number)}),
    )
    for procedure_id, organization, receipt, subject, at in found:
        procedure = published[procedure_id]
        assert procedure.publication is not None
        yield (
            subject,
            PublicFiling(
                procedure_id=procedure_id,
                title=procedure.publication.title.ja,
                title_en=procedure.publication.title.en,
                legal_basis=procedure.publication.legal_basis.ja,
                organization_code=organization,
                receipt_number=receipt,
                approved_on=at.astimezone(clock.JST).date(),
            ),
        )


def all_filings(db: Session, procedures: Mapping[str, Procedure]) -> Iterator[tuple[str, PublicFiling]]:
    """Every corporation's public filings as (法人番号, filing), newest first (the bulk file)."""
    for subject, filing in _filing_rows(db, _published(procedures), None):
        number = corporate.number_of(subject)
        if number is not None:
            yield number, filing


def filings(db: Session, number: str, procedures: Mapping[str, Procedure]) -> list[PublicFiling]:
    """届出・認定情報: this corporation's approved applications of procedures that are public."""
    found = _filing_rows(db, _published(procedures), str(CorporateNumber(number)))
    return [filing for _subject, filing in found]


def activity(
    db: Session, number: str, procedures: Mapping[str, Procedure], *, latest: int = 20
) -> CorporateActivity:
    """Everything public about one corporation (the ``latest`` subsidies and procurements)."""
    basic = basic_information(db, number)
    number = basic.corporation.number
    latest_awards = _latest_awards(db, number, latest)
    granted, subsidies_total = latest_awards["subsidies"]
    ordered, procurements_total = latest_awards["procurements"]
    return CorporateActivity(
        basic,
        tuple(filings(db, number, procedures)),
        tuple(granted),
        tuple(ordered),
        subsidies_total,
        procurements_total,
    )


def search(
    db: Session, *, name: str | None, prefecture: str | None, limit: int, offset: int
) -> tuple[Sequence[corporations.CorporationRecord], int]:
    """Corporations by part of the name and prefecture (法人検索), as the registry lists them."""
    return corporations.search(db, name=name, prefecture=prefecture, limit=limit, offset=offset)
