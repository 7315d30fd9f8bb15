"""Routes only establish who is calling; what a caller may do is decided by the use case (core.authz).

A route that passes roles to ``require_staff(…)`` decides at the door instead, and the API, the
pages and the CLI can then disagree. No route may.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from starlette.routing import BaseRoute

from tsunagu.core.database import Database
from tsunagu.core.http.auth import require_staff
from tsunagu.core.settings import Settings
from tsunagu.web.app import create_app


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _routes(route: BaseRoute) -> Iterator[BaseRoute]:
    inner = getattr(route, "original_router", None)
    if inner is not None:
        for child in inner.routes:
            yield from _routes(child)
    else:
        yield route


def _door_roles(call: Callable[..., Any]) -> tuple[str, ...]:
    """The roles a ``require_staff(…)`` dependency admits (empty: any staff member)."""
    if not getattr(call, "__qualname__", "").startswith("require_staff."):
        return ()
    names = call.__code__.co_freevars
    cells = dict(zip(names, call.__closure__ or (), strict=True))
    return tuple(cells["roles"].cell_contents) if "roles" in cells else ()


def test_the_check_sees_roles_passed_at_the_door() -> None:
    assert _door_roles(require_staff("管理")) == ("管理",)
    assert _door_roles(require_staff()) == ()


def test_no_other_route_checks_roles_at_the_door(settings: Settings, database: Database) -> None:
    app = create_app(settings, database)
    found: dict[str, set[tuple[str, ...]]] = {}
    for top in app.router.routes:
        for route in _routes(top):
            dependant = getattr(route, "dependant", None)
            for call in _calls(dependant) if dependant is not None else ():
                if roles := _door_roles(call):
                    module = getattr(route, "endpoint", None).__module__  # type: ignore[union-attr]
                    found.setdefault(module, set()).add(roles)
    assert found == {}
