"""The push-type notices in the background of the demo server (``tsunagu notify push`` otherwise)."""

from __future__ import annotations

import threading

from tsunagu.core import logging
from tsunagu.core.database import Database
from tsunagu.procedures.push import service

log = logging.get_logger("tsunagu.procedures.push")


def run_in_background(database: Database, interval: float) -> threading.Event:
    """Passes every ``interval`` seconds until the returned event is set; a failed pass is logged
    and retried at the next one (the reader's place is kept in the database)."""
    rules, stop = service.load_rules(), threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            try:
                report = service.run_pass(database, rules)
                if report.notified:
                    log.info("push_notices_sent", count=report.notified)
            except Exception:  # the next pass tries again from the same place
                log.exception("push pass failed")

    threading.Thread(target=loop, name="push-notices", daemon=True).start()
    return stop
