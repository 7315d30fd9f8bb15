"""One entry of the chain: the event it records and the hash that links it to the previous one."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tsunagu.mesh import crypto

GENESIS = "0" * 64


CHECKPOINT_TYP = "tsunagu-mesh-log-checkpoint+jws"


ANCHOR_TYP = "tsunagu-mesh-log-anchor+jws"


_writers_guard = threading.Lock()


@dataclass(frozen=True)
class LogEvent:
    """One line of metadata about an exchange, as seen by one organization."""

    role: str  # consumer | provider | directory
    kind: str  # request | response | denial | authorization | notification
    request_id: str
    consumer: str
    provider: str
    service: str
    purpose: str
    subject_code: str
    items: tuple[str, ...]
    result: str
    message_sha256: str
    person_link: str | None = None
    visible_from: datetime | None = None


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


_INSTANT = "%Y-%m-%d %H:%M:%S.%f"


def _instant(value: datetime | str | None) -> str | None:
    """A UTC instant as SQLite stores it; PostgreSQL's datetimes are brought to the same text."""
    if value is None or isinstance(value, str):
        return value
    return value.astimezone(UTC).strftime(_INSTANT)


def _items_text(items: Any) -> str:
    """The items as the JSON column stores them (SQLite hands back this very text)."""
    return items if isinstance(items, str) else json.dumps(list(items))


def entry_hash(prev_hash: str, seq: int, at: datetime, event: LogEvent) -> str:
    return _hash_fields(
        prev_hash,
        seq,
        _instant(at),
        event.role,
        event.kind,
        event.request_id,
        event.consumer,
        event.provider,
        event.service,
        event.purpose,
        event.subject_code,
        _items_text(event.items),
        event.result,
        event.message_sha256,
        event.person_link,
        _instant(event.visible_from),
    )


# Arrays of the fields: one C encoder made once (``crypto.compact_encoder``).
_encode_array = crypto.compact_encoder(sort_keys=False)


def _hash_fields(prev_hash: str, *values: Any) -> str:
    """SHA-256 over a JSON array of the previous hash and the fields (unambiguous, C-encoded)."""
    return hashlib.sha256(_encode_array([prev_hash, *values]).encode()).hexdigest()
