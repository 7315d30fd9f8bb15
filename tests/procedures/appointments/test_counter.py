"""The counter (職員): publish a week, see the day's visitors, mark them, cancel a slot."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from tests.conftest import login_as
from tests.procedures.applying.conftest import YOKOSUKA, World
from tests.procedures.applying.test_pages import hidden
from tests.procedures.appointments.conftest import SlotMaker, book, counter

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.notify import service as inbox
from tsunagu.procedures.appointments import service

API = "/api/v1/procedures/appointments"


def test_a_week_of_slots_is_published_once(client: TestClient, database: Database, world: World) -> None:
    login_as(client, database, counter(frozenset({"管理"})))
    monday = clock.today_jst().date() + timedelta(days=1)
    week = {
        "procedure_id": "tennyu-yoyaku",
        "first_day": monday.isoformat(),
        "weekdays": [0, 2],
        "opens": "09:00",
        "closes": "11:00",
        "interval_minutes": 30,
        "capacity": 2,
    }
    first = client.post(f"{API}/slots/week", json=week)
    assert first.status_code == 201, first.text
    assert first.json() == {"created": 8, "skipped": 0}  # Monday and Wednesday, 4 slots each
    assert client.post(f"{API}/slots/week", json=week).json() == {"created": 0, "skipped": 8}
    listed = client.get(f"{API}/slots", params={"organization": YOKOSUKA, "procedure": "tennyu-yoyaku"})
    slots = listed.json()["items"]
    assert len(slots) == 8 and slots[0]["place"] == "転入先の市区町村役所 住民記録窓口"
    sunday = monday - timedelta(days=1)
    assert slots[0]["closes_at"].startswith(f"{sunday.isoformat()}T23:00")  # 09:00 JST − 1 h, in UTC


def test_publishing_needs_a_publisher_role_and_a_procedure_with_visits(
    client: TestClient, database: Database, world: World
) -> None:
    start = clock.now() + timedelta(days=1)
    slot = {
        "procedure_id": "tennyu-yoyaku",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=30)).isoformat(),
        "capacity": 1,
    }
    login_as(client, database, counter(frozenset({"閲覧"})))
    assert client.post(f"{API}/slots", json=slot).status_code == 403
    login_as(client, database, counter())
    no_visit = client.post(f"{API}/slots", json=slot | {"procedure_id": "juminhyo-utsushi"})
    assert no_visit.status_code == 409 and no_visit.json()["code"] == "appointment-not-required"
    past = client.post(f"{API}/slots", json=slot | {"starts_at": (start - timedelta(days=2)).isoformat()})
    assert past.status_code == 422 and past.json()["code"] == "appointment-invalid-slot"
    assert past.json()["errors"][0]["location"] == ["body", "starts_at"]
    created = client.post(f"{API}/slots", json=slot)
    assert created.status_code == 201 and created.json()["organization_code"] == YOKOSUKA
    assert client.post(f"{API}/slots", json=slot).status_code == 409


def test_the_day_shows_who_comes_and_a_cancelled_slot_tells_them(
    client: TestClient, database: Database, world: World, make_slot: SlotMaker, application_id: str
) -> None:
    slot = make_slot(days=1)
    login_as(client, database, world.resident())
    assert book(client, application_id, slot.id).status_code == 201  # type: ignore[attr-defined]
    login_as(client, database, counter())
    day = slot.day.isoformat()
    [entry] = client.get(f"{API}/schedule", params={"day": day}).json()
    [visit] = entry["visits"]
    assert visit["resident_name"] == "佐藤 花子" and visit["receipt_number"].startswith(f"2026-{YOKOSUKA}-")
    early = client.post(f"{API}/bookings/{visit['booking']['id']}/outcome", json={"outcome": "attended"})
    assert early.status_code == 409 and early.json()["code"] == "appointment-outcome-not-allowed"
    page = client.get("/staff/appointments", params={"day": day})
    assert page.status_code == 200 and "佐藤 花子" in page.text and visit["receipt_number"] in page.text
    login_as(client, database, counter(organization="131016"))
    assert client.post(f"{API}/slots/{slot.id}/cancel", json={"reason": "x"}).status_code == 403
    login_as(client, database, counter())
    cancelled = client.post(f"{API}/slots/{slot.id}/cancel", json={"reason": "停電"})
    assert cancelled.status_code == 200 and cancelled.json()["cancelled_bookings"] == 1
    with database.session() as db:
        assert service.active_booking(db, application_id) is None
        messages, _total = inbox.inbox(db, world.resident_id)
    assert any(m.title.startswith("来庁予約が取り消されました") and "停電" in m.body for m in messages)


def test_visits_are_marked_on_their_day_and_a_no_show_may_book_again(
    client: TestClient,
    database: Database,
    world: World,
    fixed_clock: clock.FixedClock,
    make_slot: SlotMaker,
    application_id: str,
) -> None:
    slot = make_slot(days=1)
    login_as(client, database, world.resident())
    assert book(client, application_id, slot.id).status_code == 201  # type: ignore[attr-defined]
    fixed_clock.advance(timedelta(days=1, hours=2))
    login_as(client, database, counter())
    [entry] = client.get(f"{API}/schedule", params={"day": slot.day.isoformat()}).json()
    booking_id = entry["visits"][0]["booking"]["id"]
    page = client.get("/staff/appointments", params={"day": slot.day.isoformat()})
    token = {"csrf_token": hidden(page.text)["csrf_token"]}
    marked = client.post(
        f"/staff/appointments/bookings/{booking_id}/outcome",
        data={"outcome": "no_show", **token},
        follow_redirects=False,
    )
    assert marked.status_code == 303, marked.text
    with database.session() as db:
        assert service.active_booking(db, application_id) is None
    again = client.post(f"{API}/bookings/{booking_id}/outcome", json={"outcome": "attended"})
    assert again.status_code == 409


def test_the_demo_slots_follow_the_clock_and_are_seeded_once(database: Database, world: World) -> None:
    from tests.procedures.appointments.conftest import TENNYU

    with database.session() as db:
        created = service.seed_demo(db, TENNYU, ["131016", YOKOSUKA])
        again = service.seed_demo(db, TENNYU, ["131016", YOKOSUKA])
        first, last = service.window(clock.today_jst().date())
        slots, total = service.free_slots(
            db, YOKOSUKA, "tennyu-yoyaku", first_day=first, last_day=last, limit=200, offset=0
        )
    assert again == 0 and created == 2 * total
    assert total == 10 * 14  # 10 weekdays in the 14 days from Sunday, 14 half-hours from 9:00 to 16:00
    assert slots[0].local_start.hour == 9 and slots[0].day > first
