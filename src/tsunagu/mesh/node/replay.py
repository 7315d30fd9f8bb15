"""The request ids a node received lately, in memory: a replay is refused before the directory is
asked to authorize it. The database's memory of request ids (written with the answer) is the one
that also covers other processes serving the same organization and restarts."""

from __future__ import annotations

import threading
import time


class RecentRequests:
    """Request ids with the monotonic time until which each is remembered."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}
        self._guard = threading.Lock()
        self.added = 0
        self._next_sweep = 0.0

    def add(self, request_id: str, until: float) -> bool:
        """Remember ``request_id``; False if it is remembered already (a replay)."""
        now = time.monotonic()
        with self._guard:
            if now >= self._next_sweep:
                self._until = {known: end for known, end in self._until.items() if end > now}
                self._next_sweep = now + 1.0
            end = self._until.get(request_id)
            if end is not None and end > now:
                return False
            self._until[request_id] = until
            self.added += 1
            return True
