"""The corporate registry's rules: look-ups, search, history and imports (法人番号).

Other parts use only this module. Numbers are validated (check digit) before any look-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Row, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from tsunagu.core.errors import NotFound
from tsunagu.core.progress import ProgressReporter
from tsunagu.core.types.corporate_number import CorporateNumber
from tsunagu.core.types.local_government_code import LocalGovernmentCode
from tsunagu.core.types.text import normalize_width, to_katakana
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.corporations import (
    changes,
    commercial,
    commercial_csv,
    commercial_synthetic,
    generator,
    importer,
)
from tsunagu.registry.corporations.changes import ChangeRequest, record_change, require_change_staff
from tsunagu.registry.corporations.commercial import (
    ChangeEntry,
    CorporationDissolved,
    EnteredBy,
    EventRecord,
    Officer,
    RegisteredMatters,
    RegistrationNotFound,
    change_entries,
    change_name,
    change_representative,
    current_representatives,
    dissolve,
    has_registration,
    mark_delivered,
    move_head_office,
    pending_events,
    registered_matters,
)
from tsunagu.registry.corporations.commercial_csv import CommercialImportRejected, CommercialImportReport
from tsunagu.registry.corporations.importer import ImportRejected, ImportReport
from tsunagu.registry.corporations.models import (
    Corporation,
    CorporationChange,
    CorporationOfficer,
    CorporationRegistration,
)
from tsunagu.registry.corporations.nta_format import (
    CLOSE_CAUSES,
    KINDS,
    PROCESSES,
    NtaRecord,
    municipality_code,
)

__all__ = [
    "CHANGE_KINDS",
    "ChangeEntry",
    "ChangeRequest",
    "CommercialImportRejected",
    "CommercialImportReport",
    "CorporationChangeRecord",
    "CorporationDissolved",
    "CorporationNotFound",
    "CorporationRecord",
    "EnteredBy",
    "EventRecord",
    "ImportRejected",
    "ImportReport",
    "Officer",
    "PublicMatters",
    "RegisteredMatters",
    "RegistrationNotFound",
    "appoint",
    "change_entries",
    "change_name",
    "change_representative",
    "current_representatives",
    "dissolve",
    "get_corporation",
    "has_registration",
    "history",
    "import_commercial_file",
    "import_file",
    "import_records",
    "link_municipalities",
    "load_synthetic",
    "mark_delivered",
    "move_head_office",
    "municipality_of",
    "pending_events",
    "public_profile",
    "record_change",
    "register",
    "registered_matters",
    "require_change_staff",
    "require_corporation",
    "search",
    "seed_commercial",
]

Status = Literal["active", "closed", "deleted"]
CHANGE_KINDS = changes.KINDS


class CorporationNotFound(NotFound):
    code = "corporation-not-found"
    title = "Corporation not found"


@dataclass(frozen=True)
class CorporationRecord:
    """The current published state of a corporation, including whether it is closed."""

    number: str
    name: str
    furigana: str
    en_name: str
    kind: str
    kind_label: str
    prefecture_code: str
    prefecture_name: str
    city_code: str
    city_name: str
    street_number: str
    post_code: str
    address_outside: str
    assignment_date: date | None
    change_date: date | None
    update_date: date
    status: Status
    close_date: date | None
    close_cause: str
    close_cause_label: str
    successor_number: str
    last_process: str
    municipality_code: str = ""  # 全国地方公共団体コード, "" when not linked

    @property
    def address(self) -> str:
        """本店又は主たる事務所の所在地 as one line (the foreign address when abroad)."""
        domestic = f"{self.prefecture_name}{self.city_name}{self.street_number}"
        return domestic or self.address_outside

    @property
    def closed(self) -> bool:
        return self.status == "closed"


@dataclass(frozen=True)
class CorporationChangeRecord:
    """One published change (異動履歴): what the record said after it."""

    process: str
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
    close_cause_label: str
    successor_number: str
    change_cause: str


def _status(row: Corporation | Row[Any]) -> Status:
    if row.deleted:
        return "deleted"
    return "closed" if row.close_date is not None else "active"


def _record(row: Corporation | Row[Any]) -> CorporationRecord:
    return CorporationRecord(
        number=row.number,
        name=row.name,
        furigana=row.furigana,
        en_name=row.en_name,
        kind=row.kind,
        kind_label=KINDS.get(row.kind, ""),
        prefecture_code=row.prefecture_code,
        prefecture_name=row.prefecture_name,
        city_code=row.city_code,
        city_name=row.city_name,
        municipality_code=row.municipality_code,
        street_number=row.street_number,
        post_code=row.post_code,
        address_outside=row.address_outside,
        assignment_date=row.assignment_date,
        change_date=row.change_date,
        update_date=row.update_date,
        status=_status(row),
        close_date=row.close_date,
        close_cause=row.close_cause,
        close_cause_label=CLOSE_CAUSES.get(row.close_cause, ""),
        successor_number=row.successor_number,
        last_process=row.last_process,
    )


def get_corporation(db: Session, number: str) -> CorporationRecord | None:
    """The corporation with this 法人番号, closed or not; raises InvalidCorporateNumber if malformed."""
    row = db.get(Corporation, str(CorporateNumber(number)))
    return _record(row) if row is not None else None


def require_corporation(db: Session, number: str) -> CorporationRecord:
    record = get_corporation(db, number)
    if record is None:
        raise CorporationNotFound(f"no corporation has the corporate number {CorporateNumber(number)}")
    return record


@dataclass(frozen=True)
class PublicMatters:
    """The 登記事項 anyone may obtain, without addresses: capital, establishment, purposes and the
    current representatives as 役職 氏名."""

    capital_yen: int | None
    established_on: date
    purposes: tuple[str, ...]
    representatives: tuple[str, ...]


_PROFILE = (
    select(
        Corporation.__table__,
        CorporationRegistration.number.label("registered"),
        CorporationRegistration.capital_yen,
        CorporationRegistration.established_on,
        CorporationRegistration.purpose,
    )
    .outerjoin(CorporationRegistration, CorporationRegistration.number == Corporation.number)
    .where(Corporation.number == bindparam("number"))
)
_REPRESENTATIVES = (
    select(CorporationOfficer.title, CorporationOfficer.name)
    .where(
        CorporationOfficer.number == bindparam("number"),
        CorporationOfficer.representative.is_(True),
        CorporationOfficer.resigned_on.is_(None),
    )
    .order_by(CorporationOfficer.appointed_on, CorporationOfficer.id)
)


def public_profile(db: Session, number: str) -> tuple[CorporationRecord, PublicMatters | None]:
    """The corporation and its public 登記事項 (None without a 登記記録) in two statements built
    once — the corporation with its registration, then its current representatives — for
    look-ups served at volume (the open corporate information API); :func:`registered_matters`
    has the rest."""
    number = str(CorporateNumber(number))
    row = db.execute(_PROFILE, {"number": number}).first()
    if row is None:
        raise CorporationNotFound(f"no corporation has the corporate number {number}")
    if row.registered is None:
        return _record(row), None
    representatives = db.execute(_REPRESENTATIVES, {"number": number})
    return _record(row), PublicMatters(
        capital_yen=row.capital_yen,
        established_on=row.established_on,
        purposes=tuple(line for line in row.purpose.splitlines() if line.strip()),
        representatives=tuple(f"{title} {name}" for title, name in representatives),
    )


def history(db: Session, number: str) -> list[CorporationChangeRecord]:
    """Every published change of the corporation, oldest first."""
    rows = db.scalars(
        select(CorporationChange)
        .where(CorporationChange.number == str(CorporateNumber(number)))
        .order_by(CorporationChange.update_date, CorporationChange.id)
    )
    return [
        CorporationChangeRecord(
            process=row.process,
            process_label=PROCESSES.get(row.process, ""),
            correction=row.correction,
            update_date=row.update_date,
            change_date=row.change_date,
            name=row.name,
            furigana=row.furigana,
            address=f"{row.prefecture_name}{row.city_name}{row.street_number}" or row.address_outside,
            post_code=row.post_code,
            close_date=row.close_date,
            close_cause=row.close_cause,
            close_cause_label=CLOSE_CAUSES.get(row.close_cause, ""),
            successor_number=row.successor_number,
            change_cause=row.change_cause,
        )
        for row in rows
    ]


def search(
    db: Session,
    *,
    name: str | None = None,
    kana: str | None = None,
    prefecture: str | None = None,
    municipality: str | None = None,
    closed: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[CorporationRecord], int]:
    """Published corporations matching every given filter, by name; and how many match in all.

    ``name`` matches part of the current name (full/half width folded); ``kana`` matches the
    start of the フリガナ (hiragana accepted); ``prefecture`` is a code ("13") or a name ("東京都");
    ``municipality`` is a 全国地方公共団体コード ("131016"; a wrong check digit is refused).
    Corporations NTA excludes from search (検索対象除外) and deleted numbers are not listed.
    """
    query = select(Corporation).where(Corporation.hidden.is_(False), Corporation.deleted.is_(False))
    if name and (folded := normalize_width(name)):
        query = query.where(
            or_(
                Corporation.name.contains(folded, autoescape=True),
                Corporation.name.contains(name.strip(), autoescape=True),
            )
        )
    if kana and (reading := to_katakana(kana)):
        query = query.where(Corporation.furigana.startswith(reading, autoescape=True))
    if prefecture:
        wanted = normalize_width(prefecture)
        column = Corporation.prefecture_code if wanted.isdigit() else Corporation.prefecture_name
        query = query.where(column == (wanted.zfill(2) if wanted.isdigit() else wanted))
    if municipality:
        code = LocalGovernmentCode(normalize_width(municipality))
        query = query.where(Corporation.municipality_code == code)
    if closed is not None:
        query = query.where(
            Corporation.close_date.is_not(None) if closed else Corporation.close_date.is_(None)
        )
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.scalars(query.order_by(Corporation.furigana, Corporation.number).limit(limit).offset(offset))
    return [_record(row) for row in rows], total


def published(db: Session, batch: int = 2000) -> Iterator[CorporationRecord]:
    """Every published corporation (as :func:`search` lists them), by 法人番号, read ``batch`` rows
    at a time after the last number seen: memory stays at one batch, however many there are."""
    after = ""
    while True:
        rows = list(
            db.scalars(
                select(Corporation)
                .where(
                    Corporation.hidden.is_(False), Corporation.deleted.is_(False), Corporation.number > after
                )
                .order_by(Corporation.number)
                .limit(batch)
            )
        )
        yield from (_record(row) for row in rows)
        if len(rows) < batch:
            return
        after = rows[-1].number


def municipality_of(db: Session, record: CorporationRecord) -> addresses.MunicipalityRecord | None:
    """The municipality (address registry) the corporation's head office is in, if linked."""
    return addresses.get_municipality(db, record.municipality_code) if record.municipality_code else None


def link_municipalities(db: Session) -> int:
    """Link every corporation to its municipality again, e.g. after the address registry was
    (re)loaded; returns how many are linked. Unknown codes leave the link empty."""
    known = {municipality.code for municipality in addresses.list_municipalities(db)}
    pairs = db.execute(select(Corporation.prefecture_code, Corporation.city_code).distinct()).all()
    for prefecture_code, city_code in pairs:
        code = municipality_code(prefecture_code, city_code)
        db.execute(
            update(Corporation)
            .where(Corporation.prefecture_code == prefecture_code, Corporation.city_code == city_code)
            .values(municipality_code=code if code in known else "")
        )
    return db.scalar(select(func.count()).where(Corporation.municipality_code != "")) or 0


def import_file(
    db: Session, path: Path, *, skip_invalid: bool = False, progress: ProgressReporter | None = None
) -> ImportReport:
    """Import an NTA 全件 or 差分 CSV (or its .zip); see ``importer.import_file``."""
    return importer.import_file(db, path, skip_invalid=skip_invalid, progress=progress)


def import_records(
    db: Session, records: Iterable[NtaRecord], progress: ProgressReporter | None = None
) -> ImportReport:
    return importer.import_records(db, records, progress)


def load_synthetic(
    db: Session,
    count: int,
    seed: int,
    *,
    only_if_empty: bool = False,
    progress: ProgressReporter | None = None,
) -> ImportReport | None:
    """Load ``count`` deterministic synthetic corporations; None if skipped because data exists."""
    if only_if_empty and db.scalar(select(Corporation.number).limit(1)) is not None:
        return None
    records = list(generator.corporations(count, seed))
    if progress is not None:
        progress.start("corporations", len(records))
    return importer.import_records(db, records, progress)


# ---- 商業・法人登記 (see ``commercial``) ---------------------------------------------------------


def import_commercial_file(db: Session, path: Path) -> CommercialImportReport:
    """Import a 登記事項 extract in the documented CSV layout (``commercial_csv``); all or nothing."""
    return commercial_csv.import_file(db, path)


def seed_commercial(
    db: Session,
    seed: int,
    *,
    representatives: dict[str, tuple[str, str]] | None = None,
    progress: ProgressReporter | None = None,
) -> int:
    """Synthetic 登記事項 for every company without one; ``representatives`` names chosen 代表者."""
    return commercial_synthetic.seed(db, seed, representatives=representatives, progress=progress)


def appoint(
    db: Session,
    number: str,
    *,
    title: str,
    name: str,
    address: str = "",
    representative: bool = False,
    appointed_on: date,
) -> Officer:
    """就任 of an officer (a representative with their 住所)."""
    return commercial.appoint(
        db,
        number,
        title=title,
        name=name,
        address=address,
        representative=representative,
        appointed_on=appointed_on,
    )


def register(
    db: Session,
    number: str,
    *,
    registry_office: str,
    purposes: list[str],
    capital_yen: int | None,
    established_on: date,
) -> None:
    """Record the 登記記録 (office, purpose, capital, establishment) of a corporation."""
    commercial.register(
        db,
        number,
        registry_office=registry_office,
        purposes=purposes,
        capital_yen=capital_yen,
        established_on=established_on,
    )
