"""Prefill through the mesh, sealed so that the values the resident saw come back unchanged."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any, Protocol

from tsunagu.core import clock
from tsunagu.mesh import errors as mesh_errors
from tsunagu.procedures import meshlink
from tsunagu.procedures.applications.service.records import Prefilled, Provenance, TamperedField
from tsunagu.procedures.definition import Procedure


def _name_value(item: Any) -> dict[str, str]:
    return {
        "family": item["family_name"],
        "given": item["given_name"],
        "family_kana": item["family_name_kana"],
        "given_kana": item["given_name_kana"],
    }


def _as_field(item_type: str, value: Any) -> Any:
    if item_type == "person_name" and isinstance(value, dict) and "family_name" in value:
        return _name_value(value)
    return value


class Subject(Protocol):
    """Whom registry values are asked about: a resident, or a corporation (``corporation:<法人番号>``)."""

    @property
    def id(self) -> str: ...

    @property
    def municipality_code(self) -> str: ...


def prefill(
    gateway: meshlink.MeshGateway, procedure: Procedure, person: Subject, organization: str
) -> Prefilled:
    """Ask the registries (through the mesh, as ``organization``) for every prefill item."""
    by_service: dict[str, list[tuple[str, str, str]]] = {}
    for p in procedure.prefill:
        by_service.setdefault(p.service, []).append((p.item, p.item_type, p.field))
    values: dict[str, Any] = {}
    sources: dict[str, Provenance] = {}
    unavailable: list[str] = []
    for service, wanted in by_service.items():
        try:
            got = gateway.fetch(
                service,
                consumer=organization,
                resident_id=person.id,
                resident_municipality=person.municipality_code,
                items=tuple(item for item, _t, _f in wanted),
            )
        except (mesh_errors.MeshDenied, meshlink.MeshUnavailable, meshlink.SourceNotConnected):
            unavailable += [f for _i, _t, f in wanted]
            continue
        origin = Provenance(
            got.provider, got.mesh_service, got.legal_basis_id, got.request_id, got.fetched_at.isoformat()
        )
        for item, item_type, field_name in wanted:
            if item in got.data:
                values[field_name] = _as_field(item_type, got.data[item])
                sources[field_name] = origin
            else:
                unavailable.append(field_name)
    return Prefilled(values, sources, tuple(unavailable))


SEAL_SECONDS = 3600


def seal(secret: str, resident_id: str, procedure: Procedure, prefilled: Prefilled) -> str:
    """An HMAC over the prefilled values and when they were sealed, carried in the form so they
    need not be fetched twice (for :data:`SEAL_SECONDS`; registry values can change)."""
    body = json.dumps(
        {
            "r": resident_id,
            "p": procedure.id,
            "t": int(clock.now().timestamp()),
            "v": prefilled.values,
            "s": {k: v.__dict__ for k, v in prefilled.sources.items()},
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    return f"{mac}.{body}"


def unseal(secret: str, token: str, resident_id: str, procedure: Procedure) -> Prefilled:
    """The sealed prefill of a form, or :class:`TamperedField` when it was changed. A seal older
    than :data:`SEAL_SECONDS` (or from before seals carried their time) comes back ``stale``:
    fine to show again, fetched afresh before an application is made of it."""
    mac, _, body = token.partition(".")
    expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    if not body or not hmac.compare_digest(mac, expected):
        raise TamperedField("the registry values in the form were changed")
    data = json.loads(body)
    if data["r"] != resident_id or data["p"] != procedure.id:
        raise TamperedField("the form was prepared for another person or procedure")
    age = clock.now().timestamp() - data.get("t", 0)
    return Prefilled(
        data["v"], {k: Provenance(**v) for k, v in data["s"].items()}, stale=not 0 <= age <= SEAL_SECONDS
    )


def merge_prefilled(prefilled: Prefilled, submitted: Mapping[str, Any]) -> dict[str, Any]:
    """Submitted values plus registry values; a changed registry value is refused (403)."""
    merged = dict(submitted)
    for name, value in prefilled.values.items():
        sent = submitted.get(name)
        if sent not in (None, "", {}) and sent != value:
            raise TamperedField(f"{name} comes from the registry and cannot be changed", field=name)
        merged[name] = value
    return merged
