"""The API's sealed prefill: fetched once through the mesh, carried back with the submission."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import CHIYODA, World
from tests.procedures.applying.test_api import TENSHUTSU, URL

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.procedures import meshlink
from tsunagu.procedures.applications import service

PREFILL = "/api/v1/procedures/tenshutsu/prefill"


def _mesh_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(*_args: object, **_kwargs: object) -> meshlink.Fetched:
        raise meshlink.MeshUnavailable("the registry cannot be reached")

    monkeypatch.setattr(meshlink.NodeGateway, "fetch", unreachable)


def _sealed(body: dict[str, Any], seal: str) -> dict[str, Any]:
    return {**body, "prefill_seal": seal}


def test_the_prefill_gives_registry_values_with_provenance_and_a_seal(resident_client: TestClient) -> None:
    response = resident_client.get(PREFILL)
    assert response.status_code == 200, response.text
    form = response.json()
    assert form["organization_code"] == CHIYODA and form["unavailable"] == []
    assert form["values"]["applicant_name"]["family"] == "佐藤"
    assert form["sources"]["current_address"]["legal_basis_id"] == f"todokede-juri-{CHIYODA}"
    assert form["prefill_seal"]


def test_a_sealed_submission_needs_no_mesh_look_up(
    resident_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = resident_client.get(PREFILL).json()
    _mesh_down(monkeypatch)
    unsealed = resident_client.post(URL, json=TENSHUTSU, headers={"Idempotency-Key": "unsealed-001"})
    assert unsealed.status_code == 422  # without the seal the registry values are missing
    body = _sealed(TENSHUTSU, form["prefill_seal"])
    response = resident_client.post(URL, json=body, headers={"Idempotency-Key": "sealed-0001"})
    assert response.status_code == 201, response.text
    app = response.json()
    assert app["data"]["applicant_name"]["family"] == "佐藤"
    assert app["prefilled"]["applicant_name"]["request_id"] == form["sources"]["applicant_name"]["request_id"]
    again = resident_client.post(URL, json=body, headers={"Idempotency-Key": "sealed-0001"})
    assert again.status_code == 200 and again.json()["receipt_number"] == app["receipt_number"]


def test_a_changed_seal_is_refused(resident_client: TestClient) -> None:
    mac, _, sealed = resident_client.get(PREFILL).json()["prefill_seal"].partition(".")
    forged = f"{mac}.{sealed.replace('佐藤', '山田')}"
    response = resident_client.post(
        URL, json=_sealed(TENSHUTSU, forged), headers={"Idempotency-Key": "forged-0001"}
    )
    assert response.status_code == 403 and response.json()["code"] == "application-tampered"


def test_a_proxy_cannot_file_their_own_registry_values_for_the_person(
    client: TestClient, database: Database, world: World
) -> None:
    world.log_in_proxy(client, database)
    own_seal = client.get(PREFILL).json()["prefill_seal"]
    response = client.post(
        URL,
        json=_sealed({**TENSHUTSU, "on_behalf_of": world.resident_id}, own_seal),
        headers={"Idempotency-Key": "proxy-sealed-1"},
    )
    assert response.status_code == 403 and response.json()["code"] == "application-tampered"


def test_someone_who_cannot_apply_gets_no_prefill(
    client: TestClient, database: Database, world: World
) -> None:
    world.move_out(database)
    login_as(client, database, world.resident())
    response = client.get(PREFILL)
    assert response.status_code == 403 and response.json()["code"] == "application-not-eligible"
    assert response.json()["what_to_do"]


def test_an_old_seal_is_not_trusted_the_values_are_fetched_again(
    resident_client: TestClient, monkeypatch: pytest.MonkeyPatch, fixed_clock: clock.FixedClock
) -> None:
    form = resident_client.get(PREFILL).json()
    fixed_clock.advance(timedelta(seconds=service.SEAL_SECONDS + 1))
    body = _sealed(TENSHUTSU, form["prefill_seal"])
    with monkeypatch.context() as down:
        _mesh_down(down)
        refused = resident_client.post(URL, json=body, headers={"Idempotency-Key": "stale-seal-01"})
    assert refused.status_code == 422, refused.text  # the old values were not used
    assert {tuple(e["location"]) for e in refused.json()["errors"]} >= {("body", "data", "applicant_name")}
    response = resident_client.post(URL, json=body, headers={"Idempotency-Key": "stale-seal-02"})
    assert response.status_code == 201, response.text
    fetched = response.json()["prefilled"]["applicant_name"]["request_id"]
    assert fetched != form["sources"]["applicant_name"]["request_id"]  # asked the registry again
