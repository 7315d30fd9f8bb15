"""The node's threads for handlers that block (on a peer's answer, on the database).

Leaner than ``loop.run_in_executor`` on a ``ThreadPoolExecutor``: a call is one put on a C queue
(waking an idle thread) and one ``call_soon_threadsafe`` back, with no concurrent future chained
to an asyncio one (their locks, conditions and callbacks cost more per query than the hand-off
itself). Threads are started as calls find none idle, up to a limit.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Workers:
    def __init__(self, most: int, name: str) -> None:
        self.most, self.name = most, name
        self._calls: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._guard = threading.Lock()
        self._started = self._idle = 0

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker thread, in the caller's context (its log fields)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        context = contextvars.copy_context()

        def call() -> None:
            try:
                result = context.run(function, *args)
            except Exception as exc:  # handed to the awaiting handler, which answers problem+json
                loop.call_soon_threadsafe(_fail, future, exc)
            else:
                loop.call_soon_threadsafe(_succeed, future, result)

        self._calls.put(call)
        self._claim()
        return await future

    def _claim(self) -> None:
        """See that a thread takes the call just queued: an idle one, or a new one (so that no call
        waits behind another's blocking work, up to the limit)."""
        with self._guard:
            if self._idle:
                self._idle -= 1
                return
            if self._started >= self.most:
                return
            self._started += 1
        threading.Thread(target=self._serve, name=f"{self.name}-{self._started}", daemon=True).start()

    def _serve(self) -> None:
        while True:
            self._calls.get()()
            with self._guard:
                self._idle += 1


def _succeed(future: asyncio.Future[T], result: T) -> None:
    if not future.cancelled():  # the client went away meanwhile
        future.set_result(result)


def _fail(future: asyncio.Future[Any], error: Exception) -> None:
    if not future.cancelled():
        future.set_exception(error)
