"""変更の登記 by 法務局 staff: the page and the API go through one use case, the change reaches
the mesh's subscribers; who may, a dissolved corporation and bad input are refused by name."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.conftest import login_as

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.progress import SilentProgress
from tsunagu.core.sessions import Principal
from tsunagu.core.settings import Settings
from tsunagu.identity.organizations import service as organizations
from tsunagu.identity.staff import service as staff
from tsunagu.mesh import corporate, demo
from tsunagu.mesh.node.embedded import endpoint_of
from tsunagu.mesh.push import service as push
from tsunagu.registry.addresses import service as addresses
from tsunagu.registry.corporations import service as corporations

DATA = Path(__file__).parent / "data"
TOWNS = Path(__file__).parents[1] / "addresses" / "data" / "towns_sample.csv.gz"
TSUNAGU, MINATO = "6010001000001", "5020001000001"
REGISTRAR = Principal(
    kind="staff",
    subject_id="moj-registrar",
    display_name="登記官 一郎",
    organization_code="moj",
    roles=frozenset({"住基"}),
)
HTML = {"accept": "text/html"}


@pytest.fixture
def registry(database: Database, settings: Settings, fixed_clock: clock.FixedClock) -> Database:
    with database.session() as db:
        addresses.load(db, SilentProgress(), towns_file=TOWNS)
        corporations.import_file(db, DATA / "full_13_tokyo.csv")
        corporations.import_commercial_file(db, DATA / "commercial_extract.csv")
        secret = settings.resolved_secret_key()
        demo.register(db, secret, lambda code: endpoint_of(settings.base_url, code))
        corporate.register(db, secret, lambda code: endpoint_of(settings.base_url, code))
    return database


def _csrf(page: str) -> str:
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_a_trade_name_change_on_the_page_reaches_the_subscribers(
    app: FastAPI, client: TestClient, registry: Database
) -> None:
    login_as(client, registry, REGISTRAR)
    form = client.get(f"/registry/corporations/{TSUNAGU}/changes", headers=HTML)
    assert form.status_code == 200 and "変更の登記" in form.text and "代表取締役 商事　花子" in form.text
    done = client.post(
        f"/registry/corporations/{TSUNAGU}/changes",
        follow_redirects=False,
        data={
            "csrf_token": _csrf(form.text),
            "kind": "trade_name",
            "effective_on": "2026-11-20",
            "name": "つなぐホールディングス株式会社",
            "furigana": "ツナグホールディングス",
        },
    )
    assert done.status_code == 303, done.text
    shown = client.get(done.headers["location"], headers=HTML)
    assert (
        "商号変更を登記しました。" in shown.text and "<h1>つなぐホールディングス株式会社</h1>" in shown.text
    )
    nodes = app.state.mesh_nodes
    assert corporate.pump(registry, nodes.context) == 1
    assert push.deliver_due(nodes.context(corporate.PROVIDER)).delivered == 2
    with registry.session() as db:
        [received] = push.received(db, "nta-kojimachi")
    assert received.kind == "trade_name_changed" and received.payload["effective_date"] == "2026-11-20"


def test_the_api_changes_the_representative_and_moves_the_head_office(
    client: TestClient, registry: Database
) -> None:
    login_as(client, registry, REGISTRAR)
    with registry.session() as db:
        [head] = corporations.current_representatives(db, TSUNAGU)
    base = f"/api/v1/registry/corporations/{TSUNAGU}/changes"
    changed = client.post(
        base,
        json={
            "kind": "representative",
            "effective_on": "2026-11-04",
            "resigning": head.id,
            "title": "代表取締役",
            "person_name": "継承　三郎",
            "address": "東京都中央区日本橋一丁目１番１号",
        },
    )
    assert changed.status_code == 201, changed.text
    assert [r["name"] for r in changed.json()["representatives"]] == ["継承　三郎"]
    again = client.post(
        base,
        json={
            "kind": "representative",
            "effective_on": "2026-11-05",
            "resigning": head.id,
            "title": "代表取締役",
            "person_name": "誰か",
            "address": "どこか",
        },
    )
    assert (again.status_code, again.json()["code"]) == (404, "corporations-officer-not-found")
    moved = client.post(
        base,
        json={
            "kind": "head_office",
            "effective_on": "2026-11-06",
            "municipality_code": "131016",
            "street_number": "霞が関三丁目１番１号",
            "post_code": "100-0013",
        },
    )
    assert moved.status_code == 201 and moved.json()["head_office"].endswith("霞が関三丁目１番１号")
    with registry.session() as db:
        kinds = [e.kind for e in corporations.pending_events(db)]
    assert kinds == ["representative_changed", "head_office_moved"]


def test_bad_input_is_marked_and_kept(client: TestClient, registry: Database) -> None:
    login_as(client, registry, REGISTRAR)
    form = client.get(f"/registry/corporations/{TSUNAGU}/changes", headers=HTML)
    page = client.post(
        f"/registry/corporations/{TSUNAGU}/changes",
        headers=HTML,
        data={
            "csrf_token": _csrf(form.text),
            "kind": "head_office",
            "effective_on": "2026-11-20",
            "municipality_code": "999999",
            "street_number": "霞が関",
        },
    )
    assert page.status_code == 422
    assert "新しい本店の市区町村を、全国地方公共団体コード（6桁）で入力してください。" in page.text
    assert 'value="霞が関"' in html.unescape(page.text) or 'value="霞が関"' in page.text
    future = client.post(
        f"/api/v1/registry/corporations/{TSUNAGU}/changes",
        json={"kind": "trade_name", "effective_on": "2027-01-01", "name": "未来株式会社"},
    )
    assert future.status_code == 422 and future.json()["errors"][0]["location"] == ["effective_on"]
    empty = client.post(
        f"/api/v1/registry/corporations/{TSUNAGU}/changes",
        json={"kind": "trade_name", "effective_on": "2026-11-20"},
    )
    assert empty.status_code == 422 and empty.json()["errors"][0]["location"] == ["name"]
    tampered = client.post(
        f"/registry/corporations/{TSUNAGU}/changes",
        headers=HTML,
        data={
            "csrf_token": _csrf(form.text),
            "kind": "representative",
            "effective_on": "2026-11-20",
            "resigning": "abc",
            "title": "代表取締役",
            "person_name": "誰か",
            "address": "どこか",
        },
    )
    assert tampered.status_code == 422 and "退任する代表者を選び直してください。" in tampered.text
    with registry.session() as db:
        assert corporations.pending_events(db) == []  # nothing was written


def test_a_dissolved_corporation_takes_no_further_change(client: TestClient, registry: Database) -> None:
    login_as(client, registry, REGISTRAR)
    base = f"/api/v1/registry/corporations/{MINATO}/changes"
    dissolved = client.post(
        base,
        json={
            "kind": "dissolution",
            "effective_on": "2026-11-05",
            "liquidator_name": "港　次郎",
            "liquidator_address": "神奈川県横須賀市小川町１１番地",
        },
    )
    assert dissolved.status_code == 201 and dissolved.json()["status"] == "dissolved"
    refused = client.post(
        base, json={"kind": "trade_name", "effective_on": "2026-11-06", "name": "別名合同会社"}
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "corporations-dissolved")
    form = client.get(f"/registry/corporations/{MINATO}/changes", headers=HTML)
    page = client.post(
        f"/registry/corporations/{MINATO}/changes",
        headers=HTML,
        data={
            "csrf_token": _csrf(form.text),
            "kind": "trade_name",
            "effective_on": "2026-11-06",
            "name": "別名",
        },
    )
    assert (
        page.status_code == 409
        and "この法人は解散または閉鎖されているため、この変更は登記できません。" in page.text
    )


def test_only_registry_staff_of_the_legal_affairs_bureau(client: TestClient, registry: Database) -> None:
    city = Principal(kind="staff", subject_id="c", organization_code="142018", roles=frozenset({"住基"}))
    login_as(client, registry, city)
    refused = client.post(
        f"/api/v1/registry/corporations/{TSUNAGU}/changes",
        json={"kind": "trade_name", "effective_on": "2026-11-20", "name": "乗っ取り株式会社"},
    )
    assert refused.status_code == 403
    viewer = Principal(kind="staff", subject_id="v", organization_code="moj", roles=frozenset({"閲覧"}))
    login_as(client, registry, viewer)
    assert client.get(f"/registry/corporations/{TSUNAGU}/changes", headers=HTML).status_code == 403
    wrong = str((int(TSUNAGU[0]) + 1) % 10) + TSUNAGU[1:]
    login_as(client, registry, REGISTRAR)
    bad = client.post(
        f"/api/v1/registry/corporations/{wrong}/changes",
        json={"kind": "trade_name", "effective_on": "2026-11-20", "name": "X"},
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "corporate-number-check-digit")
    with registry.session() as db:
        assert corporations.registered_matters(db, TSUNAGU).name == "つなぐ商事株式会社"  # type: ignore[union-attr]


def test_who_entered_each_change_is_recorded_and_shown_by_name_and_office(
    client: TestClient, registry: Database
) -> None:
    """Each of the four kinds keeps the staff account that entered it; the change history names
    the registrar and their office to staff (never the account id), the public sees the changes
    without the name, and the pushed payload carries no one's id."""
    with registry.session() as db:
        organizations.seed_demo_organizations(db)
        registrar = staff.create_staff(
            db,
            "moj",
            "moj.registrar",
            display_name="法務 登記官",
            roles={"住基", "閲覧"},
            password="correct horse battery",
        ).record
        [head] = corporations.current_representatives(db, TSUNAGU)
        corporations.register(  # a change loaded with the data, not entered by anyone
            db,
            MINATO,
            registry_office="東京法務局港出張所",
            purposes=["不動産の売買"],
            capital_yen=1_000_000,
            established_on=date(2015, 4, 1),
        )
        corporations.change_name(db, MINATO, name="みなと商会株式会社", furigana="", on=date(2026, 1, 5))
    login_as(
        client,
        registry,
        Principal(
            kind="staff",
            subject_id=registrar.id,
            display_name=registrar.display_name,
            organization_code="moj",
            roles=frozenset({"住基"}),
        ),
    )
    base = f"/api/v1/registry/corporations/{TSUNAGU}/changes"
    for body in (
        {"kind": "trade_name", "effective_on": "2026-11-02", "name": "つなぐ商事株式会社"},
        {
            "kind": "head_office",
            "effective_on": "2026-11-03",
            "municipality_code": "131016",
            "street_number": "霞が関一丁目１番１号",
        },
        {
            "kind": "representative",
            "effective_on": "2026-11-04",
            "resigning": head.id,
            "title": "代表取締役",
            "person_name": "継承　三郎",
            "address": "東京都中央区日本橋一丁目１番１号",
        },
        {"kind": "dissolution", "effective_on": "2026-11-05"},
    ):
        assert client.post(base, json=body).status_code == 201, body
    with registry.session() as db:
        entries = corporations.change_entries(db, TSUNAGU)
        events = corporations.pending_events(db)
        [loaded] = corporations.change_entries(db, MINATO)
    assert [(e.title, e.effective_on.day) for e in entries] == [
        ("解散", 5),
        ("代表者変更", 4),
        ("本店移転", 3),
        ("商号変更", 2),
    ]
    assert {e.entered_by for e in entries} == {corporations.EnteredBy(registrar.id, "moj")}
    assert loaded.entered_by is None
    assert all(registrar.id not in str(e.payload) for e in events)

    page = html.unescape(client.get(f"/registry/corporations/{TSUNAGU}", headers=HTML).text)
    assert page.count("<td>法務 登記官（法務省（法務局 商業・法人登記））</td>") == 4
    assert registrar.id not in page and "moj" not in page.replace("/registry", "")
    assert "令和8年11月5日" in page and "解散" in page
    minato = html.unescape(client.get(f"/registry/corporations/{MINATO}", headers=HTML).text)
    assert "初期データの登録" in minato

    client.cookies.clear()  # the public sees the changes, not who entered them
    public = html.unescape(client.get(f"/registry/corporations/{TSUNAGU}", headers=HTML).text)
    assert "代表者変更" in public and "登記した職員" not in public and "法務 登記官" not in public
