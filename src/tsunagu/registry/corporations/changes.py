"""変更の登記 by the 法務局: 商号変更, 本店移転, 代表者変更 and 解散 as one use case.

The staff page, the API and any other caller record a change through :func:`record_change`: the
caller must be registry staff (Operation.REGISTER_CHANGE) of the 法務局 that keeps the commercial
registry. The change is written with its history and its outbox event in the caller's
transaction (``commercial``); the mesh's delivery worker pushes the event to subscribers with a
legal basis (``mesh.corporate.pump``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from tsunagu.core import authz, clock
from tsunagu.core.errors import ValidationFailed
from tsunagu.core.messages import N_
from tsunagu.core.sessions import Principal
from tsunagu.core.types.corporate_number import CorporateNumber
from tsunagu.core.types.local_government_code import InvalidLocalGovernmentCode, LocalGovernmentCode
from tsunagu.registry.corporations import commercial

__all__ = ["KINDS", "REGISTRY_OFFICE", "ChangeKind", "ChangeRequest", "record_change", "require_change_staff"]

#: the organization that keeps the 商業・法人登記 (its node provides the corporate services)
REGISTRY_OFFICE = "moj"
ChangeKind = Literal["trade_name", "head_office", "representative", "dissolution"]
KINDS: dict[str, str] = {
    "trade_name": N_("商号変更"),
    "head_office": N_("本店移転"),
    "representative": N_("代表者変更"),
    "dissolution": N_("解散"),
}


@dataclass(frozen=True)
class ChangeRequest:
    """One change as entered; only the fields of its ``kind`` are read."""

    kind: ChangeKind
    effective_on: date  # 変更年月日 (登記の原因の日)
    name: str = ""  # 新しい商号
    furigana: str = ""
    municipality_code: str = ""  # 新しい本店の市区町村 (全国地方公共団体コード)
    street_number: str = ""
    post_code: str = ""
    resigning: int | None = None  # 退任する代表者 (the officer's id), None when one is added
    title: str = ""  # 新しい代表者の役職
    person_name: str = ""
    address: str = ""
    liquidator_name: str = ""  # 代表清算人 (解散), optional
    liquidator_address: str = ""


def _required(problems: list[dict[str, object]], field: str, value: str, message: str) -> None:
    if not value.strip():
        problems.append({"location": [field], "message": message})


def _check(change: ChangeRequest) -> None:
    problems: list[dict[str, object]] = []
    if change.effective_on > clock.today_jst().date():
        problems.append(
            {"location": ["effective_on"], "message": "a change is registered once it took effect"}
        )
    if change.kind == "trade_name":
        _required(problems, "name", change.name, "the new trade name is required")
    elif change.kind == "head_office":
        try:
            LocalGovernmentCode(change.municipality_code.strip())
        except InvalidLocalGovernmentCode as exc:
            problems.append({"location": ["municipality_code"], "message": exc.detail})
        _required(problems, "street_number", change.street_number, "the street address is required")
    elif change.kind == "representative":
        _required(problems, "title", change.title, "the title is required")
        _required(problems, "person_name", change.person_name, "the name is required")
        _required(problems, "address", change.address, "a representative's address is required")
    elif change.kind == "dissolution" and change.liquidator_name.strip():
        _required(problems, "liquidator_address", change.liquidator_address, "the liquidator's address")
    if problems:
        raise ValidationFailed("the change is incomplete", errors=problems)


def require_change_staff(principal: Principal) -> Principal:
    """Registry staff of the 法務局 (who may open the change form at all)."""
    return authz.require(principal, authz.Operation.REGISTER_CHANGE, organization=REGISTRY_OFFICE)


def record_change(
    db: Session, principal: Principal, number: str, change: ChangeRequest
) -> commercial.RegisteredMatters:
    """Register ``change`` of the corporation ``number``; its 登記事項 afterwards."""
    require_change_staff(principal)
    number = str(CorporateNumber(number))
    _check(change)
    on = change.effective_on
    by = commercial.EnteredBy(principal.subject_id, principal.organization_code or REGISTRY_OFFICE)
    if change.kind == "trade_name":
        commercial.change_name(db, number, name=change.name, furigana=change.furigana, on=on, by=by)
    elif change.kind == "head_office":
        commercial.move_head_office(
            db,
            number,
            municipality_code=change.municipality_code.strip(),
            street_number=change.street_number,
            post_code=change.post_code,
            on=on,
            by=by,
        )
    elif change.kind == "representative":
        commercial.change_representative(
            db,
            number,
            resigning=change.resigning,
            title=change.title,
            name=change.person_name,
            address=change.address,
            on=on,
            by=by,
        )
    else:
        commercial.dissolve(
            db,
            number,
            on=on,
            liquidator_name=change.liquidator_name,
            liquidator_address=change.liquidator_address,
            by=by,
        )
    matters = commercial.registered_matters(db, number)
    assert matters is not None  # every change above requires the 登記記録
    return matters
