"""The node's threads for handlers that block (on a peer's answer, on the database), and group
commit for handlers on the event loop.

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

from tsunagu.core.groupcommit import Job

T = TypeVar("T")
W = TypeVar("W")


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


class Batches:
    """Group commit for handlers on the event loop (``core.groupcommit`` is for threads): jobs that
    arrive while a batch is written in a worker thread go together in the next one, none waits when
    alone, and a job costs no thread hand-off of its own (one per batch)."""

    def __init__(self, workers: Workers) -> None:
        self.workers = workers
        self._waiting: list[tuple[Job[Any, Any], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, job: Job[W, T], write: Callable[[list[Job[W, Any]]], None]) -> T:
        """Queue ``job``; ``write`` (the same for every job queued here) sets each job's outcome."""
        loop = asyncio.get_running_loop()
        written: asyncio.Future[None] = loop.create_future()
        self._waiting.append((job, written))
        if self._writer is None:
            self._writer = loop.create_task(self._write_queued(write))
        await written
        return job.outcome()

    async def _write_queued(self, write: Callable[[list[Job[Any, Any]]], None]) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                jobs = [job for job, _ in batch]
                try:
                    await self.workers.run(write, jobs)
                except Exception as exc:  # the batch failed: every job in it shares the failure
                    for job in jobs:
                        if not job.done:
                            job.refuse(exc)
                for _, written in batch:
                    _succeed(written, None)
        finally:
            self._writer = None


# Handlers that block on a peer's answer or on the database run in threads: enough of them that
# the requests in flight are not queued behind each other.
WORKERS = Workers(64, "mesh-node")


def _succeed(future: asyncio.Future[T], result: T) -> None:
    if not future.cancelled():  # the client went away meanwhile
        future.set_result(result)


def _fail(future: asyncio.Future[Any], error: Exception) -> None:
    if not future.cancelled():
        future.set_exception(error)
