"""This platform's procedures linked to their national inventory entries (棚卸データの手続ID).

A procedure definition cites its legal basis (「住民基本台帳法第24条（転出届）」); the survey names each
procedure's 法令名 and 根拠条項号. Both are read by ``legal_basis.citations`` and compared article by
article (the same law, the same article and branch, no contradicting 項 or 号). An ``inventory_id``
written into the definition overrides the comparison. Nobody types a 手続ID by hand for the link to
work, so it holds for whatever survey file is imported, and it says how it was made:

* ``explicit``: the definition's ``inventory_id``, found in the survey year;
* ``legal_basis``: exactly one entry of the year rests on an article the definition cites (among
  several, the 申請等 ones are kept: this platform receives applications, not the notices that
  answer them);
* ``ambiguous``: several entries do — all are listed and none is claimed; a steward writes the
  right one's ``inventory_id`` into the definition;
* ``none``: no entry rests on a cited article (a municipal ordinance is not in the national survey).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from tsunagu.core.messages import N_
from tsunagu.oversight import legal_basis
from tsunagu.oversight.legal_basis import Citation
from tsunagu.oversight.models import (
    OversightInventoryBasis,
    OversightInventoryProcedure,
    OversightInventorySurvey,
)

Method = Literal["explicit", "legal_basis", "ambiguous", "none"]
APPLICATION = "1"  # 手続類型 1 申請等
METHOD_NAMES: dict[str, str] = {
    "explicit": N_("手続IDの指定による"),
    "legal_basis": N_("根拠法令の条項による"),
    "ambiguous": N_("根拠法令の条項が同じ手続が複数あります"),
    "none": N_("根拠法令の条項が一致する手続はありません"),
}


@dataclass(frozen=True)
class Served:
    """One of this platform's procedures as the link needs it (handed in by the web layer or the
    CLI from the procedure definitions)."""

    id: str
    legal_basis: tuple[str, ...]  # the definition's legal_basis, in Japanese
    inventory_id: str | None = None


@dataclass(frozen=True)
class Entry:
    """An inventory entry a procedure is linked to, or one of the candidates."""

    procedure_id: str  # 手続ID
    name: str
    ministry: str
    law_name: str
    basis: str  # 根拠条項号 as published
    type_code: str
    cited: str  # the definition's article it rests on ("" for an explicit link)


@dataclass(frozen=True)
class Link:
    procedure: str  # this platform's procedure id
    survey_year: int | None
    method: Method
    entries: tuple[Entry, ...]  # the linked entry, or every candidate when ambiguous
    missing_id: str = ""  # an inventory_id of the definition that this survey year does not have

    @property
    def entry(self) -> Entry | None:
        """The one entry this procedure is linked to (None when none or ambiguous)."""
        return self.entries[0] if self.method in ("explicit", "legal_basis") else None


def _entry(row: OversightInventoryProcedure, cited: str) -> Entry:
    return Entry(
        row.procedure_id,
        row.name,
        row.ministry,
        row.law_name,
        row.details.get("根拠条項号", ""),
        row.type_code,
        cited,
    )


def links(db: Session, served: Sequence[Served], year: int | None = None) -> dict[str, Link]:
    """Each procedure's link in one survey year (the latest by default), by procedure id."""
    year = year or db.scalar(select(func.max(OversightInventorySurvey.survey_year)))
    if year is None:
        return {s.id: Link(s.id, None, "none", ()) for s in served}
    cited = {s.id: [c for text in s.legal_basis for c in legal_basis.citations(text)] for s in served}
    found = _rows_citing(db, year, {(c.law, c.article) for cs in cited.values() for c in cs})
    explicit = _explicit(db, year, [s.inventory_id for s in served if s.inventory_id])
    result: dict[str, Link] = {}
    for procedure in served:
        named = explicit.get(procedure.inventory_id or "")
        if named is not None:
            result[procedure.id] = Link(procedure.id, year, "explicit", (_entry(named, ""),))
            continue
        candidates = _candidates(cited[procedure.id], found)
        method: Method = "none"
        if len(candidates) == 1:
            method = "legal_basis"
        elif candidates:
            method = "ambiguous"
        missing = procedure.inventory_id if procedure.inventory_id and named is None else ""
        result[procedure.id] = Link(procedure.id, year, method, tuple(candidates), missing or "")
    return result


def _rows_citing(
    db: Session, year: int, articles: set[tuple[str, str]]
) -> list[tuple[Citation, OversightInventoryProcedure]]:
    """The year's entries resting on any of these (law, article), with the article they cite."""
    if not articles:
        return []
    basis, procedure = OversightInventoryBasis, OversightInventoryProcedure
    query = (
        select(basis, procedure)
        .join(
            procedure,
            and_(procedure.survey_year == basis.survey_year, procedure.ordinal == basis.ordinal),
        )
        .where(
            basis.survey_year == year,
            or_(*(and_(basis.law == law, basis.article == article) for law, article in sorted(articles))),
        )
        .order_by(procedure.procedure_id)
    )
    return [(Citation(b.law, b.article, b.paragraph, b.item), row) for b, row in db.execute(query)]


def _explicit(db: Session, year: int, ids: list[str]) -> dict[str, OversightInventoryProcedure]:
    if not ids:
        return {}
    table = OversightInventoryProcedure
    rows = db.scalars(select(table).where(table.survey_year == year, table.procedure_id.in_(ids)))
    return {row.procedure_id: row for row in rows}


def _candidates(
    cited: list[Citation], found: list[tuple[Citation, OversightInventoryProcedure]]
) -> list[Entry]:
    """The entries resting on an article the procedure cites; the 申請等 ones when there are."""
    matched: dict[str, Entry] = {}
    for basis, row in found:
        ours = next((c for c in cited if c.covers(basis)), None)
        if ours is not None and row.procedure_id not in matched:
            matched[row.procedure_id] = _entry(row, ours.text())
    applications = [e for e in matched.values() if e.type_code == APPLICATION]
    return applications or list(matched.values())


def served_by(found: dict[str, Link]) -> dict[str, list[Link]]:
    """手続ID → the links of this platform's procedures to it (linked or a candidate)."""
    by_entry: dict[str, list[Link]] = {}
    for link in found.values():
        for entry in link.entries if link.method != "none" else ():
            by_entry.setdefault(entry.procedure_id, []).append(link)
    return by_entry


def linked_ids(found: dict[str, Link]) -> dict[str, list[str]]:
    """手続ID → ids of this platform's procedures linked to it (ambiguous candidates left out)."""
    linked: dict[str, list[str]] = {}
    for link in found.values():
        if link.entry is not None:
            linked.setdefault(link.entry.procedure_id, []).append(link.procedure)
    return linked
