"""The embedded default: every member whose endpoint ends in ``/mesh/nodes/{code}`` gets its node
app inside the main process (``make demo``, one command), whatever host name it was seeded with."""

from __future__ import annotations

import threading

from starlette.types import Receive, Scope, Send

from tsunagu.core.database import Database
from tsunagu.core.http import problems
from tsunagu.mesh.directory import service as directory
from tsunagu.mesh.node.app import NodeApp, create_node_app
from tsunagu.mesh.node.context import NodeContext, build
from tsunagu.mesh.settings import MeshSettings

PATH = "/mesh/nodes"


def endpoint_of(base_url: str, organization_code: str) -> str:
    return f"{base_url.rstrip('/')}{PATH}/{organization_code}"


class EmbeddedNodes:
    """An ASGI app for ``/mesh/nodes``: ``/{code}/...`` is served by that organization's node."""

    def __init__(self, database: Database, secret: str, settings: MeshSettings) -> None:
        self.database, self.secret, self.settings = database, secret, settings
        self._contexts: dict[str, NodeContext] = {}
        self._apps: dict[str, NodeApp] = {}
        self._guard = threading.Lock()

    def context(self, organization_code: str) -> NodeContext | None:
        """The node of a member served here, or None (unknown, or its node runs elsewhere)."""
        with self._guard:
            if organization_code in self._contexts:
                return self._contexts[organization_code]
        with self.database.session() as db:
            member = directory.get_organization(db, organization_code)
        if member is None or not member.endpoint.endswith(f"{PATH}/{organization_code}"):
            return None
        with self._guard:
            if organization_code not in self._contexts:
                self._contexts[organization_code] = build(
                    organization_code, self.database, self.secret, self.settings, self.peer
                )
            return self._contexts[organization_code]

    def peer(self, endpoint: str) -> NodeContext | None:
        head, _, code = endpoint.rpartition("/")
        return self.context(code) if head.endswith(PATH) else None

    def served(self) -> list[str]:
        with self.database.session() as db:
            members = directory.list_organizations(db)
        return [m.code for m in members if self.context(m.code) is not None]

    def contexts(self) -> list[NodeContext]:
        """The nodes of every member served here."""
        return [ctx for code in self.served() if (ctx := self.context(code)) is not None]

    def _app(self, organization_code: str) -> NodeApp | None:
        ctx = self.context(organization_code)
        if ctx is None:
            return None
        with self._guard:
            if organization_code not in self._apps:
                self._apps[organization_code] = create_node_app(ctx)
            return self._apps[organization_code]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        root = scope.get("root_path", "")
        path: str = scope.get("path", "")
        relative = path[len(root) :] if path.startswith(root) else path
        code = relative.lstrip("/").split("/", 1)[0]
        app = self._app(code) if scope["type"] == "http" and code else None
        if app is None:
            response = problems.problem(
                404, "mesh-no-such-node", "No such node", f"no mesh node is served here for {code!r}", path
            )
            await response(scope, receive, send)
            return
        await app({**scope, "root_path": f"{root}/{code}"}, receive, send)

    def close(self) -> None:
        for ctx in self._contexts.values():
            ctx.http.close()
