"""Everything the mesh adds to the main app: its API, its pages and the embedded nodes."""

from __future__ import annotations

from fastapi import FastAPI

from tsunagu.core.database import Database
from tsunagu.core.settings import MeshSettings
from tsunagu.mesh.directory import api as directory_api
from tsunagu.mesh.directory import pages as directory_pages
from tsunagu.mesh.history import api as history_api
from tsunagu.mesh.history import pages as history_pages
from tsunagu.mesh.log import api as log_api
from tsunagu.mesh.node import pages as node_pages
from tsunagu.mesh.node.embedded import PATH, EmbeddedNodes
from tsunagu.mesh.push import api as push_api


def install(app: FastAPI, database: Database, secret: str, settings: MeshSettings) -> EmbeddedNodes:
    nodes = EmbeddedNodes(database, secret, settings)
    app.state.mesh_nodes = nodes
    for router in (
        directory_api.router,
        history_api.router,
        log_api.router,
        push_api.router,
        directory_pages.router,
        history_pages.router,
        node_pages.router,
    ):
        app.include_router(router)
    app.mount(PATH, nodes)
    return nodes
