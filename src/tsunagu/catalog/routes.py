"""Every route of the data catalog — the API, the CKAN Action API, the publisher console and the
pages — installed by ``web.app`` in one call.

Order matters inside the catalog: the console's ``/api/v1/catalog/datasets/…`` actions and the
machine-readability check's pages come before the catalog's ``/{dataset_id}`` routes, which would
otherwise take their paths for a dataset id.
"""

from __future__ import annotations

from fastapi import FastAPI

from tsunagu.catalog import api as catalog_api
from tsunagu.catalog import check_pages as catalog_check_pages
from tsunagu.catalog import dcat_pages as catalog_dcat_pages
from tsunagu.catalog import pages as catalog_pages
from tsunagu.catalog.console import api as catalog_console_api
from tsunagu.catalog.console import pages as catalog_console_pages
from tsunagu.core.http.routing import include_gated


def install(app: FastAPI) -> None:
    include_gated(
        app,
        (
            catalog_console_api.router,  # before the catalog's /datasets/{dataset_id}
            catalog_console_pages.router,  # /staff/catalog
            catalog_console_pages.router,  # /staff/catalog
            catalog_api.router,
            catalog_api.ckan_router,
            catalog_check_pages.router,  # before the catalog's /{dataset_id}
            catalog_dcat_pages.router,  # a dataset's series and base-registry URIs
            catalog_pages.router,
        ),
    )
