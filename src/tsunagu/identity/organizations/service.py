"""Organizations: who may hold staff accounts and act on the mesh.

Municipalities are keyed by their 全国地方公共団体コード (6 digits, the last a check digit);
other organizations by a short lowercase slug.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tsunagu.core.errors import ValidationFailed
from tsunagu.identity.organizations.models import Organization

OrganizationKind = Literal["national", "municipal", "agency", "private"]
KINDS: tuple[str, ...] = get_args(OrganizationKind)
_SLUG = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
_LOCAL_GOVERNMENT_WEIGHTS = (6, 5, 4, 3, 2)


@dataclass(frozen=True)
class OrganizationRecord:
    code: str
    name_ja: str
    name_en: str
    kind: OrganizationKind


DEMO_ORGANIZATIONS: tuple[OrganizationRecord, ...] = (
    OrganizationRecord("131016", "東京都千代田区", "Chiyoda City, Tokyo", "municipal"),
    OrganizationRecord("142018", "神奈川県横須賀市", "Yokosuka City, Kanagawa", "municipal"),
    OrganizationRecord("digital-agency", "デジタル庁", "Digital Agency", "national"),
    OrganizationRecord("jpn-pension", "日本年金機構", "Japan Pension Service", "agency"),
    OrganizationRecord("nta-kojimachi", "麹町税務署", "Kojimachi Tax Office", "national"),
    OrganizationRecord("tsunagu-power", "つなぐ電力", "Tsunagu Power (utility)", "private"),
    # the commercial registry and the organizations that receive a company's set-up filings
    OrganizationRecord(
        "moj", "法務省（法務局 商業・法人登記）", "Ministry of Justice (commercial registration)", "national"
    ),
    OrganizationRecord("130001", "東京都", "Tokyo Metropolitan Government", "municipal"),
    OrganizationRecord(
        "mhlw-chuo", "中央労働基準監督署", "Chuo Labour Standards Inspection Office", "national"
    ),
)


def is_local_government_code(code: str) -> bool:
    """True for a 6-digit 全国地方公共団体コード whose check digit is right."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    weighted = zip(code[:5], _LOCAL_GOVERNMENT_WEIGHTS, strict=True)
    total = sum(int(digit) * weight for digit, weight in weighted)
    return (11 - total % 11) % 10 == int(code[5])


def _record(row: Organization) -> OrganizationRecord:
    return OrganizationRecord(code=row.code, name_ja=row.name_ja, name_en=row.name_en, kind=row.kind)  # type: ignore[arg-type]


def _validate(record: OrganizationRecord) -> None:
    errors: list[dict[str, object]] = []
    if record.kind not in KINDS:
        errors.append(
            {
                "location": ["kind"],
                "message": f"kind must be one of {', '.join(KINDS)}",
                "type": "organization-kind",
            }
        )
    if record.kind == "municipal" and not is_local_government_code(record.code):
        errors.append(
            {
                "location": ["code"],
                "message": "a municipality's code is its 6-digit "
                "全国地方公共団体コード with a valid check digit",
                "type": "local-government-code",
            }
        )
    if record.kind != "municipal" and not _SLUG.match(record.code):
        errors.append(
            {
                "location": ["code"],
                "message": "use 2–32 lowercase letters, digits or '-'",
                "type": "organization-code",
            }
        )
    for field in ("name_ja", "name_en"):
        if not getattr(record, field).strip():
            errors.append({"location": [field], "message": "required", "type": "missing"})
    if errors:
        raise ValidationFailed("the organization is not valid", errors=errors)


def save_organization(db: Session, record: OrganizationRecord) -> OrganizationRecord:
    """Create or update an organization (組織の登録・変更)."""
    _validate(record)
    row = db.get(Organization, record.code)
    if row is None:
        row = Organization(code=record.code)
        db.add(row)
    row.name_ja, row.name_en, row.kind = record.name_ja, record.name_en, record.kind
    db.flush()
    return _record(row)


def get_organization(db: Session, code: str) -> OrganizationRecord | None:
    row = db.get(Organization, code)
    return _record(row) if row else None


def list_organizations(db: Session, *, limit: int | None = None, offset: int = 0) -> list[OrganizationRecord]:
    query = select(Organization).order_by(Organization.kind, Organization.code).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [_record(row) for row in db.scalars(query)]


def count_organizations(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(Organization)) or 0)


def seed_demo_organizations(db: Session) -> int:
    """Load the demo organizations of the agreed interface; returns how many were written."""
    for record in DEMO_ORGANIZATIONS:
        save_organization(db, record)
    return len(DEMO_ORGANIZATIONS)
