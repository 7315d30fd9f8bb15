"""The commercial registry as a mesh provider: corporate data by 法人番号 under a 事務, signed,
logged, shown in the business's own やりとり履歴; 登記 changes pushed to subscribers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.settings import Settings
from tsunagu.mesh import corporate, demo
from tsunagu.mesh import errors as mesh_errors
from tsunagu.mesh.history import service as history
from tsunagu.mesh.node.embedded import endpoint_of
from tsunagu.mesh.push import service as push
from tsunagu.procedures import meshlink
from tsunagu.registry.corporations import service as corporations

DATA = Path(__file__).parents[1] / "registry" / "corporations" / "data"
TSUNAGU = "6010001000001"  # つなぐ商事株式会社 (test data)
LIBRARY = "1000011000005"  # 国立国会図書館: a 法人番号 without 商業登記


@pytest.fixture
def gateway(
    app: FastAPI, database: Database, settings: Settings, fixed_clock: clock.FixedClock
) -> meshlink.NodeGateway:
    with database.session() as db:
        corporations.import_file(db, DATA / "full_13_tokyo.csv")
        corporations.import_commercial_file(db, DATA / "commercial_extract.csv")
        secret = settings.resolved_secret_key()
        demo.register(db, secret, lambda code: endpoint_of(settings.base_url, code))
        corporate.register(db, secret, lambda code: endpoint_of(settings.base_url, code))
    return meshlink.NodeGateway(database, app.state.mesh_nodes.context)


def _ask(
    gateway: meshlink.NodeGateway,
    source: str,
    items: tuple[str, ...],
    *,
    consumer: str = "142018",
    number: str = TSUNAGU,
) -> meshlink.Fetched:
    return gateway.fetch(
        source,
        consumer=consumer,
        resident_id=corporate.subject_of(number),
        resident_municipality="",
        items=items,
    )


def test_basic_information_and_registered_matters_by_corporate_number(
    gateway: meshlink.NodeGateway, database: Database
) -> None:
    basic = _ask(gateway, "corporations.basic", ("name", "head_office_address", "status"))
    assert basic.provider == "moj" and basic.legal_basis_id == "hojin-142018-b"
    assert basic.data == {
        "name": "つなぐ商事株式会社",
        "status": "active",
        "head_office_address": {"text": "東京都千代田区丸の内１丁目１－１"},
    }
    registered = _ask(
        gateway, "corporations.registered", ("established_on", "capital_yen", "representatives")
    )
    assert registered.data["established_on"] == "2009-04-01" and registered.data["capital_yen"] == 10_000_000
    assert [r["name"] for r in registered.data["representatives"]] == ["商事　花子"]
    with database.session() as db:
        seen, total = history.exchanges_for(db, corporate.subject_of(TSUNAGU), operator=demo.OPERATOR)
    assert total == 2
    assert {e.holder.name_ja for e in seen} == {"法務省（法務局 商業・法人登記）"}
    assert {e.requester.name_ja for e in seen} == {"神奈川県横須賀市"}
    assert seen[0].law_ja.startswith("地方自治法施行令第167条の5")
    assert "資本金の額" in seen[0].items


def test_without_a_legal_basis_nothing_is_given(gateway: meshlink.NodeGateway) -> None:
    with pytest.raises(mesh_errors.NoLegalBasis):
        _ask(gateway, "corporations.basic", ("name",), consumer="tsunagu-power")


def test_a_body_without_commercial_registration_has_no_registered_matters(
    gateway: meshlink.NodeGateway,
) -> None:
    assert _ask(gateway, "corporations.basic", ("name",), number=LIBRARY).data == {"name": "国立国会図書館"}
    with pytest.raises(mesh_errors.UnknownSubject):
        _ask(gateway, "corporations.registered", ("capital_yen",), number=LIBRARY)


def test_registry_changes_reach_the_subscribers(
    app: FastAPI, gateway: meshlink.NodeGateway, database: Database
) -> None:
    with database.session() as db:
        corporations.change_name(
            db,
            TSUNAGU,
            name="つなぐホールディングス株式会社",
            furigana="ツナグホールディングス",
            on=date(2026, 11, 20),
        )
    nodes = app.state.mesh_nodes
    assert corporate.pump(database, nodes.context) == 1
    assert corporate.pump(database, nodes.context) == 0  # delivered events are not published twice
    run = push.deliver_due(nodes.context(corporate.PROVIDER))
    assert run.delivered == 2
    with database.session() as db:
        for subscriber in ("nta-kojimachi", "jpn-pension"):
            [received] = push.received(db, subscriber)
            assert received.kind == "trade_name_changed"
            assert received.payload["name"] == "つなぐホールディングス株式会社"
            assert received.payload["effective_date"] == "2026-11-20"
        seen, _ = history.exchanges_for(db, corporate.subject_of(TSUNAGU), operator=demo.OPERATOR)
    assert any(e.kind == "notification" and e.items == ["商号の変更"] for e in seen)
