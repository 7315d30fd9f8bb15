"""Group commit: jobs queued while a batch is written share the next batch; a failed batch fails
every job in it."""

from __future__ import annotations

import threading
from typing import Any

from tsunagu.core.groupcommit import GroupCommit, Job


def test_jobs_queued_while_a_batch_is_written_share_the_next_batch() -> None:
    writer, batches = GroupCommit(), []
    first_started, release = threading.Event(), threading.Event()

    def write(batch: list[Job[Any, Any]]) -> None:
        batches.append(len(batch))
        if len(batches) == 1:
            first_started.set()
            assert release.wait(10)
        for job in batch:
            job.finish(("written", []))

    def submit(results: list[Any]) -> None:
        results.append(writer.submit(Job(lambda _: (None, ())), write))

    results: list[Any] = []
    threads = [threading.Thread(target=submit, args=(results,))]
    threads[0].start()
    assert first_started.wait(10)
    threads += [threading.Thread(target=submit, args=(results,)) for _ in range(5)]
    for thread in threads[1:]:
        thread.start()
    while len(writer._waiting) < 5:  # the five wait behind the batch being written
        threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(10)
    assert batches == [1, 5] and results == [("written", [])] * 6


def test_a_failed_batch_fails_every_job_in_it() -> None:
    writer = GroupCommit()

    def write(_: list[Job[Any, Any]]) -> None:
        raise OSError("disk full")

    try:
        writer.submit(Job(lambda _: (None, ())), write)
    except OSError as exc:
        assert str(exc) == "disk full"
    else:
        raise AssertionError("the failure was not raised")
