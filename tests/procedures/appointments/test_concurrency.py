"""Capacity holds under concurrent bookings (threads, each its own transaction, on both backends)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.procedures.applying.conftest import World
from tests.procedures.appointments.conftest import REGISTRY, SlotMaker, move_in

from tsunagu.core.database import Database
from tsunagu.core.errors import TsunaguError
from tsunagu.procedures.appointments import service

WORKERS = 6


def _attempt(database: Database, world: World, application_id: str, slot_id: str, key: str) -> str:
    try:
        service.book_durably(database, REGISTRY, world.resident(), application_id, slot_id=slot_id, key=key)
    except TsunaguError as exc:
        return exc.code
    return "booked"


def test_a_slot_is_never_booked_beyond_its_capacity(
    database: Database, world: World, make_slot: SlotMaker
) -> None:
    slot = make_slot(capacity=3)
    ids = [move_in(database, world.resident(), f"move-in-race-{n:02d}") for n in range(WORKERS * 2)]
    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(lambda a: _attempt(database, world, a, slot.id, f"race-{a}"), ids))
    assert sorted(outcomes) == ["appointment-slot-full"] * (len(ids) - 3) + ["booked"] * 3
    with database.session() as db:
        assert service.get_slot(db, slot.id).booked == 3
        assert sum(service.active_booking(db, a) is not None for a in ids) == 3


def test_one_application_keeps_one_active_booking_under_concurrent_requests(
    database: Database, world: World, make_slot: SlotMaker
) -> None:
    slots = [make_slot(days=2 + n, capacity=5) for n in range(WORKERS)]
    application_id = move_in(database, world.resident(), "move-in-single-1")
    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(
            pool.map(lambda s: _attempt(database, world, application_id, s.id, f"one-{s.id}"), slots)
        )
    assert set(outcomes) <= {"booked", "appointment-change-closed"} and "booked" in outcomes
    with database.session() as db:
        active = service.active_booking(db, application_id)
        counts = [service.get_slot(db, s.id).booked for s in slots]
    assert active is not None
    assert counts == [1 if s.id == active.slot.id else 0 for s in slots]
