"""Group commit for one hash chain: appends that arrive while a transaction is being written wait
and go together into the next one (one commit for many exchanges under load, none delayed when
alone). The first waiting caller writes the batch for everyone; the others sleep until it is done.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

T = TypeVar("T")


@dataclass
class Job(Generic[T]):
    """One caller's work, run inside the batch's transaction, and what came of it."""

    work: Callable[[Connection], tuple[T, Sequence[Any]]]
    done: bool = False
    result: T | None = None
    seqs: list[int] = field(default_factory=list)
    error: BaseException | None = None

    def outcome(self) -> tuple[T, list[int]]:
        if self.error is not None:
            raise self.error
        return self.result, self.seqs  # type: ignore[return-value]  # set when no error


class ChainWriter:
    """The batches of one chain in this process."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._waiting: list[Job[Any]] = []
        self._writing = False

    def submit(self, job: Job[T], write: Callable[[list[Job[Any]]], None]) -> tuple[T, list[int]]:
        """Queue ``job``; write the queued batch with ``write`` unless another caller does."""
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
                    queued.error, queued.done = exc, True
        finally:
            with self._changed:
                self._writing = False
                self._changed.notify_all()
        return job.outcome()
