"""Every route of oversight — the API, the dashboard and inventory pages, the feedback form and the
staff console — installed by ``web.app`` in one call."""

from __future__ import annotations

from fastapi import FastAPI

from tsunagu.core.http.routing import include_gated
from tsunagu.oversight import api as oversight_api
from tsunagu.oversight import console as oversight_console
from tsunagu.oversight import pages as oversight_pages


def install(app: FastAPI) -> None:
    include_gated(
        app,
        (
            oversight_api.router,
            oversight_pages.router,
            oversight_pages.feedback_router,
            oversight_console.router,
        ),
    )
