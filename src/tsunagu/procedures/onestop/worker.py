"""The daily pass of moves (:func:`service.run_due`) on a background thread of the demo server.

Production runs ``tsunagu registry apply-moves`` from cron or a systemd timer just after
midnight (Asia/Tokyo); the embedded demo runs the same pass every ``interval`` seconds so that a
move accepted for a later day is applied when that day comes, without another command.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import structlog

from tsunagu.core.database import Database
from tsunagu.mesh.node.context import NodeContext
from tsunagu.procedures.onestop import service

log = structlog.get_logger(__name__)


def run_in_background(
    database: Database, node_of: Callable[[str], NodeContext | None], interval: float
) -> threading.Event:
    """Passes every ``interval`` seconds until the returned event is set; a failed pass is logged
    and retried at the next one (planned moves stay in the register until applied)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            try:
                applied = service.run_due(database, node_of)
                if applied:
                    log.info("planned_moves_applied", count=applied)
            except Exception:  # the next pass tries again; nothing is lost
                log.exception("planned moves pass failed")

    threading.Thread(target=loop, name="planned-moves", daemon=True).start()
    return stop
