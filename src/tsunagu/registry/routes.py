"""Every route of the base registries — addresses, corporations, residents, 公金受取口座 — installed
by ``web.app`` in one call."""

from __future__ import annotations

from fastapi import FastAPI

from tsunagu.core.http.routing import include_gated
from tsunagu.registry.accounts import api as accounts_api
from tsunagu.registry.accounts import pages as accounts_pages
from tsunagu.registry.addresses import api as addresses_api
from tsunagu.registry.addresses import pages as addresses_pages
from tsunagu.registry.corporations import api as corporations_api
from tsunagu.registry.corporations import pages as corporations_pages
from tsunagu.registry.residents import api as residents_api
from tsunagu.registry.residents import own_pages as residents_own_pages
from tsunagu.registry.residents import pages as residents_pages
from tsunagu.registry.residents import registration_pages as residents_registration_pages


def install(app: FastAPI) -> None:
    include_gated(
        app,
        (
            addresses_api.router,
            addresses_pages.router,
            corporations_api.router,
            corporations_pages.router,
            residents_api.router,
            residents_pages.router,
            residents_registration_pages.router,
            residents_own_pages.router,
            accounts_api.router,
            accounts_pages.router,
        ),
    )
