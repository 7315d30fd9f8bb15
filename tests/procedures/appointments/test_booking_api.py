"""来庁予約 over the API: free slots, booking with Idempotency-Key, change, cancel, refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import YOKOSUKA, World
from tests.procedures.appointments.conftest import SlotMaker, book, counter, move_in

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.notify import service as inbox
from tsunagu.procedures.appointments import service

SLOTS = "/api/v1/procedures/appointments/slots"


def _json(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    return body


def test_free_slots_are_listed_by_organization_and_procedure(
    client: TestClient, make_slot: SlotMaker
) -> None:
    later, sooner = make_slot(days=3), make_slot(days=1, capacity=1)
    counter_slot = make_slot(days=2, procedure_id="")
    found = _json(client.get(SLOTS, params={"organization": YOKOSUKA, "procedure": "tennyu-yoyaku"}))
    assert [s["id"] for s in found["items"]] == [sooner.id, counter_slot.id, later.id]
    assert found["total"] == 3 and found["items"][0]["remaining"] == 1
    assert found["items"][0]["wareki"].startswith("令和8年11月23日（月） 10:00〜10:30")
    assert _json(client.get(SLOTS, params={"organization": "131016"}))["total"] == 0
    day = (clock.today_jst().date() + timedelta(days=1)).isoformat()
    one_day = _json(client.get(SLOTS, params={"organization": YOKOSUKA, "from": day, "to": day}))
    assert [s["id"] for s in one_day["items"]] == [sooner.id]
    bad = client.get(SLOTS, params={"organization": YOKOSUKA, "from": day, "to": "2026-01-01"})
    assert bad.status_code == 422 and bad.json()["code"] == "validation-failed"


def test_a_resident_books_once_per_key_and_is_told(
    resident_client: TestClient, database: Database, world: World, make_slot: SlotMaker, application_id: str
) -> None:
    slot = make_slot(days=2)
    first = book(resident_client, application_id, slot.id)
    assert first.status_code == 201, first.text  # type: ignore[attr-defined]
    booking = _json(first)
    assert booking["status"] == "booked" and booking["slot"]["booked"] == 1
    assert booking["slot"]["place"] == "転入先の市区町村役所 住民記録窓口"
    assert booking["bring"] == ["転入する方全員のマイナンバーカード"]
    again = book(resident_client, application_id, slot.id)
    assert again.status_code == 200 and _json(again)["id"] == booking["id"]  # type: ignore[attr-defined]
    other = make_slot(days=3)
    reused = book(resident_client, application_id, other.id)
    assert reused.status_code == 409 and _json(reused)["code"] == "idempotency-key-reused"  # type: ignore[attr-defined]
    shown = _json(resident_client.get(f"/api/v1/procedures/applications/{application_id}/appointment"))
    assert shown["id"] == booking["id"]
    with database.session() as db:
        messages, _total = inbox.inbox(db, world.resident_id, limit=10, offset=0)
        assert service.get_slot(db, slot.id).booked == 1
    told = [m for m in messages if m.title.startswith("来庁予約を受付")]
    assert len(told) == 1 and "令和8年11月24日" in told[0].body and "マイナンバーカード" in told[0].body
    trail = _json(resident_client.get(f"/api/v1/procedures/applications/{application_id}"))["audit"]
    assert trail[-1]["reason"].startswith("来庁予約: 令和8年11月24日")


def test_changing_moves_the_place_and_cancelling_frees_it(
    resident_client: TestClient, database: Database, make_slot: SlotMaker, application_id: str
) -> None:
    first, second = make_slot(days=2), make_slot(days=4)
    assert book(resident_client, application_id, first.id, "key-first-1").status_code == 201  # type: ignore[attr-defined]
    changed = book(resident_client, application_id, second.id, "key-second-1")
    assert changed.status_code == 201 and _json(changed)["slot"]["id"] == second.id  # type: ignore[attr-defined]
    with database.session() as db:
        assert (service.get_slot(db, first.id).booked, service.get_slot(db, second.id).booked) == (0, 1)
    cancelled = resident_client.delete(f"/api/v1/procedures/applications/{application_id}/appointment")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    with database.session() as db:
        assert service.get_slot(db, second.id).booked == 0
        assert service.active_booking(db, application_id) is None
    gone = resident_client.get(f"/api/v1/procedures/applications/{application_id}/appointment")
    assert gone.status_code == 404 and gone.json()["code"] == "appointment-not-found"


def test_a_full_slot_refuses_with_409(
    client: TestClient, database: Database, world: World, make_slot: SlotMaker, application_id: str
) -> None:
    slot = make_slot(capacity=1)
    login_as(client, database, world.resident())
    assert book(client, application_id, slot.id).status_code == 201  # type: ignore[attr-defined]
    other = world.resident().__class__(kind="resident", subject_id=world.other_resident_id)
    theirs = move_in(database, other, "move-in-other-1")
    login_as(client, database, other)
    full = book(client, theirs, slot.id)
    assert full.status_code == 409, full.text  # type: ignore[attr-defined]
    assert _json(full)["code"] == "appointment-slot-full"
    assert full.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]


def test_the_cut_off_closes_booking_and_changes(
    resident_client: TestClient,
    database: Database,
    world: World,
    fixed_clock: clock.FixedClock,
    make_slot: SlotMaker,
    application_id: str,
) -> None:
    slot = make_slot(days=1, hour=12)
    assert book(resident_client, application_id, slot.id).status_code == 201  # type: ignore[attr-defined]
    other = make_slot(days=1, hour=14)
    fixed_clock.advance(timedelta(hours=25, minutes=30))  # 11:30 JST: 30 minutes before 12:00
    login_as(resident_client, database, world.resident())  # the session of yesterday has expired
    late = resident_client.delete(f"/api/v1/procedures/applications/{application_id}/appointment")
    assert late.status_code == 409 and late.json()["code"] == "appointment-change-closed"
    moved = book(resident_client, application_id, other.id, "key-later-01")
    assert _json(moved)["code"] == "appointment-change-closed"


def test_past_and_cut_off_slots_are_refused(
    client: TestClient,
    database: Database,
    world: World,
    fixed_clock: clock.FixedClock,
    make_slot: SlotMaker,
    application_id: str,
) -> None:
    soon, past = make_slot(days=0, hour=11, cutoff_minutes=120), make_slot(days=0, hour=11, procedure_id="")
    login_as(client, database, world.resident())
    closed = book(client, application_id, soon.id)
    assert _json(closed)["code"] == "appointment-slot-closed" and _json(closed)["reason"] == "cut-off"
    fixed_clock.advance(timedelta(hours=2))
    gone = book(client, application_id, past.id, "key-past-0001")
    assert _json(gone)["code"] == "appointment-slot-closed" and _json(gone)["reason"] == "past"
    listed = _json(client.get(SLOTS, params={"organization": YOKOSUKA}))
    assert listed["total"] == 0


def test_only_the_applicant_books_and_only_where_a_visit_is_needed(
    client: TestClient, database: Database, world: World, make_slot: SlotMaker, application_id: str
) -> None:
    slot = make_slot()
    other = world.resident().__class__(kind="resident", subject_id=world.other_resident_id)
    login_as(client, database, other)
    foreign = book(client, application_id, slot.id)
    assert foreign.status_code == 403 and _json(foreign)["code"] == "application-forbidden"  # type: ignore[attr-defined]
    login_as(client, database, world.resident())
    copy = client.post(
        "/api/v1/procedures/applications",
        headers={"Idempotency-Key": "juminhyo-0001"},
        json={
            "procedure_id": "juminhyo-utsushi",
            "data": {"scope": "self", "copies": 1, "purpose": "employment"},
        },
    )
    assert copy.status_code == 201, copy.text
    refused = book(client, copy.json()["id"], slot.id)
    assert refused.status_code == 409 and _json(refused)["code"] == "appointment-not-required"  # type: ignore[attr-defined]
    no_key = client.post(
        f"/api/v1/procedures/applications/{application_id}/appointment", json={"slot_id": slot.id}
    )
    assert no_key.status_code == 422
    login_as(client, database, counter())
    assert book(client, application_id, slot.id).status_code == 403  # type: ignore[attr-defined]


def test_a_slot_of_another_organization_is_refused(
    resident_client: TestClient, database: Database, application_id: str, world: World
) -> None:
    from tests.procedures.appointments.conftest import TENNYU, at

    with database.session() as db:
        chiyoda = service.publish(
            db,
            counter(organization="131016"),
            TENNYU,
            service.SlotPlan("tennyu-yoyaku", "", at(2, 9), at(2, 10), 1),
        )
    refused = book(resident_client, application_id, chiyoda.id)
    assert _json(refused)["code"] == "appointment-slot-mismatch"
    unknown = book(resident_client, application_id, "0" * 32, "key-unknown-1")
    assert unknown.status_code == 404  # type: ignore[attr-defined]
