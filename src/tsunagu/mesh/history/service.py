"""やりとり履歴: who used a person's data, when, which items, for which 事務 — from the directory's log.

Only the directory can tie exchanges to a person (its log holds the person link), so the person's
view is read from there. Entries of a withheld category (e.g. 犯則調査) stay hidden until their
``visible_from`` date has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.directory.records import Consent, LegalBasis
from tsunagu.mesh.log.models import MeshLogEntry

_KINDS = {"authorization": "query", "notification": "notification"}
_EVENT_TITLES = {
    "address_changed": "住所の変更",
    "died": "死亡",
    "name_changed": "氏名の変更",
    "moved_out": "転出",
    "trade_name_changed": "商号の変更",
    "head_office_moved": "本店の移転",
    "representative_changed": "代表者の変更",
    "dissolved": "解散",
}


CONSENT_GROUNDS = "同意に基づく提供"


@dataclass(frozen=True)
class Party:
    """A member organization, by its code and names."""

    code: str
    name_ja: str
    name_en: str


@dataclass(frozen=True)
class Exchange:
    """One use of the person's data, in the person's words (schemas.Exchange reads it)."""

    at: datetime
    kind: str  # query (照会) or notification (通知)
    requester: Party  # who asked for (or received) the data
    holder: Party  # who answered (or sent) it
    items: list[str]  # data items, in Japanese
    purpose_ja: str  # the 事務 it was used for
    law_ja: str  # the law and article, or 同意に基づく提供
    basis_kind: Literal["law", "consent"] = "law"


@dataclass(frozen=True)
class ConsentView:
    """A consent the person gave a company (同意), as the person sees it."""

    id: int
    company: Party
    scope: str
    scope_ja: str
    granted_at: datetime
    expires_at: datetime
    withdrawn_at: datetime | None
    status: Literal["active", "withdrawn", "expired"]


SCOPE_TITLES = {"moving": "引越し(住所の変更・転出)のお知らせ"}


def _grounds(basis: LegalBasis | None) -> str:
    """The law and article, or — for a consent basis — that the person consented."""
    if basis is None:
        return ""
    return CONSENT_GROUNDS if basis.kind == "consent" else basis.law_ja


def exchanges_for(
    db: Session, resident_id: str, limit: int = 50, offset: int = 0, *, operator: str
) -> tuple[list[Exchange], int]:
    """The person's exchanges, newest first, without those still withheld, as the log of the
    directory's ``operator`` (``Settings.mesh.operator``) records them."""
    link = codes.link_of_resident(db, resident_id)
    if link is None:
        return [], 0
    now = clock.now()
    rows = list(
        db.scalars(
            select(MeshLogEntry)
            .where(
                MeshLogEntry.organization_code == operator,
                MeshLogEntry.person_link == link,
                MeshLogEntry.kind.in_(tuple(_KINDS)),
                or_(MeshLogEntry.visible_from.is_(None), MeshLogEntry.visible_from <= now),
            )
            .order_by(MeshLogEntry.seq.desc())
        )
    )
    members = _members(db)
    item_titles = {
        (s.provider, s.code): {i.name: i.title_ja for i in s.items} for s in directory.list_services(db)
    }
    bases = {b.id: b for b in directory.list_legal_bases(db)}

    exchanges = []
    for entry in rows[offset : offset + limit]:
        basis = bases.get(entry.purpose)
        if entry.kind == "notification":
            titles = [_EVENT_TITLES.get(item, item) for item in entry.items]
        else:
            provider_service = entry.service.split("/")
            named = (
                item_titles.get((provider_service[0], provider_service[1]), {})
                if len(provider_service) > 1
                else {}
            )
            titles = [named.get(item, item) for item in entry.items]
        exchanges.append(
            Exchange(
                at=entry.at,
                kind=_KINDS[entry.kind],
                requester=_party(members, entry.consumer),
                holder=_party(members, entry.provider),
                items=titles,
                purpose_ja=basis.title_ja if basis else entry.purpose,
                law_ja=_grounds(basis),
                basis_kind=basis.kind if basis else "law",
            )
        )
    return exchanges, len(rows)


def _members(db: Session) -> dict[str, Party]:
    return {
        m.code: Party(code=m.code, name_ja=m.name_ja, name_en=m.name_en)
        for m in directory.list_organizations(db)
    }


def _party(members: dict[str, Party], code: str) -> Party:
    return members.get(code) or Party(code=code, name_ja=code, name_en=code)


def _view(consent: Consent, members: dict[str, Party]) -> ConsentView:
    status: Literal["active", "withdrawn", "expired"] = (
        "withdrawn" if consent.withdrawn_at else "expired" if consent.expires_at <= clock.now() else "active"
    )
    return ConsentView(
        id=consent.id,
        company=_party(members, consent.subscriber),
        scope=consent.scope,
        scope_ja=SCOPE_TITLES.get(consent.scope, consent.scope),
        granted_at=consent.granted_at,
        expires_at=consent.expires_at,
        withdrawn_at=consent.withdrawn_at,
        status=status,
    )


def consents_for(db: Session, resident_id: str) -> list[ConsentView]:
    """同意の管理: the companies the person let hear of their changes, newest first."""
    members = _members(db)
    return [_view(consent, members) for consent in directory.consents_of_resident(db, resident_id)]


def withdraw(db: Session, resident_id: str, consent_id: int) -> ConsentView:
    """同意の撤回: the company is told nothing more under this consent."""
    return _view(directory.withdraw_consent(db, resident_id, consent_id), _members(db))
