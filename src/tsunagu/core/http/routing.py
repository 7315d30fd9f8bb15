"""A gate in front of each part's router: a request whose path none of its routes can match is
turned away before any route is tried.

FastAPI tries the included routers in order and, in each, every route's pattern; with some forty
routers, finding the route of a request late in the list was about a fifth of a worker's CPU
under load. The gate knows each route's fixed part (the whole path, or the part before its first
``{parameter}``), so a router is skipped with a few string comparisons. Which route answers is
unchanged: a router whose gate lets the path through is matched exactly as before, in the same
order.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI
from starlette.routing import BaseRoute, Match
from starlette.types import Scope


def _route_path(scope: Scope) -> str:
    """The path the routes see (below the app's root path, as Starlette matches it)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] == "/":
        return path[len(root) :]
    return path


def _shapes(routes: Iterable[BaseRoute]) -> tuple[frozenset[str], tuple[str, ...]]:
    """(paths matched only as a whole, fixed beginnings of paths with parameters)."""
    exact: set[str] = set()
    stems: set[str] = set()
    for route in routes:
        path = getattr(route, "path", None)
        if not isinstance(path, str):
            return frozenset(), ("",)  # a route of another kind: let every path through
        stem, brace, _ = path.partition("{")
        (stems if brace else exact).add(stem)
    return frozenset(exact), tuple(sorted(stems))


class RouteGate(APIRouter):
    """``router`` included behind the gate (include the gate in the app, without a prefix).
    The routes are read once, here: the router must have all of them by then."""

    def __init__(self, router: APIRouter) -> None:
        super().__init__()
        self.include_router(router)
        self._exact, self._stems = _shapes(router.routes)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = _route_path(scope)
        if path not in self._exact and not path.startswith(self._stems):
            return Match.NONE, {}
        return super().matches(scope)


def include_gated(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Include each of a part's routers behind its own gate, in the order given (a part's
    ``routes.install`` calls this; which route answers a path is decided within the part)."""
    for router in routers:
        app.include_router(RouteGate(router))
