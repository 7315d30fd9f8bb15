"""Every route of 適合性確認 — the API and the pages — installed by ``web.app`` in one call."""

from __future__ import annotations

from fastapi import FastAPI

from tsunagu.conformance import api as conformance_api
from tsunagu.conformance import pages as conformance_pages
from tsunagu.core.http.routing import include_gated


def install(app: FastAPI) -> None:
    include_gated(app, (conformance_api.router, conformance_pages.router))
