"""Group commit: appends that arrive while a batch is written go together into the next one, a
refused exchange leaves the others' writes and entries intact, and the chain stays whole."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select
from tests.mesh.test_log_and_codes import ORG, _event, _resolve

from tsunagu.core.database import Database
from tsunagu.mesh import errors
from tsunagu.mesh.log import service as message_log
from tsunagu.mesh.log.models import MeshLogEntry


def test_concurrent_exchanges_keep_one_chain_and_a_refusal_stays_its_own(database: Database) -> None:
    start = threading.Barrier(12)
    outcomes: dict[int, Any] = {}

    def exchange(number: int) -> None:
        def work(_: Connection) -> tuple[int, Sequence[message_log.LogEvent]]:
            if number == 5:
                raise errors.UnknownSubject("no such person")
            return number, [_event(number), _event(number + 100)]

        start.wait(10)
        try:
            outcomes[number] = message_log.append_with(database, ORG, work)[0]
        except errors.UnknownSubject as exc:
            outcomes[number] = exc.code

    threads = [threading.Thread(target=exchange, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes == {n: ("mesh-unknown-subject" if n == 5 else n) for n in range(12)}
    with database.session() as db:
        logged = db.scalar(
            select(func.count()).select_from(MeshLogEntry).where(MeshLogEntry.organization_code == ORG)
        )
        refused = db.scalar(
            select(func.count()).select_from(MeshLogEntry).where(MeshLogEntry.request_id == f"{5:032x}")
        )
    assert (logged, refused) == (22, 0)
    report = message_log.verify(database, ORG, _resolve)
    assert report.ok and report.entries == 22


def _append_many(url: str, first: int) -> None:
    database = Database(url)
    try:
        for number in range(first, first + 40):
            message_log.append(database, ORG, [_event(number), _event(number + 1000)])
    finally:
        database.dispose()


def test_two_processes_appending_at_once_keep_one_unbroken_chain(database: Database) -> None:
    """Worker processes of one server share the chain (the embedded nodes): their transactions
    take turns on its write lock instead of colliding on the same seq."""
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(database.url, first)) for first in (0, 100)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    report = message_log.verify(database, ORG, _resolve)
    assert report.ok and report.entries == 160
