"""Turn the resident registry's change outbox into mesh push notifications (embedded default).

The registry writes a change event in the same transaction as the change; this pump publishes
each one from the municipality's node and only then marks it delivered, so a crash re-publishes
(the idempotency key — the registry's event id — keeps subscribers from applying it twice).
"""

from __future__ import annotations

from collections.abc import Callable

from tsunagu.core.database import Database
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.node import adapters
from tsunagu.mesh.node.context import NodeContext
from tsunagu.mesh.push.service import publish
from tsunagu.registry.residents import service as residents

EVENT_KINDS = {
    "address_change": "address_changed",
    "death": "died",
    "name_change": "name_changed",
    "move_out": "moved_out",
    # a 住民税 assessment recorded or corrected: subscribers with a legal basis (児童手当, 国民健康
    # 保険料の軽減) learn that the year's income is known, and ask the income service for it
    "income_assessed": "income_assessed",
}


def pump(database: Database, context_for: Callable[[str], NodeContext | None], limit: int = 100) -> int:
    """Publish pending registry events; returns how many events were handled."""
    with database.session() as db:
        events = residents.pending_events(db, 0, limit)
    for event in events:
        kind = EVENT_KINDS.get(event.kind)
        ctx = context_for(event.municipality_code) if kind else None
        if kind and ctx is not None:
            with database.session() as db:
                codes.code_for(db, event.municipality_code, event.resident_id)
                codes.relate(db, event.municipality_code, event.resident_id, "resident")
                record = residents.get_resident(db, event.resident_id)
            data = adapters.resident_items(record) if record else {}
            data["effective_date"] = str(event.payload.get("effective_date", ""))
            publish(ctx, kind, event.resident_id, data, event_id=event.event_id)
        with database.session() as db:
            residents.mark_delivered(db, [event.event_id])
    return len(events)
