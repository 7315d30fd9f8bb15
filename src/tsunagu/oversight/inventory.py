"""The procedure inventory (棚卸データベース): importing a survey year, searching, one procedure's
history across years.

An import is all-or-nothing: the whole file is checked first, and only a file without problems
replaces its survey year, in one transaction (the previous rows of that year stay until the new
ones are committed; other years are untouched)."""

from __future__ import annotations

import hashlib
import io
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import NotFound, ValidationFailed
from tsunagu.core.messages import N_
from tsunagu.core.progress import ProgressReporter, SilentProgress
from tsunagu.oversight import layouts, legal_basis, links, reading, search_index
from tsunagu.oversight.models import (
    OversightAudit,
    OversightInventoryBasis,
    OversightInventoryProcedure,
    OversightInventorySummary,
    OversightInventorySurvey,
    OversightInventoryToken,
)
from tsunagu.oversight.parsing import (
    MAX_PROBLEMS,
    NORMALIZATION_KINDS,
    Normalizations,
    Problem,
    RowParser,
    detect_layout,
    text,
)

CHUNK = 5000
PROCEDURES = OversightInventoryProcedure.metadata.tables[OversightInventoryProcedure.__tablename__]
BASES = OversightInventoryBasis.metadata.tables[OversightInventoryBasis.__tablename__]
ONE_HEADER_NOTE = "見出しが1行のファイルです（公表様式は列番号の行と列名の行の2行）"
FIRST_YEAR, LAST_YEAR = 2018, 2100  # the survey has been published since 平成30年度


class InventoryRejected(ValidationFailed):
    """The file has problems; nothing was imported."""

    code = "inventory-rejected"
    title = "Inventory file rejected"


@dataclass(frozen=True)
class ImportReport:
    survey_year: int
    layout: str
    rows: int
    replaced: int  # rows of that year before the import
    normalized: list[dict[str, Any]]
    notes: list[str]
    links: dict[str, links.Link] = field(default_factory=dict)  # this platform's procedures → entries


@dataclass
class _Sums:
    procedures: int = 0
    online_available: int = 0
    partly_online: int = 0
    total_volume: int = 0
    available_volume: int = 0
    available_online_volume: int = 0
    available_measured_volume: int = 0
    with_attachments: int = 0
    replaceable: int = 0
    by_type: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    by_attachment: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, row: dict[str, Any]) -> None:
        self.procedures += 1
        self.by_type[row["type_code"]] += 1
        total = row["total_count"]
        self.total_volume += total or 0
        if row["online_status"] == "1":
            self.online_available += 1
            self.available_volume += total or 0
            if total is not None and row["online_count"] is not None:
                self.available_online_volume += min(row["online_count"], total)
                self.available_measured_volume += total
        elif row["online_status"] == "5":
            self.partly_online += 1
        attachments = [a for a in row["attachments"].split(";") if a]
        if attachments and attachments != [layouts.NO_ATTACHMENT]:
            self.with_attachments += 1
            if any(a in layouts.REGISTRY_REPLACEABLE for a in attachments):
                self.replaceable += 1
            for attachment in attachments:
                self.by_attachment[attachment] += 1


def _header_rows(rows: Iterator[list[reading.Cell]]) -> tuple[list[str], int, list[str]]:
    """The column names and the file line they are on: the published files have a row of column
    numbers first; a file with the names on the first line is accepted and said so."""
    first = next(rows, None)
    if first is None:
        raise reading.refused(
            N_("ファイルが空です。"),
            {},
            {"location": ["file"], "type": "empty", "message": "empty file"},
            InventoryRejected,
        )
    if text(first[0] if first else None) == "手続ID":
        return [text(c) for c in first], 1, [ONE_HEADER_NOTE]
    second = next(rows, None) or []
    return [text(c) for c in second], 2, []


def parse_file(
    name: str, data: bytes, progress: ProgressReporter | None = None
) -> tuple[layouts.Layout, list[dict[str, Any]], Normalizations, list[str]]:
    """Every row of the file checked and normalized, or InventoryRejected listing the problems."""
    progress = progress or SilentProgress()
    kind = reading.file_kind(name, data[:8])
    sheet = reading.read_xlsx(io.BytesIO(data), "手続ID") if kind == "xlsx" else reading.read_csv(data)
    header, header_line, notes = _header_rows(sheet.rows)
    notes = sheet.notes + notes
    layout = detect_layout(header)
    if isinstance(layout, list):
        _reject(name, layout, len(layout))
    assert isinstance(layout, layouts.Layout)
    normalized = Normalizations()
    parser = RowParser(layout, header, normalized)
    rows: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    progress.start(f"checking {name}", None)
    for offset, row in enumerate(sheet.rows, start=header_line + 1):
        if not any(c not in (None, "") for c in row):
            continue
        values = parser.parse(offset, row)
        if values is not None:
            seen = first_line.setdefault(values["procedure_id"], offset)
            if seen != offset:
                parser.problem(
                    offset,
                    "手続ID",
                    N_("手続ID「%(value)s」が%(first)s行目と重複しています"),
                    value=values["procedure_id"],
                    first=seen,
                )
            else:
                rows.append(values)
        if offset % 1000 == 0:
            progress.advance(1000)
    if parser.problems:
        _reject(name, parser.problems[:MAX_PROBLEMS], len(parser.problems))
    if not rows:
        raise reading.refused(
            N_("データ行がありません。"),
            {},
            {"location": ["file"], "type": "no-rows", "message": "no data rows"},
            InventoryRejected,
        )
    return layout, rows, normalized, notes


def _reject(name: str, problems: list[Problem], total: int) -> None:
    first = problems[0]
    more = f"（ほか{total - 1}件）" if total > 1 else ""
    raise InventoryRejected(
        f"「{name}」は読み込めません。{first.line}行目「{first.column}」: {first.message}{more}。"
        "何も取り込んでいません。",
        errors=[p.as_error() for p in problems],
        problem_count=total,
        template=N_("「%(name)s」は読み込めません（問題 %(count)s 件、下の一覧）。何も取り込んでいません。"),
        params={"name": name, "count": total},
    )


def import_inventory(
    db: Session,
    name: str,
    data: bytes,
    *,
    actor: str,
    survey_year: int | None = None,
    progress: ProgressReporter | None = None,
    served: Sequence[links.Served] = (),
) -> ImportReport:
    """Check the whole file, then replace its survey year atomically (in the caller's transaction);
    the report says which entries of the year ``served`` (this platform's procedures) link to."""
    progress = progress or SilentProgress()
    layout, rows, normalized, notes = parse_file(name, data, progress)
    year = survey_year or layout.survey_year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise reading.refused(
            N_("調査年度 %(year)s は %(first)s〜%(last)s の範囲にありません。"),
            {"year": year, "first": FIRST_YEAR, "last": LAST_YEAR},
            {"location": ["survey_year"], "type": "range", "message": "out of range"},
        )
    sums: dict[str, _Sums] = defaultdict(_Sums)
    for ordinal, row in enumerate(rows):
        row["survey_year"] = year
        row["ordinal"] = ordinal
        row["search_text"] = search_index.search_text(row["name"], row["law_name"])
        sums[row["ministry"]].add(row)
    replaced = (
        db.scalar(
            select(func.count())
            .select_from(OversightInventoryProcedure)
            .where(OversightInventoryProcedure.survey_year == year)
        )
        or 0
    )
    db.execute(delete(OversightInventoryToken).where(OversightInventoryToken.survey_year == year))
    db.execute(delete(OversightInventoryBasis).where(OversightInventoryBasis.survey_year == year))
    db.execute(delete(OversightInventorySummary).where(OversightInventorySummary.survey_year == year))
    db.execute(delete(OversightInventoryProcedure).where(OversightInventoryProcedure.survey_year == year))
    db.execute(delete(OversightInventorySurvey).where(OversightInventorySurvey.survey_year == year))
    report = normalized.as_list()
    for item in report:
        item["label"] = NORMALIZATION_KINDS[item["kind"]]
    now = clock.now()
    db.add(
        OversightInventorySurvey(
            survey_year=year,
            layout=layout.id,
            source_name=name[:255],
            source_sha256=hashlib.sha256(data).hexdigest(),
            rows=len(rows),
            normalized=report,
            imported_by=actor,
            imported_at=now,
        )
    )
    db.flush()
    progress.start(f"storing {len(rows):,} procedures of {year}", len(rows))
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        db.execute(PROCEDURES.insert(), chunk)  # Core executemany: the ORM bulk path costs ~2x
        db.execute(search_index.TOKENS.insert(), list(search_index.token_rows(year, chunk)))
        if bases := [
            basis
            for row in chunk
            for basis in legal_basis.rows_of(
                year, row["ordinal"], row["law_name"], row["details"].get("根拠条項号", "")
            )
        ]:
            db.execute(BASES.insert(), bases)
        progress.advance(len(chunk))
    db.execute(
        insert(OversightInventorySummary),
        [
            {
                "survey_year": year,
                "ministry": ministry,
                "procedures": s.procedures,
                "online_available": s.online_available,
                "partly_online": s.partly_online,
                "total_volume": s.total_volume,
                "available_volume": s.available_volume,
                "available_online_volume": s.available_online_volume,
                "available_measured_volume": s.available_measured_volume,
                "with_attachments": s.with_attachments,
                "replaceable": s.replaceable,
                "by_type": dict(s.by_type),
                "by_attachment": dict(s.by_attachment),
            }
            for ministry, s in sums.items()
        ],
    )
    db.add(
        OversightAudit(
            at=now,
            actor=actor,
            action="inventory-import",
            subject=str(year),
            detail={"file": name, "layout": layout.id, "rows": len(rows), "replaced": replaced},
        )
    )
    return ImportReport(year, layout.id, len(rows), replaced, report, notes, links.links(db, served, year))


def surveys(db: Session) -> list[OversightInventorySurvey]:
    return list(db.scalars(select(OversightInventorySurvey).order_by(OversightInventorySurvey.survey_year)))


@dataclass(frozen=True)
class Query:
    """Filters of the inventory search (all optional)."""

    year: int | None = None
    q: str = ""
    ministry: str = ""
    type_code: str = ""
    subject_code: str = ""
    online_status: str = ""
    life_event: str = ""
    attachment: str = ""
    min_volume: int | None = None
    served: bool = False


@dataclass(frozen=True)
class Page:
    year: int | None
    total: int
    items: list[OversightInventoryProcedure]


def latest_year(db: Session) -> int | None:
    return db.scalar(select(func.max(OversightInventorySurvey.survey_year)))


def search(
    db: Session, query: Query, *, limit: int, offset: int, served_ids: frozenset[str] = frozenset()
) -> Page:
    """Procedures of one survey year (the latest by default), the largest volumes first."""
    year = query.year or latest_year(db)
    if year is None:
        return Page(None, 0, [])
    table = OversightInventoryProcedure
    where: list[Any] = [table.survey_year == year]
    if query.q:
        where += [search_index.word_condition(year, w) for w in query.q.split()]
    for column, value in (
        (table.ministry, query.ministry),
        (table.type_code, query.type_code),
        (table.subject_code, query.subject_code),
        (table.online_status, query.online_status),
    ):
        if value:
            where.append(column == value)
    if query.life_event:
        where.append(table.life_events.contains(f";{query.life_event};", autoescape=True))
    if query.attachment:
        where.append(table.attachments.contains(f";{query.attachment};", autoescape=True))
    if query.min_volume is not None:
        where.append(table.total_count >= query.min_volume)
    if query.served:
        where.append(table.procedure_id.in_(sorted(served_ids)))
    if query.q and search_index.candidates(db, year, query.q.split()) <= search_index.SELECTIVE:
        return _by_words(db, year, where, limit=limit, offset=offset)
    total = db.scalar(select(func.count()).select_from(table).where(*where)) or 0
    items = list(
        db.scalars(
            select(table)
            .where(*where)
            .order_by(table.total_count.desc().nulls_last(), table.procedure_id)
            .limit(limit)
            .offset(offset)
        )
    )
    return Page(year, total, items)


def _by_words(db: Session, year: int, where: list[Any], *, limit: int, offset: int) -> Page:
    """A word search: the index's candidates drive one pass that gives the count and the order
    (largest volume first) of the few columns needed, then only the page's rows are read. (Asked
    with ORDER BY … LIMIT, SQLite would walk the volume index through the whole year instead.)"""
    table = OversightInventoryProcedure
    found = list(db.execute(select(table.ordinal, table.total_count, table.procedure_id).where(*where)))
    found.sort(key=lambda r: (r.total_count is None, -(r.total_count or 0), r.procedure_id))
    page = [r.ordinal for r in found[offset : offset + limit]]
    rows = {
        row.ordinal: row
        for row in db.scalars(select(table).where(table.survey_year == year, table.ordinal.in_(page)))
    }
    return Page(year, len(found), [rows[o] for o in page])


def history(db: Session, procedure_id: str) -> list[OversightInventoryProcedure]:
    """One 手続ID in every survey year that has it, oldest first; NotFound when none has."""
    found = list(
        db.scalars(
            select(OversightInventoryProcedure)
            .where(OversightInventoryProcedure.procedure_id == procedure_id)
            .order_by(OversightInventoryProcedure.survey_year)
        )
    )
    if not found:
        raise NotFound(f"手続ID「{procedure_id}」は棚卸データにありません")
    return found


def entries(db: Session, procedure_ids: list[str]) -> dict[str, OversightInventoryProcedure]:
    """The latest survey year's entry of each of these 手続ID (for linking our procedures)."""
    if not procedure_ids:
        return {}
    rows = db.scalars(
        select(OversightInventoryProcedure)
        .where(OversightInventoryProcedure.procedure_id.in_(procedure_ids))
        .order_by(OversightInventoryProcedure.survey_year)
    )
    return {row.procedure_id: row for row in rows}
