"""The push delivery worker: registry change events published, queued notifications delivered.

Production runs it as its own process (``tsunagu mesh deliver``); the embedded demo runs the same
passes on a background thread of the web process so that one command shows a move reach its
subscribers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from tsunagu.core.database import Database
from tsunagu.mesh import corporate
from tsunagu.mesh.node.context import NodeContext
from tsunagu.mesh.push import registry_events
from tsunagu.mesh.push.service import DeliveryRun, deliver_due

log = structlog.get_logger(__name__)


@dataclass
class DeliveryPass:
    published: int = 0
    runs: dict[str, DeliveryRun] = field(default_factory=dict)


def delivery_pass(
    database: Database,
    contexts: list[NodeContext],
    context_for: Callable[[str], NodeContext | None] | None,
) -> DeliveryPass:
    """One pass: publish pending registry events (when ``context_for`` reaches the municipalities'
    nodes), then deliver what is due from each node's outbox."""
    done = DeliveryPass()
    if context_for is not None:
        done.published = registry_events.pump(database, context_for) + corporate.pump(database, context_for)
    for ctx in contexts:
        done.runs[ctx.organization_code] = deliver_due(ctx)
    return done


def run_in_background(
    database: Database,
    contexts: Callable[[], list[NodeContext]],
    context_for: Callable[[str], NodeContext | None],
    interval: float,
) -> threading.Event:
    """Passes every ``interval`` seconds on a daemon thread until the returned event is set.

    A failing pass is logged and the next one tries again: deliveries are durable in the outbox.
    """
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            try:
                delivery_pass(database, contexts(), context_for)
            except Exception:  # a broken pass must not end the worker; the outbox keeps the work
                log.exception("mesh push delivery pass failed")

    threading.Thread(target=loop, name="mesh-push-delivery", daemon=True).start()
    return stop
