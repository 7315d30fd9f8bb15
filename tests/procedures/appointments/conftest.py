"""The applying world, a moving-in application at 横須賀市 and its counter's staff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from tests.procedures.applying.conftest import YOKOSUKA, World, resident_client, world

from tsunagu.core import clock
from tsunagu.core.database import Database
from tsunagu.core.sessions import Principal
from tsunagu.procedures import service as catalogue
from tsunagu.procedures.applications import service as applications
from tsunagu.procedures.appointments import service

__all__ = ["resident_client", "world"]

REGISTRY = catalogue.registry_for(None)
TENNYU = catalogue.get_procedure(REGISTRY, "tennyu-yoyaku")
MOVE_IN = {
    "applicant_name": {"family": "佐藤", "given": "花子", "family_kana": "サトウ", "given_kana": "ハナコ"},
    "destination_address": {"text": "神奈川県横須賀市小川町1-1"},
    "moving_date": "2026-11-23",  # the visit days offered start on the moving date
    "visit_date": "2026-11-24",
    "phone": "090-1234-5678",
}


def counter(roles: frozenset[str] = frozenset({"審査"}), organization: str = YOKOSUKA) -> Principal:
    return Principal(
        kind="staff", subject_id=f"counter-{organization}", organization_code=organization, roles=roles
    )


def at(days: int, hour: int, minute: int = 0) -> datetime:
    """A JST time ``days`` after the fixed clock's day (2026-11-22, 10:00 JST)."""
    day = clock.today_jst().date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.JST).astimezone(UTC)


SlotMaker = Callable[..., service.Slot]


@pytest.fixture
def make_slot(database: Database, world: World) -> SlotMaker:
    """Slots of 横須賀市 published by its counter (after the world, so on the fixed clock)."""

    def make(
        days: int = 2,
        hour: int = 10,
        capacity: int = 2,
        procedure_id: str = "tennyu-yoyaku",
        cutoff_minutes: int = 60,
    ) -> service.Slot:
        place = "" if procedure_id else "本庁舎1階 市民課"
        plan = service.SlotPlan(
            procedure_id, place, at(days, hour), at(days, hour, 30), capacity, cutoff_minutes
        )
        with database.session() as db:
            return service.publish(db, counter(), TENNYU if procedure_id else None, plan)

    return make


def move_in(database: Database, person: Principal, key: str) -> str:
    """A 転入予約 stored directly (no mesh look-up): the application id."""
    with database.session() as db:
        subject = applications.applicant_of(db, person).id
    app, _created = applications.submit(
        database,
        applications.Submission(
            TENNYU, person, subject, YOKOSUKA, MOVE_IN, applications.Prefilled(), key, {"key": key}
        ),
    )
    return app.id


@pytest.fixture
def application_id(database: Database, world: World) -> str:
    return move_in(database, world.resident(), "move-in-000001")


def book(client: TestClient, application_id: str, slot_id: str, key: str = "book-key-0001") -> object:
    return client.post(
        f"/api/v1/procedures/applications/{application_id}/appointment",
        json={"slot_id": slot_id},
        headers={"Idempotency-Key": key},
    )
