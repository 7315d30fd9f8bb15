"""The applying world, plus a network the test provider's callbacks go into (the test delivers them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from tests.procedures.applying.conftest import resident_client, world

__all__ = ["callbacks", "resident_client", "world"]


@dataclass
class Outbox:
    """What the test provider posted: (url, body, headers), not yet delivered to the platform."""

    sent: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)
    answer: int = 503  # the platform is "unreachable" until the test delivers by hand

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        self.sent.append((url, body, headers))
        return self.answer


@pytest.fixture
def callbacks(app: FastAPI) -> Iterator[Outbox]:
    outbox = Outbox()
    app.state.payment_callback_sender = outbox
    yield outbox
    del app.state.payment_callback_sender
