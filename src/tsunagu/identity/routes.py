"""Every route of identity — its API and its pages — installed by ``web.app`` in one call."""

from __future__ import annotations

from fastapi import FastAPI

from tsunagu.core.http.routing import include_gated
from tsunagu.identity.business import api as business_api
from tsunagu.identity.business import pages as business_pages
from tsunagu.identity.business import sole_api, sole_pages
from tsunagu.identity.cards import api as cards_api
from tsunagu.identity.cards import pages as cards_pages
from tsunagu.identity.history import api as history_api
from tsunagu.identity.history import pages as history_pages
from tsunagu.identity.oidc import api as oidc_api
from tsunagu.identity.oidc import pages as oidc_pages
from tsunagu.identity.organizations import api as organizations_api
from tsunagu.identity.proxies import api as proxies_api
from tsunagu.identity.proxies import pages as proxies_pages
from tsunagu.identity.staff import api as staff_api
from tsunagu.identity.staff import pages as staff_pages


def install(app: FastAPI) -> None:
    include_gated(
        app,
        (
            business_api.router,
            sole_api.router,
            sole_pages.router,
            business_pages.router,
            organizations_api.router,
            cards_api.router,
            cards_pages.router,
            staff_api.router,
            staff_pages.router,
            history_api.router,
            history_pages.router,
            proxies_api.router,
            proxies_pages.router,
            oidc_api.router,
            oidc_api.admin,
            oidc_pages.router,
        ),
    )
