"""What the web layer hands the oversight part, read in one typed place.

Oversight sits beside procedures and conformance and may not import them, so ``web.app`` installs
their data as callables on the app (``oversight_served``, ``oversight_feed``,
``oversight_migration``, ``oversight_keystrokes``). An app built without one (a test of this part
alone) gets the empty answer, never an AttributeError. Routes call :func:`sources_of`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request

from tsunagu.core.http.deps import procedure_names_of
from tsunagu.oversight import dashboard, feedback, links, service_kpis

#: this platform's procedures with their legal basis and inventory_id (for links.links)
ServedSource = Callable[[], list[links.Served]]


@dataclass(frozen=True)
class Sources:
    """The platform's data the dashboard and the API report on (each None when not wired)."""

    served: ServedSource | None
    feed: service_kpis.Feed | None
    migration: dashboard.MigrationSource | None
    keystrokes: feedback.KeystrokeSource | None
    procedure_names: Callable[[str], dict[str, str]]


def sources_of(request: Request) -> Sources:
    state = request.app.state
    return Sources(
        served=getattr(state, "oversight_served", None),
        feed=getattr(state, "oversight_feed", None),
        migration=getattr(state, "oversight_migration", None),
        keystrokes=getattr(state, "oversight_keystrokes", None),
        procedure_names=procedure_names_of(request),
    )
