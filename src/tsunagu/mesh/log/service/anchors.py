"""Anchors: the directory's countersigned copies of each node's checkpoints."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.mesh import crypto
from tsunagu.mesh.errors import CheckpointConflict
from tsunagu.mesh.log.models import MeshLogAnchor, MeshLogCheckpoint
from tsunagu.mesh.log.service.chain import ANCHOR_TYP, _iso, _writers_guard

log = structlog.get_logger(__name__)


# a signed checkpoint → the directory's countersignature (registered by each node's context)
Anchorer = Callable[[str], str]


_anchorers: weakref.WeakKeyDictionary[Database, dict[str, Anchorer]] = weakref.WeakKeyDictionary()


_anchoring = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mesh-anchor")


_anchor_locks: dict[tuple[str, str], threading.Lock] = {}


def register_anchorer(database: Database, organization_code: str, anchorer: Anchorer) -> None:
    """How this process's node for ``organization_code`` has its checkpoints anchored."""
    with _writers_guard:
        _anchorers.setdefault(database, {})[organization_code] = anchorer


def has_anchorer(database: Database, organization_code: str) -> bool:
    return organization_code in _anchorers.get(database, {})


def anchoring_settled(timeout: float = 60.0) -> None:
    """Wait until the anchoring already asked for is done (tests: before their database is
    emptied for the next one, so that a late anchor cannot land in the next test's tables)."""
    _anchoring.submit(lambda: None).result(timeout=timeout)


def anchor_soon(database: Database, organization_code: str) -> None:
    """Anchor the chain's new checkpoints off the exchange's path (one background thread)."""
    if organization_code in _anchorers.get(database, {}):
        _anchoring.submit(_anchor_quietly, database, organization_code)


def _anchor_quietly(database: Database, organization_code: str) -> None:
    try:
        anchor_pending(database, organization_code)
    except Exception as exc:
        log.warning("mesh checkpoint not anchored yet", organization=organization_code, error=str(exc))


def anchor_pending(database: Database, organization_code: str) -> int:
    """Send the chain's checkpoints the directory has not countersigned yet, oldest first, and
    keep each countersignature; returns how many were anchored (a failure leaves the rest for
    the next time)."""
    chain = (database.url, organization_code)
    anchorer = _anchorers.get(database, {}).get(organization_code)
    if anchorer is None:
        return 0
    with _writers_guard:
        guard = _anchor_locks.setdefault(chain, threading.Lock())
    with guard:
        with database.session() as db:
            pending = db.execute(
                select(MeshLogCheckpoint.id, MeshLogCheckpoint.signature)
                .where(
                    MeshLogCheckpoint.organization_code == organization_code,
                    MeshLogCheckpoint.anchor.is_(None),
                )
                .order_by(MeshLogCheckpoint.seq)
            ).all()
        for point_id, token in pending:
            countersigned = anchorer(token)
            with database.session() as db:
                point = db.get(MeshLogCheckpoint, point_id)
                if point is not None:
                    point.anchor = countersigned
    return len(pending)


def countersign(db: Session, operator_key: crypto.SigningKey, token: str, payload: dict[str, Any]) -> str:
    """The directory keeps a node's verified checkpoint and countersigns it. The same checkpoint
    again gets the same countersignature; another hash for a kept entry is refused (a node cannot
    replace what it once anchored)."""
    org, seq, digest = str(payload.get("org")), int(payload.get("seq", 0)), str(payload.get("hash"))
    kept = db.scalar(
        select(MeshLogAnchor).where(MeshLogAnchor.organization_code == org, MeshLogAnchor.seq == seq)
    )
    if kept is not None:
        if kept.entry_hash != digest:
            raise CheckpointConflict(f"the directory keeps another hash for entry {seq} of {org}'s log")
        return kept.signature
    now = clock.now()
    signature = crypto.sign(
        operator_key,
        {
            "org": org,
            "seq": seq,
            "hash": digest,
            "anchored_at": _iso(now),
            "checkpoint_sha256": crypto.sha256_hex(token),
        },
        ANCHOR_TYP,
    )
    db.add(
        MeshLogAnchor(
            organization_code=org,
            seq=seq,
            entry_hash=digest,
            anchored_at=now,
            checkpoint=token,
            signature=signature,
        )
    )
    db.flush()
    return signature


def kept_anchors(db: Session, organization_code: str) -> list[str]:
    """The directory's countersignatures of a node's checkpoints, oldest entry first."""
    return list(
        db.scalars(
            select(MeshLogAnchor.signature)
            .where(MeshLogAnchor.organization_code == organization_code)
            .order_by(MeshLogAnchor.seq)
        )
    )


def anchored_heads(
    tokens: Sequence[str], operator_key: crypto.KeyResolver, organization_code: str
) -> dict[int, str]:
    """(seq → hash) of the directory's countersigned anchors for the chain, each verified."""
    heads = {}
    for token in tokens:
        payload = crypto.verify(token, operator_key, ANCHOR_TYP).payload
        if payload.get("org") == organization_code:
            heads[int(payload["seq"])] = str(payload["hash"])
    return heads
