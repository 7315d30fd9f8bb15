"""Typed request dependencies of the mesh: the embedded nodes this app runs (``mesh.routes``).

A route writes ``nodes: MeshNodes``; a helper handed the request calls :func:`mesh_nodes_of`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tsunagu.mesh.node.embedded import EmbeddedNodes


def mesh_nodes_of(request: Request) -> EmbeddedNodes:
    """The embedded nodes installed by ``mesh.routes.install`` (one per served organization)."""
    nodes: EmbeddedNodes = request.app.state.mesh_nodes
    return nodes


async def app_mesh_nodes(request: Request) -> EmbeddedNodes:
    return mesh_nodes_of(request)


#: The mesh nodes this app runs (each organization's context: keys, directory client, log).
MeshNodes = Annotated[EmbeddedNodes, Depends(app_mesh_nodes)]
