"""転入届 at the destination's counter, from the 転出証明書情報 that arrived with the 転入予約.

The person comes to the counter with their card (特例転入); the clerk (role 住基) checks the
certificate shown on the 転入予約, confirms the address and the date they moved in, and records
every person of the certificate as a resident of one new 世帯 here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from tsunagu.core.errors import Forbidden, ValidationFailed
from tsunagu.core.messages import N_
from tsunagu.core.sessions import Principal
from tsunagu.core.types.wareki import parse_date
from tsunagu.procedures.applications.service import Application, ForeignApplication
from tsunagu.procedures.applications.validation import DATE_FORMAT
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.residents import moving
from tsunagu.registry.residents import service as residents

MOVING_IN = "tennyu-yoyaku"
REGISTRAR_ROLE = "住基"


# what the counter page says for each refusal (gettext ids)
MESSAGES = {
    "arrival-field": N_("転入日（令和8年4月1日 または 2026-04-01 の形）と町字を入力してください。"),
    "effective-date-in-future": N_("転入日に未来の日付は入力できません。"),
    "effective-date-before-last-change": N_("転入日は転出の日より前にできません。"),
    "unknown-town": N_("町字を選択肢から選んでください。"),
    "town-outside-municipality": N_("この市区町村の町字を選んでください。"),
    "move-remaining-head-required": N_("新しい世帯の世帯主を選んでください。"),
    "moving-certificate-used": N_("この転出証明書情報の方は、すでに転入を記録しています。"),
    "moving-certificate-not-found": N_("転出証明書情報が見つかりません。転出元に確認してください。"),
    "resident-already-registered": N_("この方はすでにこの市区町村の住民です。"),
}


class NotARegistrar(Forbidden):
    code = "arrival-needs-registrar"
    title = "Only resident-records staff (住基) record a move-in"


class InvalidCounter(ValidationFailed):
    code = "arrival-field"
    title = "The move-in needs a date and a town"


class NoCertificateYet(ValidationFailed):
    code = "arrival-no-certificate"
    title = "The moving-out certificate information has not arrived yet"


@dataclass(frozen=True)
class Arrival:
    """What the clerk sees: the certificate, the towns to choose from, what was read from the
    declared address, and the people already recorded here from it (none before the 転入届)."""

    certificate: moving.Certificate
    towns: list[tuple[int, str]]
    suggested: dict[str, str]
    recorded: list[residents.ResidentRecord]
    needs_head: bool


@dataclass(frozen=True)
class Counter:
    """The 転入届 as the clerk enters it."""

    moved_in_on: str
    town_id: str
    banchi: str = ""
    go: str = ""
    building: str = ""
    head_index: str = ""


def certificate_of(app: Application) -> moving.Certificate | None:
    """The 転出証明書情報 the 転入予約 received through the mesh, if it has arrived."""
    for evidence in app.evidence:
        if evidence.status == "ok" and isinstance(evidence.data.get("certificate"), dict):
            return moving.Certificate.of(evidence.data["certificate"])
    return None


def context(db: Session, staff: Principal, app: Application) -> dict[str, Any]:
    """The staff page's counter section: only on a 転入予約 of the clerk's own municipality."""
    certificate = certificate_of(app)
    own = staff.organization_code == app.organization_code
    if app.procedure_id != MOVING_IN or certificate is None or not own:
        return {"arrival": None}
    found = addresses.normalize(db, str((app.data.get("destination_address") or {}).get("text", "")))
    suggested = {"moved_in_on": certificate.moving_date.isoformat()}
    if found.address is not None and found.address.municipality_code == app.organization_code:
        suggested |= {
            "town_id": str(found.address.town_id or ""),
            "banchi": found.address.banchi,
            "go": found.address.go,
            "building": found.address.building,
        }
    return {
        "arrival": Arrival(
            certificate,
            [(t.id, t.town + t.koaza) for t in addresses.towns_in(db, app.organization_code)],
            suggested,
            moving.arrivals(db, app.organization_code, certificate.reference),
            needs_head=len(certificate.movers) > 1
            and all(m.relationship != residents.HEAD for m in certificate.movers),
        ),
        "can_record_arrival": REGISTRAR_ROLE in staff.roles,
    }


def record(
    db: Session, staff: Principal, app: Application, counter: Counter
) -> list[residents.ResidentRecord]:
    """転入: each person of the certificate becomes a resident here, from ``moved_in_on``."""
    if staff.kind != "staff" or staff.organization_code != app.organization_code:
        raise ForeignApplication("this application is not yours")
    if REGISTRAR_ROLE not in staff.roles:
        raise NotARegistrar("recording a move-in needs the role 住基")
    certificate = certificate_of(app)
    if app.procedure_id != MOVING_IN or certificate is None:
        raise NoCertificateYet("no moving-out certificate information has arrived for this application")
    problems = []
    try:
        moved_in_on = parse_date(counter.moved_in_on.strip())
    except ValueError:
        problems.append(_problem("moved_in_on", DATE_FORMAT))
    if not counter.town_id.strip().isdigit():
        problems.append(_problem("town_id", "選択肢から選んでください。"))
    if problems:
        raise InvalidCounter("the move-in needs a date and a town", errors=problems)
    return moving.register_move_in(
        db,
        app.organization_code,
        certificate.reference,
        residents.Residence(
            int(counter.town_id), counter.banchi.strip(), counter.go.strip(), counter.building.strip()
        ),
        moved_in_on=moved_in_on,
        actor=f"staff:{staff.subject_id}",
        head_index=int(counter.head_index) if counter.head_index.strip().isdigit() else None,
    )


def _problem(field: str, message_id: str) -> dict[str, Any]:
    return {
        "location": ["body", field],
        "message": message_id,
        "message_id": message_id,
        "type": "arrival-field",
    }
