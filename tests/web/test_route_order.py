"""Each part installs its own routes (``<part>/routes.py``); ``web.app`` calls one function per part.

That the order between parts decides nothing is checked here: no route of one part can answer a
path of another part's route (a path with each ``{parameter}`` filled in), so whichever part is
installed first, every request reaches the same route. Inside a part, order can matter (a fixed
``/catalog/check`` before ``/catalog/{dataset_id}``); the part's routes.py says so where it does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from starlette.routing import BaseRoute, Route

from tsunagu.core.database import Database
from tsunagu.core.settings import Settings
from tsunagu.web.app import create_app


def _routes(route: BaseRoute) -> Iterator[Route]:
    inner = getattr(route, "original_router", None)  # an included router (behind its RouteGate)
    if inner is not None:
        for child in inner.routes:
            yield from _routes(child)
    elif isinstance(route, Route):
        yield route


def _part(route: Route) -> str:
    module = str(getattr(route.endpoint, "__module__", ""))
    return ".".join(module.split(".")[:2])  # tsunagu.<part>, or tsunagu.web for the app's own


def test_no_route_of_one_part_answers_a_path_of_another(settings: Settings, database: Database) -> None:
    routes = [r for top in create_app(settings, database).router.routes for r in _routes(top)]
    parts = {_part(r) for r in routes}
    assert {"tsunagu.identity", "tsunagu.registry", "tsunagu.procedures", "tsunagu.mesh"} <= parts
    overlaps = []
    for route in routes:
        sample = re.sub(r"\{[^}]+\}", "x1", route.path)
        for other in routes:
            same_methods = (other.methods or set()) & (route.methods or set())
            if _part(other) != _part(route) and same_methods and other.path_regex.match(sample):
                overlaps.append((other.path, route.path))
    assert overlaps == []


def test_the_check_finds_an_overlap_inside_a_part(settings: Settings, database: Database) -> None:
    """The same check, inside one part, does find the paths whose order matters (it can fail)."""
    routes = [r for top in create_app(settings, database).router.routes for r in _routes(top)]
    catalog = [r for r in routes if r.path.startswith("/catalog/")]
    by_id = next(r for r in catalog if r.path == "/catalog/{dataset_id}")
    assert any(by_id.path_regex.match(r.path) for r in catalog if r is not by_id)
