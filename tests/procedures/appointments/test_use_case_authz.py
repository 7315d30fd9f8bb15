"""The counter's use cases decide who may publish, cancel and record visits (core.authz), not the routes."""

from __future__ import annotations

import pytest

from tsunagu.core.database import Database
from tsunagu.core.errors import Forbidden
from tsunagu.core.sessions import Principal
from tsunagu.procedures.appointments import service

VIEWER = Principal("staff", "s-1", organization_code="142018", roles=frozenset({"閲覧", "住基"}))
REVIEWER = Principal("staff", "s-2", organization_code="142018", roles=frozenset({"審査"}))


def test_a_viewer_is_refused_by_every_counter_use_case_before_anything_is_read(database: Database) -> None:
    with database.session() as db:
        with pytest.raises(Forbidden):
            service.publish_many(db, VIEWER, None, [])
        with pytest.raises(Forbidden):  # refused before the slot is looked up: no 404 to learn from
            service.cancel_slot(db, VIEWER, "no-such-slot", "")
        with pytest.raises(Forbidden):
            service.record_outcome(db, VIEWER, "no-such-booking", "attended")
    with pytest.raises(Forbidden):
        service.require_publisher(VIEWER)
    assert not service.may_publish(VIEWER)
    assert service.may_publish(REVIEWER)
    assert service.require_publisher(REVIEWER) is REVIEWER


def test_a_reviewer_gets_past_the_role_check(database: Database) -> None:
    with database.session() as db, pytest.raises(service.SlotNotFound):
        service.cancel_slot(db, REVIEWER, "no-such-slot", "")
