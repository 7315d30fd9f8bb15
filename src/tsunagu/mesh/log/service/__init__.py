"""Append to and verify an organization's hash-chained message log (X-Road style message log).

Each entry holds metadata only (never the data items' values): who, which organization, which
person code, which items, purpose, result and the SHA-256 of the signed message. Its hash covers
the previous entry's hash, so changing, removing or reordering any entry breaks every later one.
The node signs the head every ``checkpoint_every`` entries and at the first write after
``checkpoint_seconds`` (and at its first write in a process); each checkpoint is then sent to the
directory, which countersigns and keeps it (an anchor outside the node), so a node that deletes
its log's tail, recomputes its whole chain or deletes its own checkpoints is caught by verification
against the directory's anchors.
"""

from __future__ import annotations

from tsunagu.mesh.log.service.anchors import (
    Anchorer,
    anchor_pending,
    anchor_soon,
    anchored_heads,
    anchoring_settled,
    countersign,
    has_anchorer,
    kept_anchors,
    register_anchorer,
)
from tsunagu.mesh.log.service.appending import Work, append, append_with, checkpoint
from tsunagu.mesh.log.service.chain import ANCHOR_TYP, CHECKPOINT_TYP, GENESIS, LogEvent, entry_hash
from tsunagu.mesh.log.service.reading import entries_of_request, own_log, recent
from tsunagu.mesh.log.service.verification import VerifyReport, chain_rows, verify

__all__ = [
    "ANCHOR_TYP",
    "CHECKPOINT_TYP",
    "GENESIS",
    "Anchorer",
    "LogEvent",
    "VerifyReport",
    "Work",
    "anchor_pending",
    "anchor_soon",
    "anchored_heads",
    "anchoring_settled",
    "append",
    "append_with",
    "chain_rows",
    "checkpoint",
    "countersign",
    "entries_of_request",
    "entry_hash",
    "has_anchorer",
    "kept_anchors",
    "own_log",
    "recent",
    "register_anchorer",
    "verify",
]
