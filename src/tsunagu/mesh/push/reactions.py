"""Subscriber reactions (受信時の処理): what a subscriber's node does with its own records when a
pushed event arrives — the pension organization stops paying on a death without any form.

Reactions are data (``reactions/*.yaml``): the subscriber, the event kind, and the node's own
record the event writes (``mesh_node_records`` under that service code, keyed by the node's own id
for the person: its pension number). The record holds when the change took effect, which event
said so and who sent it. A reaction runs in the receive's transaction, once per idempotency key
(a repeated notification is acknowledged, never applied twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.errors import ConfigurationError
from tsunagu.mesh.codes import service as codes
from tsunagu.mesh.node.models import MeshNodeRecord

REACTIONS_DIR = Path(__file__).parent / "reactions"
_KEYS = {"subscriber", "kind", "record", "title_ja"}


class ReactionInvalid(ConfigurationError):
    code = "mesh-reaction-invalid"
    title = "A subscriber reaction file is not valid"


@dataclass(frozen=True)
class Reaction:
    subscriber: str
    kind: str
    record: str  # the service code of the node's own record it writes
    title_ja: str


def parse(path: Path, text: str) -> Reaction:
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or set(data) != _KEYS or not all(isinstance(v, str) for v in data.values()):
        raise ReactionInvalid(f"{path}: a reaction has exactly {', '.join(sorted(_KEYS))} (texts)")
    return Reaction(data["subscriber"], data["kind"], data["record"], data["title_ja"])


@cache
def load(directory: Path = REACTIONS_DIR) -> tuple[Reaction, ...]:
    return tuple(parse(p, p.read_text(encoding="utf-8")) for p in sorted(directory.glob("*.yaml")))


@dataclass(frozen=True)
class Applied:
    reaction: Reaction
    local_id: str


def react(
    db: Session,
    organization_code: str,
    *,
    kind: str,
    subject_code: str,
    provider: str,
    event_id: str,
    data: dict[str, Any],
    reactions: tuple[Reaction, ...] | None = None,
) -> list[Applied]:
    """Apply this node's reactions to one received event (the caller applies each key once).

    A person the organization holds no record of (no local id for its code) has nothing to
    stop: the event is kept as received and no record is written.
    """
    found = [
        r
        for r in (load() if reactions is None else reactions)
        if r.subscriber == organization_code and r.kind == kind
    ]
    local_id = codes.local_id_of(db, organization_code, subject_code) if found else None
    if local_id is None:
        return []
    effective = str(data.get("effective_date") or clock.today_jst().date().isoformat())
    for reaction in found:
        data = {
            "effective_date": effective,
            "event": kind,
            "event_id": event_id,
            "provider": provider,
            "recorded_at": clock.now().isoformat(),
        }
        row = db.get(MeshNodeRecord, (organization_code, local_id, reaction.record))
        if row is None:
            db.add(
                MeshNodeRecord(
                    organization_code=organization_code,
                    local_id=local_id,
                    service_code=reaction.record,
                    data=data,
                )
            )
        else:
            row.data = data
    db.flush()
    return [Applied(r, local_id) for r in found]


def record_of(db: Session, organization_code: str, local_id: str, record: str) -> dict[str, Any] | None:
    """A node's record a reaction wrote (e.g. the pension's payment stop), or None."""
    row = db.get(MeshNodeRecord, (organization_code, local_id, record))
    return None if row is None else dict(row.data)
