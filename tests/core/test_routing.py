"""The route gate turns away paths none of a router's routes can match, and changes nothing
about which route answers (order, parameters, 405 for a wrong method, the OpenAPI document)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Match

from tsunagu.core.http.routing import RouteGate


def _routers() -> tuple[APIRouter, APIRouter]:
    items = APIRouter(prefix="/items")

    @items.get("/{item_id}")
    def item(item_id: int) -> dict[str, object]:
        return {"router": "items", "item": item_id}

    @items.post("/new")
    def new() -> dict[str, str]:
        return {"router": "items", "made": "new"}

    catch_all = APIRouter()

    @catch_all.get("/{anything}")
    def anything(anything: str) -> dict[str, str]:
        return {"router": "catch-all", "path": anything}

    @catch_all.get("/")
    def home() -> dict[str, str]:
        return {"router": "catch-all", "path": "/"}

    return items, catch_all


def test_the_gate_skips_routers_that_cannot_match_and_keeps_the_order() -> None:
    app = FastAPI()
    for router in _routers():
        app.include_router(RouteGate(router))
    client = TestClient(app)
    assert client.get("/items/7").json() == {"router": "items", "item": 7}
    assert client.get("/items/x").status_code == 422  # matched by items, as without the gate
    assert client.get("/items/new").status_code == 422  # GET /items/{id} comes first, as before
    assert client.post("/items/new").json() == {"router": "items", "made": "new"}
    assert client.delete("/items/7").status_code == 405
    assert client.get("/other").json() == {"router": "catch-all", "path": "other"}
    assert client.get("/").json() == {"router": "catch-all", "path": "/"}
    assert set(app.openapi()["paths"]) == {"/items/{item_id}", "/items/new", "/{anything}", "/"}


def test_a_path_outside_every_route_is_refused_without_trying_them() -> None:
    items, _ = _routers()
    gate = RouteGate(items)
    assert gate.matches({"type": "http", "path": "/elsewhere/1", "method": "GET", "root_path": ""}) == (
        Match.NONE,
        {},
    )
    assert gate.matches({"type": "http", "path": "/app/elsewhere", "root_path": "/app", "method": "GET"}) == (
        Match.NONE,
        {},
    )
