"""Every route of お知らせ — the inbox API, its pages and the delivery preferences — installed by
``web.app`` in one call."""

from __future__ import annotations

from fastapi import FastAPI

from tsunagu.core.http.routing import include_gated
from tsunagu.notify import api as notify_api
from tsunagu.notify import pages as notify_pages
from tsunagu.notify import preference_pages as notify_preference_pages


def install(app: FastAPI) -> None:
    include_gated(app, (notify_api.router, notify_pages.router, notify_preference_pages.router))
