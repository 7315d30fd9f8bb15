"""Group commit: writes that arrive while a transaction is being written wait and go together
into the next one (one commit for many requests under load, none delayed when alone). The first
waiting caller writes the batch for everyone; the others sleep until it is done.

Used where every request ends in a short write that must take turns with the others: a mesh
node's hash-chained log, and the stored submissions of procedures. The caller's ``write`` runs
the batch's jobs in one transaction and sets each job's result, or its error (that job's
refusal; the others' writes stay).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
W = TypeVar("W")


@dataclass
class Job(Generic[W, T]):
    """One caller's ``work`` (what it is, ``write`` knows), and what came of it."""

    work: W
    done: bool = False
    result: T | None = None
    error: BaseException | None = None

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]  # set when no error

    def finish(self, result: T) -> None:
        self.result, self.done = result, True

    def refuse(self, error: BaseException) -> None:
        self.error, self.done = error, True


Batch = list[Job[Any, Any]]


class GroupCommit:
    """The batches of one queue of writes (one hash chain, one database's submissions)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._waiting: Batch = []
        self._writing = False

    def submit(self, job: Job[W, T], write: Callable[[list[Job[W, Any]]], None]) -> T:
        """Queue ``job``; write the queued batch with ``write`` unless another caller does.
        Everything queued on one GroupCommit must be written by the same kind of ``write``."""
        with self._changed:
            self._waiting.append(job)
            while self._writing and not job.done:
                self._changed.wait()
            if job.done:
                return job.outcome()
            self._writing = True
            batch, self._waiting = self._waiting, []
        try:
            write(batch)
        except BaseException as exc:  # the transaction failed: every job in it shares the failure
            for queued in batch:
                if not queued.done:
                    queued.refuse(exc)
        finally:
            with self._changed:
                self._writing = False
                self._changed.notify_all()
        return job.outcome()
