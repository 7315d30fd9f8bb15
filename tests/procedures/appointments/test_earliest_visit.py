"""The picker starts on or after the day the definition's date rules allow a visit."""

from __future__ import annotations

from datetime import date

from tsunagu.procedures import service as catalogue
from tsunagu.procedures.appointments import service
from tsunagu.procedures.loader import SHIPPED_DIR
from tsunagu.procedures.registry import LiveRegistry

REGISTRY = LiveRegistry(SHIPPED_DIR)


def test_a_moving_in_visit_starts_on_the_moving_date() -> None:
    tennyu = catalogue.get_procedure(REGISTRY, "tennyu-yoyaku")
    assert service.earliest_visit(tennyu, {"moving_date": "2026-12-20"}) == date(2026, 12, 20)
    assert service.window(date(2026, 12, 1), date(2026, 12, 20))[0] == date(2026, 12, 20)
    assert service.window(date(2026, 12, 21), date(2026, 12, 20))[0] == date(2026, 12, 21)


def test_a_procedure_without_a_bound_date_starts_today() -> None:
    juminhyo = catalogue.get_procedure(REGISTRY, "juminhyo-utsushi")
    assert service.earliest_visit(juminhyo, {}) is None
